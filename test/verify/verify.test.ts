import * as fs from 'fs';
import { Platform } from '../../lib/model/platform';
import { verifyBinary, VerifyReport } from '../../lib/verify/verify';
import { buildElf, goBuildInfoBlob, sampleModInfo } from '../inspect/elf-builder';
import { describeWithGo, GoBinaries, goBinaries } from './go-binaries';

const codes = (r: VerifyReport): string[] => r.findings.map((f) => `${f.severity}:${f.code}`);
const goBinary = (settings: Record<string, string>, spec: Parameters<typeof buildElf>[0] = {}): Uint8Array =>
  buildElf({ ...spec, goBuildInfo: goBuildInfoBlob('go1.22.0', sampleModInfo({ GOOS: 'linux', ...settings })) });

describe('verifyBinary', () => {
  it('GIVEN a static Go binary for the platform WHEN verified THEN it is ok with no findings', () => {
    const report = verifyBinary(goBinary({ CGO_ENABLED: '0', GOARCH: 'amd64' }), { platform: Platform.LINUX_AMD64 });

    expect(report.ok).toBe(true);
    expect(report.findings).toEqual([]);
    expect(report.buildInfo?.goVersion).toBe('go1.22.0');
  });

  it('fails if the binary is dynamically linked, explaining the exec error and the fix', () => {
    const report = verifyBinary(goBinary({ CGO_ENABLED: '1' }, { interpreter: '/lib64/ld-linux-x86-64.so.2', needed: ['libc.so.6'] }));

    expect(report.ok).toBe(false);
    expect(report.findings).toEqual([{
      severity: 'error',
      code: 'dynamically-linked',
      message: 'dynamically linked: needs /lib64/ld-linux-x86-64.so.2 (libc.so.6) — it will fail in a scratch image with `exec /app: no such file or directory` — build with CGO_ENABLED=0',
    }]);
  });

  it('fails if a -buildmode=pie binary names an interpreter, even without libraries', () => {
    const report = verifyBinary(goBinary({ CGO_ENABLED: '0' }, { type: 3, interpreter: '/lib64/ld-linux-x86-64.so.2', dynamicSegment: true }), { runtime: 'distroless', path: '/server' });

    expect(report.findings[0].message).toBe(
      'dynamically linked: needs /lib64/ld-linux-x86-64.so.2 — it will fail in a distroless image with `exec /server: no such file or directory` — build without -buildmode=pie, with CGO_ENABLED=0');
  });

  test.each([
    ['alpine', '/lib/ld-musl-x86_64.so.1', 'warning'],
    ['alpine', '/lib64/ld-linux-x86-64.so.2', 'error'],
    ['debian', '/lib64/ld-linux-x86-64.so.2', 'warning'],
    ['distroless-base', '/lib/ld-musl-x86_64.so.1', 'error'],
    ['scratch', '/lib/ld-musl-x86_64.so.1', 'error'],
  ] as const)('GIVEN a %s runtime and a binary needing %s WHEN verified THEN it is a %s', (runtime, interpreter, severity) => {
    const libc = interpreter.includes('musl') ? 'libc.musl-x86_64.so.1' : 'libc.so.6';
    const report = verifyBinary(buildElf({ interpreter, needed: [libc] }), { runtime });

    expect(report.findings.find((f) => f.code === 'dynamically-linked')?.severity).toBe(severity);
  });

  test.each([
    ['debian', ['libc.so.6', 'libgpgme.so.11', 'libz.so.1'], ['libgpgme.so.11']],
    ['distroless-base', ['libc.so.6', 'libssl.so.3', 'libstdc++.so.6'], ['libstdc++.so.6']],
    ['alpine', ['libc.musl-x86_64.so.1', 'libsqlite3.so.0'], ['libsqlite3.so.0']],
  ] as const)('fails if a %s runtime lacks a DT_NEEDED library, naming it and the loader error', (runtime, needed, missing) => {
    // GIVEN a binary whose loader the base has, but not every library it needs
    const interpreter = runtime === 'alpine' ? '/lib/ld-musl-x86_64.so.1' : '/lib64/ld-linux-x86-64.so.2';
    const report = verifyBinary(buildElf({ interpreter, needed: [...needed] }), { runtime, path: '/usr/bin/buildah' });
    // THEN it is not OK, and the message says what the loader will say
    expect(report.ok).toBe(false);
    expect(report.findings.filter((f) => f.code !== 'no-go-build-info')).toEqual([{
      severity: 'error',
      code: 'missing-library',
      message: `dynamically linked: needs ${interpreter} (${needed.join(', ')}), and a ${runtime} image lacks ${missing.join(', ')} — the loader stops it with \`error while loading shared libraries: ${missing[0]}: cannot open shared object file\` — install it in the image and verify the image, or build with CGO_ENABLED=0`,
    }]);
  });

  test('a glibc binary needing only libraries debian:12 has is a warning there', () => {
    const report = verifyBinary(buildElf({ interpreter: '/lib64/ld-linux-x86-64.so.2', needed: ['libpthread.so.0', 'libc.so.6', 'libgcc_s.so.1', 'libstdc++.so.6'] }), { runtime: 'debian' });
    expect(report.ok).toBe(true);
    expect(report.findings.map((f) => `${f.severity} ${f.code}`)).toEqual(['warning no-go-build-info', 'warning dynamically-linked']);
  });

  it('fails if the architecture differs from the platform, naming both and the GOARCH to use', () => {
    const report = verifyBinary(goBinary({ GOARCH: 'arm64', CGO_ENABLED: '0' }, { machine: 183 }), { platform: Platform.LINUX_AMD64 });

    expect(report.ok).toBe(false);
    expect(report.findings).toEqual([{
      severity: 'error',
      code: 'wrong-arch',
      message: '/app is built for linux/arm64 (64-bit little-endian), but the platform is linux/amd64 — it will fail with `exec format error`; build with CGO_ENABLED=0 GOOS=linux GOARCH=amd64',
    }]);
  });

  it('fails if a 32-bit arm binary is checked against arm64', () => {
    const report = verifyBinary(buildElf({ bits: 32, machine: 40 }), { platform: Platform.LINUX_ARM64 });

    expect(codes(report)).toContain('error:wrong-arch');
  });

  it('fails if GOARM is newer than the platform variant', () => {
    const report = verifyBinary(goBinary({ GOARCH: 'arm', GOARM: '7' }, { bits: 32, machine: 40 }), { platform: Platform.LINUX_ARM_V6 });

    expect(report.findings.map((f) => f.message)).toContainEqual(expect.stringMatching(/GOARM=7, but the platform is linux\/arm\/v6 .* build with GOARM=6/));
  });

  it('GIVEN GOARM=6 on linux/arm/v7 WHEN verified THEN it is ok (v6 code runs on v7)', () => {
    expect(verifyBinary(goBinary({ GOARCH: 'arm', GOARM: '6' }, { bits: 32, machine: 40 }), { platform: Platform.LINUX_ARM_V7 }).ok).toBe(true);
  });

  it('GIVEN GOAMD64=v3 on plain linux/amd64 WHEN verified THEN it warns', () => {
    expect(codes(verifyBinary(goBinary({ GOARCH: 'amd64', GOAMD64: 'v3' }), { platform: Platform.LINUX_AMD64 }))).toEqual(['warning:amd64-level']);
  });

  it('fails if the ELF machine is not a Go Linux architecture', () => {
    expect(codes(verifyBinary(buildElf({ machine: 2 })))).toEqual(['error:unknown-arch', 'warning:no-go-build-info']);
  });

  it('fails if the binary is for another OS, by OS/ABI or by GOOS', () => {
    expect(codes(verifyBinary(buildElf({ osAbi: 9 })))).toContain('error:not-linux');
    const freebsdGo = buildElf({ goBuildInfo: goBuildInfoBlob('go1.22.0', sampleModInfo({ GOOS: 'freebsd' })) });
    expect(verifyBinary(freebsdGo).findings[0].message).toMatch(/built for GOOS=freebsd, not Linux/);
  });

  it('fails if the input is not ELF, with the reason', () => {
    const report = verifyBinary(Buffer.from('#!/bin/sh\nexec server\n'), { path: '/entrypoint.sh' });

    expect(report.ok).toBe(false);
    expect(report.elf).toBeUndefined();
    expect(report.findings[0]).toMatchObject({ code: 'not-elf', message: expect.stringMatching(/^\/entrypoint.sh is not a Linux executable: not an ELF file: it is a script \(#!\/bin\/sh\)/) });
  });

  it('fails if it is a relocatable object, not an executable', () => {
    expect(codes(verifyBinary(buildElf({ type: 1 })))).toContain('error:not-executable');
  });

  it('GIVEN a static binary built with CGO_ENABLED=1 WHEN verified THEN it warns but passes', () => {
    const report = verifyBinary(goBinary({ CGO_ENABLED: '1' }));

    expect(report.ok).toBe(true);
    expect(codes(report)).toEqual(['warning:cgo-enabled']);
  });

  it('GIVEN a binary without Go build info WHEN verified THEN it warns that those checks were skipped', () => {
    expect(codes(verifyBinary(buildElf()))).toEqual(['warning:no-go-build-info']);
  });

  it('GIVEN pre-1.18 build info WHEN verified THEN it warns it is unsupported', () => {
    const report = verifyBinary(buildElf({ goBuildInfo: goBuildInfoBlob('go1.16', '', { inline: false }) }));

    expect(report.findings[0]).toMatchObject({ severity: 'warning', code: 'go-build-info-unreadable', message: expect.stringMatching(/unsupported Go < 1.18/) });
  });

  it('lists errors before warnings', () => {
    const report = verifyBinary(buildElf({ interpreter: '/lib/ld.so', osAbi: 9 }));

    expect(report.findings.map((f) => f.severity)).toEqual(['error', 'error', 'warning']);
  });
});

describeWithGo('verifyBinary on real Go binaries', () => {
  let bins: GoBinaries;
  beforeAll(() => {
    bins = goBinaries();
  }, 15 * 60 * 1000);
  const verify = (file: string, platform?: Platform): VerifyReport => verifyBinary(fs.readFileSync(file), { platform });

  test.each([
    ['amd64', Platform.LINUX_AMD64],
    ['arm64', Platform.LINUX_ARM64],
    ['armv7', Platform.LINUX_ARM_V7],
    ['s390x', Platform.LINUX_S390X],
  ] as const)('GIVEN the static %s build WHEN verified for %s THEN it passes without findings', (name, platform) => {
    expect(verify(bins[name], platform).findings).toEqual([]);
  });

  it('fails if the cgo build is verified for scratch', () => {
    const report = verify(bins.cgo, Platform.LINUX_AMD64);

    expect(report.ok).toBe(false);
    expect(report.findings[0].message).toMatch(/^dynamically linked: needs \/lib64\/ld-linux-x86-64.so.2 \(libc.so.6\) — it will fail in a scratch image with `exec \/app: no such file or directory` — build with CGO_ENABLED=0$/);
  });

  it('fails if the pie build is verified for scratch', () => {
    expect(codes(verify(bins.pie))).toEqual(['error:dynamically-linked']);
  });

  it('fails if the arm64 build is verified for linux/amd64', () => {
    expect(codes(verify(bins.arm64, Platform.LINUX_AMD64))).toEqual(['error:wrong-arch']);
  });
});
