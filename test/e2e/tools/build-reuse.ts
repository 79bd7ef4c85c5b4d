/**
 * One build per variant across the e2e files of a run: a build of exactly the same inputs
 * (every option but the tag, the Dockerfile, the ignore file and every file of the context) that another
 * file of the same run already made is tagged again instead of rebuilt. Builds of earlier runs
 * are never reused (the key holds the run's process id) and their names are removed.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { BUILDAH, buildahBuild, BuildahBuildOptions, BuiltImage } from './buildah';
import { Cleanup } from './cleanup';
import { run } from './process';

const CACHE_REPOSITORY = 'localhost/goship-e2e-reuse';

/** {@link buildahBuild}, or the same build from earlier in this run, tagged `options.tag`. */
export async function buildOnce(options: BuildahBuildOptions, cleanup: Cleanup): Promise<BuiltImage> {
  const cacheTag = `${CACHE_REPOSITORY}:${inputsKey(options).slice(0, 32)}-${process.pid}`;
  const { stdout } = await run('buildah', [...BUILDAH, 'images', '--format', '{{.Name}}:{{.Tag}}']);
  const names = stdout.split('\n');
  for (const stale of names.filter((n) => n.startsWith(`${CACHE_REPOSITORY}:`) && !alive(Number(n.split('-').pop())))) {
    await run('buildah', [...BUILDAH, 'rmi', '-f', stale], { allowFailure: true });
  }
  if (names.includes(cacheTag)) {
    const started = Date.now();
    await run('buildah', [...BUILDAH, 'tag', cacheTag, options.tag]);
    cleanup.add(`remove image ${options.tag}`, () => run('buildah', [...BUILDAH, 'rmi', '-f', options.tag], { allowFailure: true }));
    const { stdout: id } = await run('buildah', [...BUILDAH, 'images', '--format', '{{.ID}}', '--no-trunc', cacheTag]);
    return { tag: options.tag, platform: options.platform, id: id.trim().split('\n')[0], log: `reused ${cacheTag}`, seconds: (Date.now() - started) / 1000 };
  }
  const built = await buildahBuild(options, cleanup);
  await run('buildah', [...BUILDAH, 'tag', built.tag, cacheTag]);
  return built;
}

/** Whether a process with this id runs (a concurrent run's names are left alone). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** sha256 over everything the build reads. */
function inputsKey(options: BuildahBuildOptions): string {
  const hash = createHash('sha256');
  const add = (label: string, data: string | Buffer) => hash.update(`${label}\0${data.length}\0`).update(data);
  add('dockerfile', fs.readFileSync(options.dockerfile));
  add('ignore', options.ignoreFile ? fs.readFileSync(options.ignoreFile) : '');
  // Every option but the tag and the paths (what they hold is hashed), whatever options buildahBuild grows.
  const { tag: _tag, dockerfile: _dockerfile, ignoreFile: _ignoreFile, context: _context, ...rest } = options;
  add('options', JSON.stringify(rest, (_key, value: unknown) => (value && typeof value === 'object' && !Array.isArray(value)
    ? Object.fromEntries(Object.entries(value).sort(([a], [b]) => a.localeCompare(b)))
    : value)));
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const file = path.join(dir, entry.name);
      if (entry.name === '.git' || entry.name === 'node_modules') {
        continue;
      }
      if (entry.isDirectory()) {
        walk(file);
      } else if (entry.isFile()) {
        add(`file ${path.relative(options.context, file)}`, fs.readFileSync(file));
      }
    }
  };
  walk(options.context);
  return hash.digest('hex');
}
