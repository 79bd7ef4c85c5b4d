import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { verifyBinary } from '../../lib/verify/verify';
import { buildCgoWithLibrary } from '../support/cgo-library';
import { describeWithGo } from './go-binaries';

/**
 * A real cgo binary linked against a shared library that no runtime base has (as buildah
 * needs libgpgme): goship verify must say it will not start, and say what the loader says.
 */
describeWithGo('DT_NEEDED libraries of a real cgo binary', () => {
  let dir: string;
  let binary: string;
  beforeAll(() => {
    // GIVEN libgoshipdemo.so.1, built with gcc, and a Go program calling into it
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'goship-needed-'));
    binary = buildCgoWithLibrary(dir).binary;
  }, 180_000);
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('fails for debian:12, naming the library, and the loader says the same when it runs', () => {
    // WHEN verified for a debian runtime
    const report = verifyBinary(fs.readFileSync(binary), { runtime: 'debian' });
    // THEN it is not OK: debian has glibc but not the library
    expect(report.elf?.needed).toContain('libgoshipdemo.so.1');
    expect(report.ok).toBe(false);
    const finding = report.findings.find((f) => f.code === 'missing-library');
    expect(finding?.message).toContain('a debian image lacks libgoshipdemo.so.1 — the loader stops it with `error while loading shared libraries: libgoshipdemo.so.1: cannot open shared object file`');
    // AND the real loader, on this glibc machine without the library on its path, stops it with those words
    const run = spawnSync(binary, [], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } });
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain('error while loading shared libraries: libgoshipdemo.so.1: cannot open shared object file');
  });

  test('passes (with the dynamic-linking warning) where the library is provided', () => {
    const report = verifyBinary(fs.readFileSync(binary), {
      provides: { file: (p) => fs.existsSync(p), library: (name) => name === 'libgoshipdemo.so.1' || ['libc.so.6', 'libpthread.so.0'].includes(name) },
    });
    expect(report.ok).toBe(true);
    expect(report.findings.map((f) => `${f.severity} ${f.code}`)).toEqual(['warning dynamically-linked']);
    const run = spawnSync(binary, [], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '', LD_LIBRARY_PATH: dir } });
    expect(run.stderr.trim()).toBe('42');
  });
});
