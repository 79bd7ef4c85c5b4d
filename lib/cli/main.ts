import { readFileSync } from 'fs';
import * as path from 'path';

/** Where a command writes: injected so tests can capture it. */
export interface CliIo {
  /** Writes a line (or lines) to standard output. */
  out(text: string): void;
  /** Writes a line (or lines) to standard error. */
  err(text: string): void;
}

/** A command module (`lib/cli/<name>.ts`) exports `run`. */
export interface CommandModule {
  /**
   * Runs the command with the arguments after its name.
   *
   * @returns the exit code: 0 success, 1 the check failed, 2 bad usage
   */
  run(args: readonly string[], io: CliIo): Promise<number>;
}

/** A command as the dispatcher knows it, loaded only when it is run. */
export interface CommandEntry {
  /** One line for `goship --help`. */
  readonly summary: string;
  /** Loads the module (so `goship verify` never loads cdk8s or Pulumi). */
  readonly load: () => Promise<CommandModule>;
}

/** Every command, one line each: `name: { summary, load: () => import('./name') }`. */
export const COMMANDS: Readonly<Record<string, CommandEntry>> = {
  ci: { summary: 'write the CI workflow that tests, builds, scans, pushes, pins and synthesizes', load: () => import('./ci') },
  check: { summary: 'check Kubernetes YAML and Dockerfiles against the policy rules', load: () => import('./check') },
  publish: { summary: 'build every image with go and push it without Docker; pin the digests', load: () => import('./publish') },
  pin: { summary: 'pin the images in the synthesized YAML to the digests they were pushed as', load: () => import('./pin') },
  sbom: { summary: 'write an SPDX or CycloneDX SBOM from a Go binary or image', load: () => import('./sbom') },
  verify: { summary: 'check a Go binary or image is static, for the right platform and non-root', load: () => import('./verify') },
};

/** The process's stdout and stderr. */
export const processIo: CliIo = {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
};

/** `goship --help`. */
export function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((n) => n.length));
  return [
    'usage: goship <command> [arguments]',
    '',
    'commands:',
    ...Object.keys(COMMANDS).sort().map((name) => `  ${name.padEnd(width)}  ${COMMANDS[name].summary}`),
    '',
    "Run 'goship <command> --help' for a command's arguments.",
  ].join('\n');
}

/**
 * Runs `goship <command> ...`.
 *
 * @param argv the arguments after `goship`
 * @returns the exit code: 0 success, 1 failure, 2 bad usage (unknown command, bad flags)
 * @example
 * process.exitCode = await main(process.argv.slice(2));
 */
export async function main(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  // `npx goship -- --help` passes the `--` through: it only ends npx's own options.
  const [name, ...rest] = argv[0] === '--' ? argv.slice(1) : argv;
  if (name === '--help' || name === '-h' || name === 'help') {
    io.out(usage());
    return 0;
  }
  if (name === '--version') {
    io.out(version());
    return 0;
  }
  const command = name === undefined ? undefined : COMMANDS[name];
  if (!command || !Object.prototype.hasOwnProperty.call(COMMANDS, name)) {
    io.err(name === undefined ? 'goship: no command given' : `goship: unknown command '${name}'`);
    io.err(usage());
    return 2;
  }
  try {
    return await (await command.load()).run(rest, io);
  } catch (e) {
    io.err(`goship ${name}: ${e instanceof Error ? e.message : String(e)}`);
    return 1;
  }
}

/** The package version, read from package.json (two levels up from both lib/cli and out/cli). */
function version(): string {
  const pkg = JSON.parse(readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}
