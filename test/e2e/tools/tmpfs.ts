/**
 * Real small disks for the full-disk suites: tmpfs mounts made for a test, which needs root.
 * Without root the suite is skipped, except under CI=true, where it fails.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { IN_CI } from './prerequisites';

const ROOT = typeof process.getuid === 'function' && process.getuid() === 0;

/** `describe` when running as root; `describe.skip` otherwise, or an error naming `suite` in CI. */
export function describeAsRoot(suite: string): jest.Describe {
  if (!ROOT && IN_CI) {
    throw new Error(`the ${suite} suite mounts a tmpfs and needs root`);
  }
  return ROOT ? describe : describe.skip;
}

/** Mounts a tmpfs of `size` (e.g. `512k`, `1m`) on a new folder named after `prefix`. */
export function mountTmpfs(prefix: string, size: string): string {
  const mount = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', mount]);
  return mount;
}

/** Unmounts a {@link mountTmpfs} mount and removes its folder. */
export function unmountTmpfs(mount: string): void {
  execFileSync('umount', [mount]);
  fs.rmdirSync(mount);
}
