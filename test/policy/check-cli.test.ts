import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { run } from '../../lib/cli/check';
import { CliIo, main } from '../../lib/cli/main';
import { POLICY_RULES } from '../../lib/policy';
import { GOOD_DOCKERFILE, PINNED_DOCKERFILE, sampleRepo, tree } from './fixtures';

/** Captures what a command writes. */
function capture(): CliIo & { stdout: () => string; stderr: () => string } {
  const out: string[] = [];
  const err: string[] = [];
  return { out: (t) => out.push(t), err: (t) => err.push(t), stdout: () => out.join('\n'), stderr: () => err.join('\n') };
}

describe('goship check', () => {
  let repo: string;
  beforeAll(() => {
    repo = sampleRepo();
  });
  afterAll(() => fs.rmSync(repo, { recursive: true }));

  test('prints each finding under its file and object, counts them, and exits 1 on an error', async () => {
    const io = capture();
    expect(await run([repo], io)).toBe(1);
    const out = io.stdout();
    expect(out).toContain([
      'deploy/hello-svc.yml  Service/hello',
      '  error   service/target-port',
      "          port 'http' (80) targets 'web', which no container of Deployment/hello declares (8080 'http') — traffic goes to a port the process does not listen on (or a name that does not resolve): requests fail although the pods are ready — set targetPort to the name or number of the container port",
    ].join('\n'));
    expect(out).toContain('Dockerfile:11\n  error   dockerfile/non-root-user\n          the final stage sets no USER — ');
    expect(out.split('\n').pop()).toBe('4 errors, 2 warnings, 9 files checked');
    expect(io.stderr()).toBe('');
  });

  test('exits 0 when there are only warnings', async () => {
    const dir = tree({ Dockerfile: GOOD_DOCKERFILE });
    const io = capture();
    expect(await run([dir], io)).toBe(0);
    expect(io.stdout().split('\n').pop()).toBe('0 errors, 1 warning, 1 file checked');
    fs.rmSync(dir, { recursive: true });
  });

  test('exits 0 and says so when nothing is found', async () => {
    const dir = tree({ 'a/Dockerfile': PINNED_DOCKERFILE });
    const io = capture();
    expect(await run([dir], io)).toBe(0);
    expect(io.stdout()).toBe('no findings, 1 file checked');
    fs.rmSync(dir, { recursive: true });
  });

  test('--json prints counts and findings', async () => {
    const io = capture();
    expect(await run(['--json', repo], io)).toBe(1);
    const report = JSON.parse(io.stdout());
    expect(report).toMatchObject({ errors: 4, warnings: 2 });
    expect(report.findings).toHaveLength(6);
    expect(report.findings[0]).toEqual({
      rule: 'dockerfile/pinned-builder-image', severity: 'warning', file: 'Dockerfile', line: 2, message: expect.stringContaining("stage 'build' uses 'golang:1.19'"),
    });
  });

  test('--skip leaves rules out (repeated or comma-separated)', async () => {
    const io = capture();
    expect(await run([repo, '--skip', 'dockerfile/non-root-user', '--skip=service/target-port,yaml/syntax,dockerfile/exec-form-no-shell', '--json'], io)).toBe(0);
    expect(JSON.parse(io.stdout())).toMatchObject({ errors: 0, warnings: 2 });
  });

  test('checks a single file', async () => {
    const io = capture();
    expect(await run([path.join(repo, 'worker.Dockerfile')], io)).toBe(1);
    expect(io.stdout()).toMatch(/^worker\.Dockerfile:16\n {2}error {3}dockerfile\/exec-form-no-shell\n/);
  });

  test.each([
    ['no folder is given', [], /no folder given/],
    ['the folder does not exist', [path.join(os.tmpdir(), 'goship-no-such-folder')], /does not exist/],
    ['an option is unknown', ['--fix', '.'], /unknown option '--fix'/],
    ['a skipped rule does not exist', ['--skip', 'pss/nope', '.'], /skip: 'pss\/nope' — not a policy rule/],
    ['--skip has no value', ['.', '--skip'], /--skip needs a rule id/],
    ['two folders are given', ['a', 'b'], /one folder or file, got 2/],
  ])('fails with exit code 2 if %s', async (_what, args, message) => {
    const io = capture();
    expect(await run(args as string[], io)).toBe(2);
    expect(io.stderr()).toMatch(message);
    expect(io.stdout()).toBe('');
  });

  test('fails with exit code 2 if the folder has nothing to check', async () => {
    const dir = tree({ 'README.md': '# hi\n' });
    const io = capture();
    expect(await run([dir], io)).toBe(2);
    expect(io.stderr()).toMatch(/no YAML file or Dockerfile under/);
    fs.rmSync(dir, { recursive: true });
  });

  test('--help and --list-rules', async () => {
    const help = capture();
    expect(await run(['--help'], help)).toBe(0);
    expect(help.stdout()).toMatch(/^usage: goship check <dir\|file>/);
    const list = capture();
    expect(await run(['--list-rules'], list)).toBe(0);
    expect(list.stdout().split('\n')).toHaveLength(POLICY_RULES.length);
    expect(list.stdout()).toMatch(/^pss-baseline\/privileged +error +No privileged containers\.$/m);
  });

  test('the goship dispatcher runs it', async () => {
    const io = capture();
    expect(await main(['check', repo, '--json'], io)).toBe(1);
    expect(JSON.parse(io.stdout()).errors).toBe(4);
    const help = capture();
    await main(['--help'], help);
    expect(help.stdout()).toMatch(/^ {2}check +check Kubernetes YAML and Dockerfiles against the policy rules$/m);
  });
});
