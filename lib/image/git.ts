import { execFileSync } from 'child_process';
import * as path from 'path';
import { ValidationError } from '../model/errors';

/** The git facts an image is tagged and labelled with. */
export interface GitState {
  /** Full commit hash of HEAD. */
  readonly commit: string;
  /** Commit date of HEAD (UTC), as `yyyymmdd`. */
  readonly commitDate: string;
  /** True when the directory has uncommitted changes (tracked or untracked). */
  readonly dirty: boolean;
  /** `origin` as an https URL without credentials, if there is one. */
  readonly sourceUrl?: string;
}

/** What git said per directory; a ValidationError when it is not a work tree (asked once, too). */
const cache = new Map<string, GitState | ValidationError>();

/**
 * Reads HEAD, its date and the dirty state of `dir` from git. Memoized per directory, so a
 * thousand images built from one repository ask git once — and a thousand images outside any
 * repository (with explicit tags) do not start git a thousand times to hear "not a repository".
 *
 * @throws ValidationError when `dir` is not in a git work tree
 */
export function gitState(dir: string): GitState {
  const abs = path.resolve(dir);
  const hit = cache.get(abs);
  if (hit instanceof ValidationError) {
    throw hit;
  }
  if (hit) {
    return hit;
  }
  const git = (...args: string[]): string => execFileSync('git', args, { cwd: abs, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  let state: GitState;
  try {
    const [commit, epoch] = git('log', '-1', '--format=%H %ct').split(' ');
    const dirty = git('status', '--porcelain', '--untracked-files=normal', '--', '.').length > 0;
    state = { commit, commitDate: yyyymmdd(Number(epoch)), dirty, sourceUrl: originUrl(git) };
  } catch {
    const error = ValidationError.invalid('tag', undefined, `cannot derive a tag: ${abs} is not in a git work tree with a commit`, "commit the code, or set tag explicitly, e.g. tag: 'v1.4.2'");
    cache.set(abs, error);
    throw error;
  }
  cache.set(abs, state);
  return state;
}

/** Forgets what {@link gitState} read (for tests that change a repository). */
export function clearGitCache(): void {
  cache.clear();
}

function yyyymmdd(epochSeconds: number): string {
  return new Date(epochSeconds * 1000).toISOString().slice(0, 10).replace(/-/g, '');
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
