import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CliIo, main } from '../../lib/cli/main';
import { buildElf, goBuildInfoBlob, sampleModInfo } from '../inspect/elf-builder';
import { describeWithGo, GoBinaries, goBinaries } from '../verify/go-binaries';
import { layerTar, ociLayout, writeDir } from '../verify/image-builder';

const REPO = path.join(__dirname, '..', '..');
const STATIC = buildElf({ goBuildInfo: goBuildInfoBlob('go1.22.0', sampleModInfo({ CGO_ENABLED: '0', GOARCH: 'amd64', GOOS: 'linux' })) });
const DYNAMIC = buildElf({ interpreter: '/lib64/ld-linux-x86-64.so.2', needed: ['libc.so.6'], goBuildInfo: goBuildInfoBlob('go1.22.0', sampleModInfo({ CGO_ENABLED: '1', GOARCH: 'amd64', GOOS: 'linux' })) });

let tmp: string;
beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'goship-cli-verify-'));
});
afterEach(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

async function goship(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { out: (t) => out.push(t), err: (t) => err.push(t) };
  const code = await main(args, io);
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

function file(name: string, bytes: Uint8Array): string {
  const p = path.join(tmp, name);
  fs.writeFileSync(p, bytes, { mode: 0o755 });
  return p;
}

describe('goship verify', () => {
  it('GIVEN a static binary WHEN verified THEN it prints the facts and exits 0', async () => {
    const r = await goship('verify', file('app', STATIC));

    expect(r.code).toBe(0);
    expect(r.stdout.replace(tmp, '<tmp>')).toBe([
      `<tmp>/app: binary, ${STATIC.length} bytes`,
      '  format      ELF 64-bit little-endian EXEC',
      '  arch        linux/amd64',
      '  linking     static',
      '  go          go1.22.0',
      '  module      example.com/hello (devel)',
      '  package     example.com/hello',
      '  CGO_ENABLED 0',
      'OK (0 errors, 0 warnings)',
    ].join('\n'));
  });

  it('fails if the binary is dynamically linked, printing why, and exits 1', async () => {
    const r = await goship('verify', file('app', DYNAMIC));

    expect(r.code).toBe(1);
    expect(r.stdout).toContain('  linking     dynamic (interpreter /lib64/ld-linux-x86-64.so.2, needs libc.so.6)');
    expect(r.stdout).toContain('  ERROR dynamically-linked: dynamically linked: needs /lib64/ld-linux-x86-64.so.2 (libc.so.6) — it will fail in a scratch image with `exec /app: no such file or directory` — build with CGO_ENABLED=0');
    expect(r.stdout.split('\n').pop()).toBe('FAIL (1 error, 0 warnings)');
  });

  it('GIVEN --runtime debian WHEN a glibc binary is verified THEN it only warns and exits 0', async () => {
    const r = await goship('verify', file('app', DYNAMIC), '--runtime', 'debian');

    expect(r.code).toBe(0);
    expect(r.stdout).toContain('WARN  dynamically-linked');
  });

  it('fails if --runtime debian lacks a library the binary needs (DT_NEEDED), with exit 1', async () => {
    const needsGpgme = buildElf({ interpreter: '/lib64/ld-linux-x86-64.so.2', needed: ['libgpgme.so.11', 'libc.so.6'], goBuildInfo: goBuildInfoBlob('go1.22.0', sampleModInfo({ CGO_ENABLED: '1', GOARCH: 'amd64', GOOS: 'linux' })) });
    const r = await goship('verify', file('app', needsGpgme), '--runtime', 'debian');

    expect(r.code).toBe(1);
    expect(r.stdout).toContain('ERROR missing-library: dynamically linked: needs /lib64/ld-linux-x86-64.so.2 (libgpgme.so.11, libc.so.6), and a debian image lacks libgpgme.so.11');
  });

  it('fails if the platform differs, with exit 1', async () => {
    const r = await goship('verify', file('app', STATIC), '--platform', 'linux/arm64');

    expect(r.code).toBe(1);
    expect(r.stdout).toContain('ERROR wrong-arch: /app is built for linux/amd64 (64-bit little-endian), but the platform is linux/arm64');
  });

  it('GIVEN --json WHEN verified THEN it prints the report as JSON without the header tables', async () => {
    const r = await goship('verify', file('app', DYNAMIC), '--json');
    const json = JSON.parse(r.stdout);

    expect(r.code).toBe(1);
    expect(json).toMatchObject({ kind: 'binary', ok: false, elf: { dynamic: true, interpreter: '/lib64/ld-linux-x86-64.so.2', needed: ['libc.so.6'] } });
    expect(json.findings.map((f: { code: string }) => f.code)).toEqual(['dynamically-linked']);
    expect(json.elf.sections).toBeUndefined();
    expect(json.buildInfo.settings.CGO_ENABLED).toBe('1');
  });

  it('GIVEN an OCI layout WHEN verified THEN it prints the entrypoint and user of each image', async () => {
    const layer = await layerTar([{ path: 'app', content: STATIC }]);
    const dir = writeDir(tmp, ociLayout([{ platform: { os: 'linux', architecture: 'amd64' }, config: { Entrypoint: ['/app'] }, layers: [layer] }]));

    const r = await goship('verify', dir);

    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^.*: oci-layout, 1 image checked\nimage linux\/amd64 \(sha256:[0-9a-f]{64}\)\n  entrypoint  \["\/app"\]\n  user        \(unset: root\)\n/);
    expect(r.stdout).toContain('  ERROR runs-as-root: the image runs as root: no User is set, so it runs as root');
  });

  it('fails if a non-ELF file is given, saying what it is', async () => {
    const r = await goship('verify', file('run.sh', Buffer.from('#!/bin/sh\nexec /app\n')));

    expect(r.code).toBe(1);
    expect(r.stdout).toContain('ERROR not-elf: /app is not a Linux executable: not an ELF file: it is a script (#!/bin/sh)');
  });

  test.each([
    [[], /nothing to verify/],
    [['a', 'b'], /one input at a time \(got 2\)/],
    [['x', '--platform', 'linux/sparc'], /--platform: 'linux\/sparc' — 'sparc' is not a Go architecture/],
    [['x', '--platform', 'windows/amd64'], /GOOS 'windows' is not linux/],
    [['x', '--runtime', 'gentoo'], /--runtime: 'gentoo' is not one of scratch, distroless/],
    [['x', '--frobnicate'], /Unknown option '--frobnicate'/],
  ])('fails if the arguments are %j, with usage and exit 2', async (args, message) => {
    const r = await goship('verify', ...args);

    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).toContain('usage: goship verify');
  });

  it('fails if the input does not exist, with exit 1', async () => {
    const r = await goship('verify', path.join(tmp, 'missing'));

    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^goship verify: ENOENT: no such file or directory/);
  });
});

