import * as fs from 'fs';
import * as path from 'path';
import { recoverReplace } from './replace-files';

/**
 * One writer at a time per output folder: a lock file next to it,
 * `.<name>.goship-lock`, created exclusively and holding the writer's process id. A lock
 * whose process no longer runs (a killed run) is taken over; a live one makes the second
 * run fail at once, naming the folder and the process that holds it. A run that takes the
 * lock first undoes a `pin` that was killed half way (its journal).
 */

/** The lock file of an output path (absolute, links already followed). */
export function lockFileOf(target: string): string {
  return path.join(path.dirname(target), `.${path.basename(target)}.goship-lock`);
}

/** The journal of a `pin` of an output path: a killed pin is undone from it by the next run. */
export function journalFileOf(target: string): string {
  return path.join(path.dirname(target), `.${path.basename(target)}.goship-journal`);
}

/** Whether a process id names a running process. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Runs `work` holding the lock of `target`, and releases it however `work` ends.
 *
 * @throws Error when another running process holds the lock
 */
export function withOutputLock<T>(target: string, work: () => T): T {
  const lock = lockFileOf(target);
  for (let attempt = 0; ; attempt++) {
    try {
      const fd = fs.openSync(lock, 'wx', 0o644);
      try {
        fs.writeSync(fd, `${process.pid}\n`);
      } catch (e) {
        // A full disk can create the file and refuse its bytes: the lock is not left behind.
        fs.closeSync(fd);
        fs.rmSync(lock, { force: true });
        throw e;
      }
      fs.closeSync(fd);
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || attempt >= 2) {
        throw e;
      }
      const holder = Number.parseInt(readSmall(lock), 10);
      if (Number.isSafeInteger(holder) && holder > 0 && holder !== process.pid && alive(holder)) {
        throw new Error(`${target}: another goship run (process ${holder}) is writing this output folder (lock ${lock}) — wait for it to finish; ` +
          'if no such run exists, delete the lock file');
      }
      if (holder === process.pid) {
        throw new Error(`${target}: this process is already writing this output folder (lock ${lock}) — do not nest synth or pin runs on one folder`);
      }
      fs.rmSync(lock, { force: true }); // left by a run that was killed
    }
  }
  try {
    // A pin killed half way left a journal: put its files back before anything reads them.
    recoverReplace(journalFileOf(target));
    return work();
  } finally {
    fs.rmSync(lock, { force: true });
  }
}

/**
 * Undoes a `pin` of `outdir` that was killed half way, if it left a journal, holding the
 * folder's lock. A run that reads the pin file before it writes (synth) calls this first, so
 * it never renders from a pin file the journal is about to put back.
 */
export function recoverInterruptedPin(outdir: string): void {
  let target: string;
  try {
    target = resolveOutputFolder(outdir);
  } catch {
    return; // not a folder goship may write: the run that writes it says why
  }
  if (fs.existsSync(journalFileOf(target))) {
    withOutputLock(target, () => undefined);
  }
}

/** The first bytes of a small file, '' when it cannot be read. */
function readSmall(file: string): string {
  try {
    const fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
    try {
      const buf = Buffer.alloc(32);
      return buf.subarray(0, fs.readSync(fd, buf, 0, 32, 0)).toString('utf8');
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return '';
  }
}

/**
 * Where an output folder really is. A symbolic link is followed (the link stays, its target
 * folder is replaced); a path that is a file, or a link to one, or a dangling link, is
 * refused; so is the root folder or a folder that holds the working directory.
 *
 * @throws Error naming the path, what it is, and the fix
 */
export function resolveOutputFolder(outdir: string): string {
  let target = path.resolve(outdir);
  const st = fs.lstatSync(target, { throwIfNoEntry: false });
  if (st?.isSymbolicLink()) {
    try {
      target = fs.realpathSync(target);
    } catch {
      throw new Error(`${outdir}: the output folder is a symbolic link to nothing — point it at a folder, or remove the link`);
    }
  }
  const real = fs.statSync(target, { throwIfNoEntry: false });
  if (real && !real.isDirectory()) {
    throw new Error(`${outdir}: the output path is a file, not a folder — goship replaces the whole output folder and will not delete a file; remove it or choose another outdir`);
  }
  const cwd = path.resolve(process.cwd());
  if (target === path.parse(target).root || cwd === target || cwd.startsWith(target + path.sep)) {
    throw new Error(`${outdir}: goship replaces the whole output folder, and this one is the root or holds the working directory — choose a folder of its own, such as dist`);
  }
  return target;
}
