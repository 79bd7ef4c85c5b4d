import * as fs from 'fs';
import * as path from 'path';

/**
 * Replaces a few files of a folder together: every new content is written to a temporary
 * sibling (with the old file's mode) first, then each old file is kept as a hard link beside
 * it and the new one renamed over it (so the file is always there, old or new), then `commit`
 * runs (e.g. writing the pin file), and only then are the old files removed. When any step
 * fails, every file already swapped is put back: the folder is byte-identical to before and no
 * temporary file is left. Files not named are never touched.
 *
 * With a `journal`, a process killed at any point is undone by the next run: the journal lists
 * what was being replaced before anything is, and {@link recoverReplace} (run under the output
 * lock) puts every old file back, `alsoRestore` files included (e.g. the pin file `commit`
 * writes). The journal's removal is the commit point.
 *
 * @param changes absolute path of an existing regular file → its new content
 */
export function replaceFiles(changes: ReadonlyMap<string, string>, commit: () => void = () => undefined, options: ReplaceOptions = {}): void {
  const tag = `goship-${process.pid}`;
  const entry = (file: string): Entry => {
    const base = path.join(path.dirname(file), `.${path.basename(file)}.${tag}`);
    return { file, temp: `${base}.tmp`, old: `${base}.old` };
  };
  const staged = [...changes.keys()].map(entry);
  // Files commit() writes: kept as they were (a link to the old bytes), or noted as new.
  const extra = (options.alsoRestore ?? []).map((f) => entry(realFile(f)));
  const all = [...staged, ...extra];
  try {
    for (const e of staged) {
      if (!fs.lstatSync(e.file).isFile()) {
        throw new Error(`${e.file}: not a regular file — goship rewrites only files it wrote`);
      }
    }
    if (options.journal) {
      const journal: Journal = {
        entries: all,
        created: extra.filter((e) => !fs.lstatSync(e.file, { throwIfNoEntry: false })).map((e) => e.file),
        temps: extra.map((e) => atomicTempOf(e.file)),
      };
      writeJournal(options.journal, journal);
    }
    for (const e of staged) {
      const st = fs.lstatSync(e.file);
      fs.rmSync(e.temp, { force: true });
      fs.writeFileSync(e.temp, changes.get(e.file)!, { flag: 'wx', mode: st.mode & 0o7777 });
      fs.chmodSync(e.temp, st.mode & 0o7777);
    }
    for (const e of all) {
      fs.rmSync(e.old, { force: true });
      if (fs.existsSync(e.file)) {
        fs.linkSync(e.file, e.old);
      }
    }
    for (const e of staged) {
      fs.renameSync(e.temp, e.file);
    }
    commit();
    if (options.journal) {
      fs.rmSync(options.journal, { force: true });
    }
  } catch (e) {
    undo(all);
    if (options.journal) {
      fs.rmSync(options.journal, { force: true });
    }
    throw e;
  }
  for (const e of all) {
    fs.rmSync(e.old, { force: true });
  }
}

/** Options of {@link replaceFiles}. */
export interface ReplaceOptions {
  /** Where to keep the journal that lets the next run undo a killed one. @default - none */
  readonly journal?: string;
  /** Files that `commit` writes, put back too when the replacement is undone. @default - none */
  readonly alsoRestore?: readonly string[];
}

interface Entry { readonly file: string; readonly temp: string; readonly old: string }

/** What a journal holds: every file being replaced, and the `alsoRestore` files that did not exist before. */
interface Journal { readonly entries: readonly Entry[]; readonly created: readonly string[]; readonly temps: readonly string[] }

/** The temporary sibling writeFileAtomic writes `target` through. */
export function atomicTempOf(target: string, pid: number = process.pid): string {
  return path.join(path.dirname(target), `.${path.basename(target)}.${pid}.tmp`);
}

/**
 * Undoes a replacement a killed process left half done, if `journal` exists: every file is
 * put back as it was, a file the run created is removed, temporary files too, then the
 * journal. Run it holding the output lock.
 */
export function recoverReplace(journal: string): void {
  let saved: Journal;
  try {
    saved = JSON.parse(fs.readFileSync(journal, 'utf8')) as Journal;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
      fs.rmSync(`${journal}.tmp`, { force: true }); // killed while writing the journal: nothing else was touched
      return;
    }
    throw new Error(`${journal}: the journal of an interrupted goship run cannot be read — delete it, then synthesize and pin again`);
  }
  for (const file of [...saved.created, ...saved.temps]) {
    fs.rmSync(file, { force: true });
  }
  undo(saved.entries);
  fs.rmSync(journal, { force: true });
  fs.rmSync(`${journal}.tmp`, { force: true });
}

/** Puts every old file back (a rename of a link to the same file does nothing) and removes the rest. */
function undo(entries: readonly Entry[]): void {
  for (const e of entries) {
    if (fs.existsSync(e.old)) {
      fs.renameSync(e.old, e.file);
    }
    fs.rmSync(e.temp, { force: true });
    fs.rmSync(e.old, { force: true });
  }
}

/** The file a path names, links followed (it may not exist yet). */
function realFile(file: string): string {
  try {
    return fs.realpathSync(file);
  } catch {
    return path.resolve(file);
  }
}

function writeJournal(journal: string, content: object): void {
  const temp = `${journal}.tmp`;
  try {
    fs.writeFileSync(temp, JSON.stringify(content));
    fs.renameSync(temp, journal);
  } catch (e) {
    fs.rmSync(temp, { force: true }); // a full disk: nothing is left behind
    throw e;
  }
}
