import type { Finding } from '../policy';

/** How many places a repeated warning names before it says how many more there are. */
export const FIRST_PLACES = 3;

/**
 * Warning lines, one per distinct warning: findings with the same rule and message (the same
 * unpinned builder image in 3000 Dockerfiles) print once, with a count and the first few
 * places. Order: as first seen.
 *
 * @example
 * // goship: warning: [dockerfile/pinned-builder-image] stage 'build' uses 'golang:1.22' … — 3000 times: images/a/Dockerfile:7, images/b/Dockerfile:7, images/c/Dockerfile:7 and 2997 more
 */
export function warningLines(findings: readonly Finding[]): string[] {
  const groups = new Map<string, Finding[]>();
  for (const f of findings) {
    const key = `${f.rule}\u0000${f.message}`;
    const group = groups.get(key);
    if (group) {
      group.push(f);
    } else {
      groups.set(key, [f]);
    }
  }
  return [...groups.values()].map((group) => {
    const f = group[0];
    if (group.length === 1) {
      return ['goship: warning:', placeOf(f), `[${f.rule}]`, f.message].filter((part) => part !== '').join(' ');
    }
    const places = group.slice(0, FIRST_PLACES).map(placeOf).join(', ');
    const more = group.length > FIRST_PLACES ? ` and ${group.length - FIRST_PLACES} more` : '';
    return `goship: warning: [${f.rule}] ${f.message} — ${group.length} times: ${places}${more}`;
  });
}

/** `file:line Kind/name`, as much of it as is known. */
export function placeOf(f: Finding): string {
  return `${f.file ?? ''}${f.line ? `:${f.line}` : ''}${f.object ? ` ${f.object}` : ''}`.trim();
}
