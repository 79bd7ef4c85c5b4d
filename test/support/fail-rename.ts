/**
 * A failing disk for renames: `failRename` swaps `fs.renameSync` (the module object itself, so
 * lib's namespace imports see the swap); `restoreRename` puts the real one back (call it from
 * `afterEach`).
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const nodeFs = require('fs') as typeof import('fs');
const realRename = nodeFs.renameSync;

/** Makes renameSync fail where `fails(from, to)` returns an error code, as a full or failing disk would. */
export function failRename(fails: (from: string, to: string) => string | undefined): void {
  nodeFs.renameSync = (from, to) => {
    const code = fails(String(from), String(to));
    if (code !== undefined) {
      throw Object.assign(new Error(`${code}: injected rename failure`), { code });
    }
    realRename(from, to);
  };
}

/** Puts the real renameSync back. */
export function restoreRename(): void {
  nodeFs.renameSync = realRename;
}
