import { CliIo, main } from '../../lib/cli/main';

/** What {@link runCli} saw. */
export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs goship's CLI in this process, from `cwd` when given (the working folder is restored
 * after), and returns its exit code and output; a thrown error counts as exit 1, its message
 * on stderr.
 */
export async function runCli(args: string[], cwd?: string): Promise<CliRun> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { out: (t) => out.push(t), err: (t) => err.push(t) };
  const before = process.cwd();
  if (cwd !== undefined) {
    process.chdir(cwd);
  }
  try {
    const code = await main(args, io).catch((e: Error) => {
      err.push(e.message);
      return 1;
    });
    return { code, stdout: out.join('\n'), stderr: err.join('\n') };
  } finally {
    process.chdir(before);
  }
}
