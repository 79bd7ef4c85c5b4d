import * as fs from 'fs';
import * as path from 'path';

/**
 * Replaces `outdir` with exactly `files` (relative path → content), or leaves it untouched.
 *
 * Everything is written into a fresh sibling folder first; only when all of it is on disk is
 * the old folder renamed aside, the new one renamed into place and the old one removed. A
 * throw or a kill while writing leaves the previous output byte-identical; files that are no
 * longer produced disappear. The one moment without `outdir` is between two renames; the next
 * run restores the previous output if a kill landed exactly there.
 */
export function replaceDirectory(outdir: string, files: ReadonlyMap<string, string>): void {
  const target = path.resolve(outdir);
  const parent = path.dirname(target);
  const aside = path.join(parent, `.${path.basename(target)}.goship-previous`);
  fs.mkdirSync(parent, { recursive: true });
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

  if (fs.existsSync(target)) {
    fs.renameSync(target, aside);
    fs.renameSync(staging, target);
    fs.rmSync(aside, { recursive: true, force: true });
  } else {
    fs.renameSync(staging, target);
  }
}

/** Cleans up after a run that was killed: restores the previous output, removes staging folders. */
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
 * sees the old content or the new, never a part; on an error the old file is untouched.
 */
export function writeFileAtomic(file: string, content: string): void {
  const target = path.resolve(file);
  const temp = path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.tmp`);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  try {
    fs.writeFileSync(temp, content);
    fs.renameSync(temp, target);
  } finally {
    fs.rmSync(temp, { force: true });
  }
}
