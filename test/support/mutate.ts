import * as fc from 'fast-check';

/**
 * Structure-aware mutations for fuzzing readers: a valid input is generated first, then broken
 * in one of the ways hostile inputs are (truncation, bit flips, huge sizes, deep nesting,
 * duplicate entries, values of the wrong type).
 */

/** JSON values of every wrong shape a reader may meet where it expects something else. */
export const hostileJson: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(null, true, false, 0, -1, 1.5, 1e308, -1e308, Number.MAX_SAFE_INTEGER, '', 'x', '..', '/', '../../etc/passwd',
    'sha256:', `sha256:${'0'.repeat(64)}`, 'application/vnd.oci.image.index.v1+json', 'application/vnd.oci.image.manifest.v1+json', [], {}, [null], [1], [{}], { length: 1 }),
  fc.string({ maxLength: 20 }),
  fc.integer(),
  fc.array(fc.oneof(fc.string({ maxLength: 5 }), fc.integer(), fc.constant(null)), { maxLength: 4 }),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.oneof(fc.string({ maxLength: 5 }), fc.integer(), fc.constant(null)), { maxKeys: 3 }),
  fc.integer({ min: 1000, max: 100_000 }).map((depth) => new DeepNesting(depth)),
);

/** `[[[…]]]` nested `depth` deep: written as text by {@link mutateJson} (a value that deep breaks recursive printers). */
export class DeepNesting {
  public constructor(public readonly depth: number) {}
  public toString(): string {
    return `DeepNesting(${this.depth})`;
  }
}

/** JSON text of `doc`, with every {@link DeepNesting} written out. */
function stringify(doc: unknown): string {
  const deep: number[] = [];
  const text = JSON.stringify(doc, (_k, v: unknown) => (v instanceof DeepNesting ? `\u0000deep${deep.push(v.depth) - 1}` : v)) ?? 'null';
  return text.replace(/"\\u0000deep(\d+)"/g, (_all, i: string) => '['.repeat(deep[Number(i)]) + ']'.repeat(deep[Number(i)]));
}

/** Every path into a JSON value (the root is []). */
export function jsonPaths(value: unknown, prefix: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  out.push(prefix);
  if (out.length > 2000) {
    return out;
  }
  if (Array.isArray(value)) {
    value.forEach((v, i) => jsonPaths(v, [...prefix, i], out));
  } else if (value !== null && typeof value === 'object') {
    Object.entries(value).forEach(([k, v]) => jsonPaths(v, [...prefix, k], out));
  }
  return out;
}

/** One way to break bytes. */
export type ByteMutation =
  | { readonly kind: 'truncate'; readonly at: number }
  | { readonly kind: 'flip'; readonly at: number; readonly bit: number }
  | { readonly kind: 'overwrite'; readonly at: number; readonly with: Uint8Array }
  | { readonly kind: 'repeat'; readonly start: number; readonly length: number; readonly times: number };

export const byteMutation: fc.Arbitrary<ByteMutation> = fc.oneof(
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant('overwrite' as const), at: fc.nat(), with: fc.oneof(fc.uint8Array({ minLength: 1, maxLength: 16 }), fc.constant(new Uint8Array(12).fill(0xff)), fc.constant(Buffer.from('77777777777\0'))) }),
  fc.record({ kind: fc.constant('repeat' as const), start: fc.nat(), length: fc.integer({ min: 1, max: 2048 }), times: fc.integer({ min: 2, max: 50 }) }),
);

/** One way to break a JSON document. */
export type JsonMutation =
  | { readonly kind: 'replace'; readonly at: number; readonly value: unknown }
  | { readonly kind: 'delete'; readonly at: number }
  | { readonly kind: 'duplicate'; readonly at: number; readonly times: number }
  | { readonly kind: 'bytes'; readonly mutation: ByteMutation };

export const jsonMutation: fc.Arbitrary<JsonMutation> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('replace' as const), at: fc.nat(), value: hostileJson }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('delete' as const), at: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('duplicate' as const), at: fc.nat(), times: fc.integer({ min: 2, max: 2000 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('bytes' as const), mutation: byteMutation }) },
);

/** Applies a mutation to JSON text; `at` picks a path modulo their number. */
export function mutateJson(text: Buffer, m: JsonMutation): Buffer {
  if (m.kind === 'bytes') {
    return mutateBytes(text, m.mutation);
  }
  const doc: unknown = JSON.parse(text.toString('utf8'));
  const paths = jsonPaths(doc);
  const at = paths[m.at % paths.length];
  if (at.length === 0) {
    return Buffer.from(m.kind === 'replace' ? stringify(m.value) : m.kind === 'delete' ? '' : stringify(Array(m.times).fill(doc)));
  }
  const parent = at.slice(0, -1).reduce<unknown>((v, k) => (v as Record<string | number, unknown>)[k], doc) as Record<string | number, unknown>;
  const key = at[at.length - 1];
  if (m.kind === 'replace') {
    parent[key] = m.value;
  } else if (m.kind === 'delete') {
    if (Array.isArray(parent)) {
      parent.splice(Number(key), 1);
    } else {
      delete parent[key];
    }
  } else if (Array.isArray(parent)) {
    parent.splice(Number(key), 1, ...Array<unknown>(m.times).fill(parent[Number(key)]));
  } else {
    parent[key] = Array<unknown>(m.times).fill(parent[key]);
  }
  return Buffer.from(stringify(doc));
}

/** Applies a byte mutation; positions are taken modulo the length. */
export function mutateBytes(data: Buffer, m: ByteMutation): Buffer {
  if (data.length === 0) {
    return data;
  }
  const out = Buffer.from(data);
  switch (m.kind) {
    case 'truncate':
      return out.subarray(0, m.at % data.length);
    case 'flip':
      out[m.at % data.length] ^= 1 << m.bit;
      return out;
    case 'overwrite':
      Buffer.from(m.with).copy(out, m.at % data.length);
      return out;
    case 'repeat': {
      const start = m.start % data.length;
      const slice = data.subarray(start, start + m.length);
      return Buffer.concat([data.subarray(0, start), ...Array<Buffer>(m.times).fill(slice), data.subarray(start)]);
    }
  }
}
