import { parseArgs, ParseArgsConfig } from 'util';
import type { CliIo } from './main';

/** A subcommand's name and usage text, which its messages repeat. */
export interface CommandUsage {
  /** The subcommand, e.g. `pin`. */
  readonly name: string;
  /** The text `--help` prints. */
  readonly usage: string;
}

type Options = NonNullable<ParseArgsConfig['options']>;
const HELP = { help: { type: 'boolean', short: 'h' } } as const;

/** What {@link parseCommand} returns: the subcommand's values and positionals. */
export type ParsedCommand<O extends Options> = ReturnType<typeof parseArgs<{ args: string[]; allowPositionals: true; options: O & typeof HELP }>>;

/**
 * Parses a subcommand's arguments with Node's `util.parseArgs`, plus `--help`/`-h`.
 *
 * Returns the parsed arguments, or the exit code when there is nothing left to do: 0 after
 * printing the usage for `--help`, 2 after an unknown option or a missing value (see
 * {@link usageError}).
 */
export function parseCommand<O extends Options>(command: CommandUsage, args: readonly string[], io: CliIo, options: O): ParsedCommand<O> | number {
  let parsed: ParsedCommand<O>;
  try {
    parsed = parseArgs({ args: [...args], allowPositionals: true, options: { ...options, ...HELP } }) as ParsedCommand<O>;
  } catch (e) {
    return usageError(command, io, (e as Error).message);
  }
  if ((parsed.values as { help?: boolean }).help) {
    io.out(command.usage);
    return 0;
  }
  return parsed;
}

/** Prints `goship <name>: <message>` and the usage to standard error; returns exit code 2. */
export function usageError(command: CommandUsage, io: CliIo, message: string): number {
  io.err(`goship ${command.name}: ${message}`);
  io.err(command.usage);
  return 2;
}
