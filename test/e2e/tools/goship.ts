import * as path from 'path';
import { REPO_ROOT, run, RunResult } from './process';

/** `node bin/goship.js verify …`: exit code and output (does not throw on exit 1). */
export function goshipVerify(args: readonly string[]): Promise<RunResult> {
  return run(process.execPath, [path.join(REPO_ROOT, 'bin', 'goship.js'), 'verify', ...args], { allowFailure: true, timeoutMs: 120_000 });
}
