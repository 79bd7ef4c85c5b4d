/** Running commands: no shell, bounded time, errors that carry what the command printed. */
import { ChildProcess, execFile } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

/** The repository root (for scripts/ and bin/). */
export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');

let seq = 0;

/** `prefix-<pid>-<n>`: unique on this machine while this process lives. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${process.pid}-${++seq}`;
}

/** A failed command, with what it printed. */
export class CommandError extends Error {
  public constructor(
    public readonly command: readonly string[],
    public readonly exitCode: number | null,
    public readonly stdout: string,
    public readonly stderr: string,
    cause?: string,
  ) {
    super(`\`${command.join(' ')}\` ${cause ?? `exited with ${exitCode}`}\n${tail(stderr || stdout, 40)}`);
    this.name = 'CommandError';
  }
}

/** Options of {@link run}. */
export interface RunOptions {
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** @default 10 minutes */
  readonly timeoutMs?: number;
  /** Resolve with the result instead of throwing when the exit code is not 0. @default false */
  readonly allowFailure?: boolean;
}

/** What a command printed and how it ended. */
export interface RunResult {
  readonly stdout: string;
  readonly stderr: string;
  readonly exitCode: number;
}

/** Runs a command without a shell; throws a {@link CommandError} (with its stderr) when it fails. */
export function run(file: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const command = [file, ...args];
  return new Promise((resolve, reject) => {
    execFile(file, [...args], {
      cwd: options.cwd,
      env: options.env ?? process.env,
      timeout: options.timeoutMs ?? 10 * 60 * 1000,
      maxBuffer: 64 * 1024 * 1024,
      encoding: 'utf8',
    }, (error, stdout, stderr) => {
      if (!error) {
        resolve({ stdout, stderr, exitCode: 0 });
        return;
      }
      const e = error as NodeJS.ErrnoException & { code?: number | string; killed?: boolean; signal?: string };
      if (typeof e.code === 'string') {
        reject(new CommandError(command, null, stdout, stderr, `could not start: ${e.message}`));
      } else if (e.killed || e.signal) {
        reject(new CommandError(command, null, stdout, stderr, `was killed (${e.signal ?? 'timeout'})`));
      } else if (options.allowFailure) {
        resolve({ stdout, stderr, exitCode: e.code ?? 1 });
      } else {
        reject(new CommandError(command, e.code ?? null, stdout, stderr));
      }
    });
  });
}

/** The last `lines` lines of `text`, indented, for error messages. */
export function tail(text: string, lines: number): string {
  const all = text.trimEnd().split('\n');
  return (all.length > lines ? ['…', ...all.slice(-lines)] : all).map((l) => `  | ${l}`).join('\n');
}

/** The absolute path of a tool on PATH. */
export function which(tool: string): string {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, tool);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  throw new Error(`${tool} is not on PATH`);
}

/** Resolves with the exit code of a spawned child; rejects if it could not start. */
export function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => resolve(code));
  });
}

/** Waits `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
