import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { ApiObject, Chart } from 'cdk8s';
import { GoshipApp } from '../../lib';
import { describeAsRoot, mountTmpfs, unmountTmpfs } from './tools/tmpfs';

/**
 * A real full disk and a real read-only file system: 512 KiB tmpfs mounts made for the test
 * (root only). A synth that runs out of space, or cannot write, fails and leaves the previous
 * output byte-identical, with no staging folder or lock left behind.
 */
const describeE2E = describeAsRoot('full-disk');

function synth(out: string, charts: number, bytes: number): void {
  const app = new GoshipApp({ outdir: out });
  for (let i = 0; i < charts; i++) {
    new ApiObject(new Chart(app, `c${i}`), 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `c${i}` }, data: { blob: 'x'.repeat(bytes) } });
  }
  app.synth();
}

function readTree(dir: string): Record<string, string> {
  return Object.fromEntries(fs.readdirSync(dir).sort().map((f) => [f, fs.readFileSync(path.join(dir, f), 'utf8')]));
}

describeE2E('synth on a full disk', () => {
  let mount: string;
  beforeAll(() => {
    mount = mountTmpfs('goship-full-', '512k');
  });
  afterAll(() => unmountTmpfs(mount));

  test('fails with ENOSPC and leaves the previous output byte-identical', () => {
    // GIVEN a good synth of 3 small charts
    const out = path.join(mount, 'dist');
    synth(out, 3, 10);
    const before = readTree(out);
    // WHEN the next synth needs more than the disk has
    expect(() => synth(out, 40, 20_000)).toThrow(/ENOSPC/);
    // THEN
    expect(readTree(out)).toEqual(before);
    expect(fs.readdirSync(mount)).toEqual(['dist']);
  });
});

describeE2E('synth into a read-only parent', () => {
  test('fails with EROFS and leaves the previous output byte-identical', () => {
    // GIVEN a good synth on a tmpfs, which is then remounted read-only
    const mount = mountTmpfs('goship-ro-', '512k');
    try {
      const out = path.join(mount, 'dist');
      synth(out, 2, 10);
      const before = readTree(out);
      execFileSync('mount', ['-o', 'remount,ro', mount]);
      // WHEN
      expect(() => synth(out, 3, 10)).toThrow(/EROFS/);
      // THEN
      expect(readTree(out)).toEqual(before);
      expect(fs.readdirSync(mount)).toEqual(['dist']);
    } finally {
      unmountTmpfs(mount);
    }
  });
});
