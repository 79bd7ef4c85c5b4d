import { ValidationError } from './errors';

/**
 * The names of every prop of `T`, as an object literal the compiler checks both ways: a prop
 * added to the interface but not here, or listed here but not in the interface, is a type error.
 *
 * @example
 * const PROPS: PropNames<HelloProps> = { name: true, port: true };
 */
export type PropNames<T> = { readonly [K in keyof Required<T>]: true };

/**
 * Refuses props the construct does not know.
 *
 * TypeScript catches a misspelt prop only in a type-checked object literal; `ts-node
 * --transpile-only`, plain JavaScript, a spread or a variable let `healthpath: '/readyz'`
 * through, and the construct would silently use its default. This makes it an error that
 * names the prop and its nearest known spelling.
 *
 * @param props the props as given (anything: they come from untyped callers too)
 * @param known every prop name, see {@link PropNames}
 * @param kind what the props are for, e.g. `RollingDeployment`, for the message
 * @param prefix the parent prop for nested objects, e.g. `resources`
 * @param hideValues leave the value out of the message, for objects that hold credentials
 * (a misspelt `passwd` holds a password)
 * @param escapeHatch what to do for a field the construct has no prop for, added to the fix
 */
export function rejectUnknownProps(props: unknown, known: object, kind: string, prefix?: string, hideValues = false, escapeHatch?: string): void {
  if (typeof props !== 'object' || props === null || Array.isArray(props)) {
    return;
  }
  const names = Object.keys(known);
  for (const key of Object.keys(props)) {
    if (Object.prototype.hasOwnProperty.call(known, key)) {
      continue;
    }
    const prop = prefix ? `${prefix}.${key}` : key;
    const near = nearest(key, names);
    const fix = near !== undefined
      ? `did you mean '${near}'?`
      : `remove it; the props of ${kind} are ${names.join(', ')}`;
    const hatch = escapeHatch ? `; ${escapeHatch}` : '';
    throw ValidationError.invalid(prop, hideValues ? '(hidden)' : (props as Record<string, unknown>)[key], `is not a prop of ${kind}`, `${fix}${hatch}`);
  }
}

/**
 * The known name closest to `name`: the same letters in another case, else the one at the
 * smallest edit distance, if that distance is small for the name's length (at most 1 edit for
 * short names, 2 from 5 letters, 3 from 10).
 */
export function nearest(name: string, known: readonly string[]): string | undefined {
  const lower = name.toLowerCase();
  const sameLetters = known.find((k) => k.toLowerCase() === lower);
  if (sameLetters !== undefined) {
    return sameLetters;
  }
  const limit = name.length >= 10 ? 3 : name.length >= 5 ? 2 : 1;
  let best: string | undefined;
  let bestDistance = limit + 1;
  for (const k of known) {
    const d = editDistance(lower, k.toLowerCase());
    if (d < bestDistance) {
      best = k;
      bestDistance = d;
    }
  }
  return best;
}

/** Optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps. */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.length][b.length];
}

/**
 * Refuses props an earlier version had and this one removed (in any case), naming what
 * replaces each.
 * Called before {@link rejectUnknownProps}, which could only guess a near spelling.
 *
 * @param removed each removed prop, with its replacement as the fix
 * @param kind what the props are for, e.g. `RollingDeployment`, for the message
 */
export function rejectRemovedProps(props: unknown, removed: Readonly<Record<string, string>>, kind: string): void {
  if (typeof props !== 'object' || props === null || Array.isArray(props)) {
    return;
  }
  const byLowerCase = new Map(Object.keys(removed).map((k) => [k.toLowerCase(), removed[k]]));
  for (const key of Object.keys(props)) {
    const replacement = byLowerCase.get(key.toLowerCase());
    if (replacement !== undefined) {
      throw ValidationError.invalid(key, (props as Record<string, unknown>)[key], `is not a prop of ${kind} since goship 0.2`, `use ${replacement}`);
    }
  }
}
