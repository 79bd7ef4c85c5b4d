import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { ValidationError } from '../model/errors';

/** The git facts an image is tagged and labelled with, for the paths it is built from. */
export interface GitState {
  /** Full hash of the last commit that changed the paths. */
  readonly commit: string;
  /** Its commit date (UTC), as `yyyymmdd`. */
  readonly commitDate: string;
  /** Its commit time, ISO 8601 in UTC: `2026-11-28T10:04:05Z`. */
  readonly commitTime: string;
  /** True when the paths have uncommitted changes (tracked or untracked). */
  readonly dirty: boolean;
  /** `origin` as an https URL without credentials, if there is one. */
  readonly sourceUrl?: string;
}

/** What git said per directory and paths; a ValidationError when it is not a work tree (asked once, too). */
const cache = new Map<string, GitState | ValidationError>();

/**
 * Reads the last commit that changed `paths` (relative to `dir`), its date, and whether the
 * paths have uncommitted changes. In a monorepo, a commit to another service changes none of
 * this. Memoized per directory and paths, so a thousand images built from one module ask git
 * once — and a thousand images outside any repository (with explicit tags) do not start git
 * a thousand times to hear "not a repository".
 *
 * @param paths the image's inputs, see `ModuleLayout.inputs`
 * @throws ValidationError when `dir` is not in a git work tree, or no commit touched the paths
 */
export function gitState(dir: string, paths: readonly string[] = ['.']): GitState {
  const abs = path.resolve(dir);
  const key = `${abs}\0${paths.join('\0')}`;
  const hit = cache.get(key);
  if (hit instanceof ValidationError) {
    throw hit;
  }
  if (hit) {
    return hit;
  }
  const git = (...args: string[]): string => execFileSync('git', args, { cwd: abs, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  let state: GitState;
  try {
    const [commit, epoch] = git('log', '-1', '--format=%H %ct', '--', ...paths).split(' ');
    if (!/^[0-9a-f]{40,64}$/.test(commit)) {
      throw new Error('no commit touched the paths');
    }
    if (shallowBoundary(abs, git).has(commit)) {
      throw ValidationError.invalid('tag', undefined,
        `cannot derive a tag: ${abs} is in a shallow clone, and the last commit git sees touching ${paths.join(', ')} is ${commit.slice(0, 12)}, where the fetched history ends; the real last change may be older, and every new commit would retag and roll out the image`,
        'fetch the history (`git fetch --unshallow`; in GitHub Actions `fetch-depth: 0` on actions/checkout, which `goship ci` writes), or tag without history: tag: ImageTag.inputDigest()');
    }
    const dirty = git('status', '--porcelain', '--untracked-files=normal', '--', ...paths).length > 0;
    const time = new Date(Number(epoch) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    state = { commit, commitDate: time.slice(0, 10).replace(/-/g, ''), commitTime: time, dirty, sourceUrl: origin(abs, git) };
  } catch (e) {
    const error = e instanceof ValidationError ? e : ValidationError.invalid('tag', undefined, `cannot derive a tag: ${abs} is not in a git work tree with a commit that touched ${paths.join(', ')}`, "commit the code, or set tag explicitly, e.g. tag: 'v1.4.2'");
    cache.set(key, error);
    throw error;
  }
  cache.set(key, state);
  return state;
}

/**
 * The commits where a shallow clone's history ends (`.git/shallow`), empty for a full clone. git
 * treats each as a root commit that adds every file, so `git log -1 -- paths` can name one of
 * them for paths whose real last change is older.
 */
function shallowBoundary(dir: string, git: (...args: string[]) => string): ReadonlySet<string> {
  let hit = shallows.get(dir);
  if (!hit) {
    // One call per repository: the shallow file's path, which exists only in a shallow clone.
    const file = path.resolve(dir, git('rev-parse', '--git-path', 'shallow'));
    hit = fs.existsSync(file) ? new Set(fs.readFileSync(file, 'utf8').split('\n').map((l) => l.trim()).filter(Boolean)) : new Set();
    shallows.set(dir, hit);
  }
  return hit;
}

/** Where each directory's shallow clone ends (empty for a full clone). */
const shallows = new Map<string, ReadonlySet<string>>();

/** Forgets what {@link gitState} read (for tests that change a repository). */
export function clearGitCache(): void {
  cache.clear();
  origins.clear();
  shallows.clear();
}

/** `origin` per directory: the same for every input set in it. */
const origins = new Map<string, string | undefined>();

function origin(dir: string, git: (...args: string[]) => string): string | undefined {
  if (!origins.has(dir)) {
    origins.set(dir, originUrl(git));
  }
  return origins.get(dir);
}

function originUrl(git: (...args: string[]) => string): string | undefined {
  let url: string;
  try {
    url = git('config', '--get', 'remote.origin.url');
  } catch {
    return undefined;
  }
  const scp = /^[\w.-]+@([\w.-]+):(.+?)(\.git)?$/.exec(url);
  if (scp) {
    return `https://${scp[1]}/${scp[2]}`;
  }
  try {
    const u = new URL(url);
    if (u.protocol !== 'https:' && u.protocol !== 'http:' && u.protocol !== 'ssh:') {
      return undefined;
    }
    return `https://${u.host.replace(/:\d+$/, '')}${u.pathname.replace(/\.git$/, '')}`;
  } catch {
    return undefined;
  }
}
