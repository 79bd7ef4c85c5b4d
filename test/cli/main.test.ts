import * as fs from 'fs';
import * as path from 'path';
import { CliIo, COMMANDS, main } from '../../lib/cli/main';

function capture(): CliIo & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (t) => stdout.push(t), err: (t) => stderr.push(t) };
}

describe('goship (dispatcher)', () => {
  it('GIVEN --help WHEN run THEN it lists the commands and exits 0', async () => {
    const io = capture();

    expect(await main(['--help'], io)).toBe(0);
    expect(io.stdout.join('\n')).toMatch(/^usage: goship <command> \[arguments\]/);
    expect(io.stdout.join('\n')).toContain('  verify   check a Go binary or image is static');
    expect(io.stdout.join('\n')).toContain('  publish  build every image with go and push it without Docker');
  });

  it('GIVEN a leading -- (as `npx goship -- --help` passes it) WHEN run THEN it is ignored', async () => {
    const io = capture();

    expect(await main(['--', '--help'], io)).toBe(0);
    expect(io.stdout.join('\n')).toMatch(/^usage: goship <command> \[arguments\]/);
  });

  it('fails if the command is unknown, with usage and exit code 2', async () => {
    const io = capture();

    expect(await main(['deploy'], io)).toBe(2);
    expect(io.stderr[0]).toBe("goship: unknown command 'deploy'");
    expect(io.stderr[1]).toMatch(/^usage: goship/);
  });

  it('fails if no command is given, with exit code 2', async () => {
    const io = capture();

    expect(await main([], io)).toBe(2);
    expect(io.stderr[0]).toBe('goship: no command given');
  });

  it('fails if the command names an object property rather than a command', async () => {
    expect(await main(['toString'], capture())).toBe(2);
  });

  it('GIVEN --version WHEN run THEN it prints the package version', async () => {
    const io = capture();

    expect(await main(['--version'], io)).toBe(0);
    expect(io.stdout).toEqual([JSON.parse(fs.readFileSync(path.join(__dirname, '../../package.json'), 'utf8')).version]);
  });

  it('GIVEN a command that throws WHEN run THEN it reports the error and exits 1', async () => {
    const io = capture();
    const commands = COMMANDS as Record<string, (typeof COMMANDS)[string]>;
    commands.boom = { summary: 'fails', load: async () => ({ run: async () => { throw new Error('it broke'); } }) };
    try {
      expect(await main(['boom'], io)).toBe(1);
      expect(io.stderr).toEqual(['goship boom: it broke']);
    } finally {
      delete commands.boom;
    }
  });
});
