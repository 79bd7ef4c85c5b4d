import * as fs from 'fs';
import * as path from 'path';

/**
 * Replaces a few files of a folder together: every new content is written to a temporary
 * sibling (with the old file's mode) first, then each old file is renamed aside and the new
 * one into place, then `commit` runs (e.g. writing the pin file), and only then are the old
 * files removed. When any step fails, every file already swapped is put back: the folder is
 * byte-identical to before and no temporary file is left. Files not named are never touched.
 *
 * @param changes absolute path of an existing regular file → its new content
 */
export function replaceFiles(changes: ReadonlyMap<string, string>, commit: () => void = () => undefined): void {
  const tag = `goship-${process.pid}`;
  const staged: { file: string; temp: string; old: string }[] = [];
  const swapped: typeof staged = [];
  try {
    for (const [file, content] of changes) {
      const st = fs.lstatSync(file);
      if (!st.isFile()) {
        throw new Error(`${file}: not a regular file — goship rewrites only files it wrote`);
      }
      const base = path.join(path.dirname(file), `.${path.basename(file)}.${tag}`);
      const entry = { file, temp: `${base}.tmp`, old: `${base}.old` };
      fs.rmSync(entry.temp, { force: true });
      staged.push(entry);
      fs.writeFileSync(entry.temp, content, { flag: 'wx', mode: st.mode & 0o7777 });
      fs.chmodSync(entry.temp, st.mode & 0o7777);
    }
    for (const entry of staged) {
      fs.renameSync(entry.file, entry.old);
      swapped.push(entry);
      fs.renameSync(entry.temp, entry.file);
    }
    commit();
  } catch (e) {
    for (const entry of swapped.reverse()) {
      fs.renameSync(entry.old, entry.file);
    }
    for (const entry of staged) {
      fs.rmSync(entry.temp, { force: true });
    }
    throw e;
  }
  for (const entry of staged) {
    fs.rmSync(entry.old, { force: true });
  }
}
