import * as fs from 'fs';
import * as path from 'path';
import { resolveOutputFolder, withOutputLock } from './output-lock';
import { atomicTempOf } from './replace-files';

/**
 * Replaces `outdir` with exactly `files` (relative path → content), or leaves it untouched.
 *
 * Everything is written into a fresh sibling folder first; only when all of it is on disk is
 * the old folder renamed aside, the new one renamed into place and the old one removed. A
 * throw or a kill while writing leaves the previous output byte-identical; files that are no
 * longer produced disappear; a failed second rename puts the old folder back. The one moment
 * without `outdir` is between two renames; the next run restores the previous output if a
 * kill landed exactly there.
 *
 * One run at a time: the run holds the folder's lock (see {@link withOutputLock}) and a second
 * run fails at once. A symbolic link as `outdir` is followed (the link is kept, the folder it
 * points to is replaced); a file as `outdir` is refused, never deleted.
 */
export function replaceDirectory(outdir: string, files: ReadonlyMap<string, string>): void {
  fs.mkdirSync(path.dirname(path.resolve(outdir)), { recursive: true });
  const target = resolveOutputFolder(outdir);
  withOutputLock(target, () => replaceLocked(target, files));
}

function replaceLocked(target: string, files: ReadonlyMap<string, string>): void {
  const parent = path.dirname(target);
  const aside = path.join(parent, `.${path.basename(target)}.goship-previous`);
  recover(target, aside);

  const staging = fs.mkdtempSync(path.join(parent, `.${path.basename(target)}.goship-staging-`));
  try {
    fs.chmodSync(staging, 0o755);
    const made = new Set<string>([staging]);
    for (const [rel, content] of files) {
      const file = path.join(staging, rel);
      if (!file.startsWith(staging + path.sep)) {
        throw new Error(`refusing to write outside the output folder: ${rel}`);
      }
      const dir = path.dirname(file);
      if (!made.has(dir)) {
        fs.mkdirSync(dir, { recursive: true });
        made.add(dir);
      }
      fs.writeFileSync(file, content);
    }
  } catch (e) {
    fs.rmSync(staging, { recursive: true, force: true });
    throw e;
  }

  if (!fs.existsSync(target)) {
    try {
      fs.renameSync(staging, target);
    } catch (e) {
      fs.rmSync(staging, { recursive: true, force: true });
      throw e;
    }
    return;
  }
  try {
    fs.renameSync(target, aside);
  } catch (e) {
    fs.rmSync(staging, { recursive: true, force: true });
    throw e;
  }
  try {
    fs.renameSync(staging, target);
  } catch (e) {
    fs.renameSync(aside, target);
    fs.rmSync(staging, { recursive: true, force: true });
    throw e;
  }
  fs.rmSync(aside, { recursive: true, force: true });
}

/** Cleans up after a run that was killed (called under the lock): restores the previous output, removes staging folders. */
function recover(target: string, aside: string): void {
  if (fs.existsSync(aside)) {
    if (fs.existsSync(target)) {
      fs.rmSync(aside, { recursive: true, force: true });
    } else {
      fs.renameSync(aside, target);
    }
  }
  const parent = path.dirname(target);
  const prefix = `.${path.basename(target)}.goship-staging-`;
  for (const entry of fs.readdirSync(parent)) {
    if (entry.startsWith(prefix)) {
      fs.rmSync(path.join(parent, entry), { recursive: true, force: true });
    }
  }
}

/**
 * Writes one file atomically: a sibling temporary file, renamed over the target. A reader
 * sees the old content or the new, never a part; on an error the old file is untouched. An
 * existing file keeps its mode; a symbolic link is followed, a chain of them too (the links
 * stay, the file at the end is replaced; a dangling link's file is created); a folder, a link
 * to one, a device, FIFO or socket, and a loop of links are refused.
 */
export function writeFileAtomic(file: string, content: string): void {
  let target = path.resolve(file);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  // Follow the whole chain of links (a link to a link to the file), as a shell's `>` does.
  for (let hops = 0; fs.lstatSync(target, { throwIfNoEntry: false })?.isSymbolicLink(); hops++) {
    if (hops >= 40) {
      throw new Error(`${file}: a loop of symbolic links — point the link at a file, or remove it`);
    }
    target = path.resolve(path.dirname(target), fs.readlinkSync(target));
    fs.mkdirSync(path.dirname(target), { recursive: true });
  }
  const st = fs.statSync(target, { throwIfNoEntry: false });
  if (st?.isDirectory()) {
    throw new Error(`${file}: is a folder${target === path.resolve(file) ? '' : ` (the link points to ${target})`}, not a file — choose a file name`);
  }
  if (st && !st.isFile()) {
    throw new Error(`${file}: is not a regular file (a device, FIFO or socket) — choose a file name`);
  }
  const temp = atomicTempOf(target);
  try {
    fs.rmSync(temp, { force: true });
    fs.writeFileSync(temp, content, { flag: 'wx', mode: st ? st.mode & 0o7777 : 0o644 });
    if (st) {
      fs.chmodSync(temp, st.mode & 0o7777);
    }
    fs.renameSync(temp, target);
  } finally {
    fs.rmSync(temp, { force: true });
  }
}
