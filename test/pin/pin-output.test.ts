import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Chart } from 'cdk8s';
import { GoshipApp, GoStaticImage, Platform, RollingDeployment } from '../../lib';
import { lockFileOf } from '../../lib/output/output-lock';
import { pinOutput, readBakeTargets } from '../../lib/pin/pin-output';
import { failRename, restoreRename } from '../support/fail-rename';
import { makeGoModule } from '../support/go-module';

/** Fault injection for `goship pin`: only the YAML it pins changes, and a failure changes nothing. */

const DIGEST = `sha256:${'a'.repeat(64)}`;

interface Entry { readonly kind: 'file' | 'dir' | 'link'; readonly mode: number; readonly bytes?: string; readonly target?: string }

/** Every entry under `dir` (not following links): kind, mode, bytes or link target. */
function snapshot(dir: string): Record<string, Entry> {
  const out: Record<string, Entry> = {};
  const walk = (rel: string) => {
    for (const name of fs.readdirSync(path.join(dir, rel)).sort()) {
      const r = path.join(rel, name);
      const abs = path.join(dir, r);
      const st = fs.lstatSync(abs);
      if (st.isSymbolicLink()) {
        out[r] = { kind: 'link', mode: 0, target: fs.readlinkSync(abs) };
      } else if (st.isDirectory()) {
        out[r] = { kind: 'dir', mode: st.mode & 0o7777 };
        walk(r);
      } else {
        out[r] = { kind: 'file', mode: st.mode & 0o7777, bytes: fs.readFileSync(abs).toString('base64') };
      }
    }
  };
  walk('');
  return out;
}

function synthesized() {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'goship-pin-faults-'));
  const app = new GoshipApp({ outdir: path.join(root, 'dist'), rootdir: root, warn: () => undefined });
  const chart = new Chart(app, 'api');
  const image = new GoStaticImage(chart, 'image', {
    context: makeGoModule(), repository: 'ghcr.io/acme/api', tag: 'v1', platforms: [Platform.LINUX_AMD64],
    builderImage: `golang:1.22@sha256:${'b'.repeat(64)}`,
  });
  new RollingDeployment(chart, 'api', { image });
  app.synth();
  const out = path.join(root, 'dist');
  const pinsFile = path.join(root, 'goship.pins.json');
  const pin = () => pinOutput(out, pinsFile, new Map([['api', { ref: 'ghcr.io/acme/api:v1', digest: DIGEST }]]), readBakeTargets(out));
  return { root, out, pinsFile, pin };
}

afterEach(restoreRename);

describe('goship pin under faults', () => {
  test('rewrites only the YAML it pins: binaries, modes, empty folders and links stay as they were', () => {
    // GIVEN output with things goship did not write
    const p = synthesized();
    const outside = path.join(p.root, 'outside.txt');
    fs.writeFileSync(outside, 'outside');
    fs.writeFileSync(path.join(p.out, 'tool.bin'), Buffer.from([0xff, 0xfe, 0x00, 0x80, 0xc3]), { mode: 0o755 });
    fs.mkdirSync(path.join(p.out, 'empty'));
    fs.symlinkSync(outside, path.join(p.out, 'outside-link'));
    fs.symlinkSync('/dev/zero', path.join(p.out, 'zero.k8s.yaml'));
    fs.chmodSync(path.join(p.out, 'api.k8s.yaml'), 0o640);
    const before = snapshot(p.out);
    // WHEN
    const result = p.pin();
    // THEN only api.k8s.yaml changed, and it kept its mode
    expect(result.changedFiles).toEqual(['api.k8s.yaml']);
    const after = snapshot(p.out);
    expect(after['api.k8s.yaml'].bytes).not.toBe(before['api.k8s.yaml'].bytes);
    expect(after['api.k8s.yaml'].mode).toBe(0o640);
    expect({ ...after, 'api.k8s.yaml': undefined }).toEqual({ ...before, 'api.k8s.yaml': undefined });
    expect(fs.readFileSync(outside, 'utf8')).toBe('outside');
  });

  test('fails if replacing the YAML fails, and neither the output nor the pin file changes, no temporary file left', () => {
    const p = synthesized();
    const before = snapshot(p.root);
    failRename((from, to) => (from.endsWith('.tmp') && to.endsWith('api.k8s.yaml') ? 'EIO' : undefined));
    expect(() => p.pin()).toThrow(/injected/);
    expect(snapshot(p.root)).toEqual(before);
  });

  test('fails if writing the pin file fails, and the YAML is put back byte-identical', () => {
    const p = synthesized();
    const before = snapshot(p.root);
    failRename((_from, to) => (to === p.pinsFile ? 'ENOSPC' : undefined));
    expect(() => p.pin()).toThrow(/injected/);
    expect(snapshot(p.root)).toEqual(before);
  });

  test('fails if another run holds the output lock', () => {
    const p = synthesized();
    const before = snapshot(p.root);
    fs.writeFileSync(lockFileOf(p.out), `${process.ppid}\n`);
    expect(() => p.pin()).toThrow(/another goship run \(process \d+\) is writing this output folder/);
    fs.rmSync(lockFileOf(p.out));
    expect(snapshot(p.root)).toEqual(before);
  });
});
