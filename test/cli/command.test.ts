import { parseCommand } from '../../lib/cli/command';
import type { CliIo } from '../../lib/cli/main';

function recordingIo(): CliIo & { outs: string[]; errs: string[] } {
  const outs: string[] = [];
  const errs: string[] = [];
  return { outs, errs, out: (t: string) => { outs.push(t); }, err: (t: string) => { errs.push(t); } };
}

const COMMAND = { name: 'demo', usage: 'usage: goship demo [--flag] <file>' };

describe('parseCommand', () => {
  test('returns the values and positionals', () => {
    const io = recordingIo();
    const parsed = parseCommand(COMMAND, ['--flag', 'a.txt'], io, { flag: { type: 'boolean' } });
    expect(typeof parsed).toBe('object');
    expect(parsed).toMatchObject({ values: { flag: true }, positionals: ['a.txt'] });
    expect([io.outs, io.errs]).toEqual([[], []]);
  });

  test('--help prints the usage and returns 0', () => {
    const io = recordingIo();
    expect(parseCommand(COMMAND, ['-h'], io, {})).toBe(0);
    expect(io.outs).toEqual([COMMAND.usage]);
  });

  test('fails if an option is unknown: names the command, prints the usage, returns 2', () => {
    const io = recordingIo();
    expect(parseCommand(COMMAND, ['--flga'], io, { flag: { type: 'boolean' } })).toBe(2);
    expect(io.errs[0]).toMatch(/^goship demo: Unknown option '--flga'/);
    expect(io.errs[1]).toBe(COMMAND.usage);
  });
});
