import * as path from 'path';
import { REPO_ROOT, run, RunOptions, RunResult } from './process';

/** `node bin/goship.js <args>`: exit code and output (does not throw on a non-zero exit). */
export function goship(args: readonly string[], options: Pick<RunOptions, 'cwd' | 'env'> = {}): Promise<RunResult> {
  return run(process.execPath, [path.join(REPO_ROOT, 'bin', 'goship.js'), ...args], { ...options, allowFailure: true, timeoutMs: 120_000 });
}

/** `node bin/goship.js verify …`: exit code and output (does not throw on exit 1). */
export function goshipVerify(args: readonly string[]): Promise<RunResult> {
  return goship(['verify', ...args]);
}
