import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { DockerIgnore } from './dockerignore';

/** Digests per context and ignore rules: images that share a module read its files once. */
const cache = new Map<string, string>();

/**
 * The sha256 (hex) of what a build reads: every file of the context that the ignore patterns
 * leave in (path, executable bit, content), and `recipe`, the build settings that are not in
 * those files (builder, platforms, flags, runtime). The same inputs give the same digest on any
 * machine, in a shallow clone or with no git at all; no history is read.
 *
 * @param contextDir the build context
 * @param ignore the `.dockerignore` patterns of the build (goship's, merged with the context's)
 * @param recipe a deterministic text of the build settings
 * @param memoized reuse the digest this process computed before for the same context, rules
 *   and recipe (synth of many images from one module); false reads the files again, for a
 *   caller that must see files changed since (publish's no-change skip)
 */
export function inputDigest(contextDir: string, ignore: readonly string[], recipe: string, memoized = true): string {
  const key = `${path.resolve(contextDir)}\0${ignore.join('\n')}\0${recipe}`;
  const hit = memoized ? cache.get(key) : undefined;
  if (hit) {
    return hit;
  }
  const rules = new DockerIgnore(ignore);
  const hash = createHash('sha256').update('goship-inputs-v1\n').update(recipe).update('\n');
  for (const file of listFiles(path.resolve(contextDir), rules)) {
    const abs = path.join(contextDir, file);
    const stat = fs.lstatSync(abs);
    const content = stat.isSymbolicLink() ? Buffer.from(`symlink:${fs.readlinkSync(abs)}`) : fs.readFileSync(abs);
    const sum = createHash('sha256').update(content).digest('hex');
    hash.update(`${file}\0${stat.mode & 0o111 ? 'x' : '-'}\0${sum}\n`);
  }
  const digest = hash.digest('hex');
  cache.set(key, digest);
  return digest;
}

/** Forgets the digests (for tests that change files). */
export function clearInputDigestCache(): void {
  cache.clear();
}

/** The context's files that the rules leave in, relative and `/`-separated, sorted. */
function listFiles(root: string, rules: DockerIgnore): string[] {
  const out: string[] = [];
  const walk = (rel: string): void => {
    const entries = fs.readdirSync(path.join(root, rel), { withFileTypes: true });
    for (const entry of entries) {
      const child = rel ? `${rel}/${entry.name}` : entry.name;
      const excluded = rules.excludes(child);
      if (entry.isDirectory()) {
        if (!excluded || rules.mayReinclude(child)) {
          walk(child);
        }
      } else if (!excluded) {
        out.push(child);
      }
    }
  };
  walk('');
  return out.sort();
}