describe('bin/goship.js', () => {
  const run = (...args: string[]): ReturnType<typeof spawnSync> => spawnSync(process.execPath, [path.join(REPO, 'bin', 'goship.js'), ...args], { encoding: 'utf8' });

  it('is executable and starts with a node shebang', () => {
    const bin = path.join(REPO, 'bin', 'goship.js');
    expect(fs.readFileSync(bin, 'utf8').split('\n')[0]).toBe('#!/usr/bin/env node');
    expect(fs.statSync(bin).mode & 0o111).not.toBe(0);
  });

  it('GIVEN a static and a dynamic binary WHEN run as a process THEN the exit codes are 0 and 1', () => {
    expect(run('verify', file('static', STATIC)).status).toBe(0);
    const dynamic = run('verify', file('dynamic', DYNAMIC));
    expect(dynamic.status).toBe(1);
    expect(dynamic.stdout).toContain('exec /app: no such file or directory');
  });

  it('fails if the command is unknown, with exit 2', () => {
    const r = run('frobnicate');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("goship: unknown command 'frobnicate'");
  });
});

describeWithGo('goship verify on real Go binaries', () => {
  let bins: GoBinaries;
  beforeAll(() => {
    bins = goBinaries();
  }, 15 * 60 * 1000);

  it('GIVEN the static amd64 build WHEN verified THEN it passes with its Go facts', async () => {
    const r = await goship('verify', bins.amd64, '--platform', 'linux/amd64');

    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/\n {2}linking {5}static\n {2}go {10}go1\.\d+/);
    expect(r.stdout).toContain(`  vcs         ${bins.revision}`);
  });

  it('fails if the cgo build is verified, with the interpreter it needs', async () => {
    const r = await goship('verify', bins.cgo);

    expect(r.code).toBe(1);
    expect(r.stdout).toContain('  CGO_ENABLED 1');
    expect(r.stdout).toContain('needs /lib64/ld-linux-x86-64.so.2 (libc.so.6) — it will fail in a scratch image with `exec /app: no such file or directory` — build with CGO_ENABLED=0');
  });

  it('GIVEN the arm/v7 build WHEN verified for linux/arm/v7 THEN it shows GOARM and passes', async () => {
    const r = await goship('verify', bins.armv7, '--platform', 'linux/arm/v7');

    expect(r.code).toBe(0);
    expect(r.stdout).toContain('  arch        linux/arm, GOARM=7');
    expect(r.stdout).toContain('  format      ELF 32-bit little-endian EXEC');
  });
});
