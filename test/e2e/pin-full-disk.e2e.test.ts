import * as fs from 'fs';
import * as path from 'path';
import { pinOutput, readBakeTargets } from '../../lib/pin/pin-output';
import { CliRun, runCli } from '../support/cli';
import { synthTwoServices } from '../support/two-services';
import { describeAsRoot, mountTmpfs, unmountTmpfs } from './tools/tmpfs';

/**
 * `goship pin` and `goship ci` on a real full disk: a 1 MiB tmpfs made for the test (root
 * only), filled up to leave 0, 4, 8, … KiB free. At every amount, pin either pins everything
 * (YAML and pins file) or fails and leaves the output folder and the pins file byte-identical,
 * with no temporary file or lock left; ci either writes the workflow or leaves it as it was.
 */
const describeE2E = describeAsRoot('pin full-disk');
const DIGEST = `sha256:${'a'.repeat(64)}`;

/** Every file and folder under `dir` with its mode and bytes (links as their target). */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (rel: string) => {
    for (const name of fs.readdirSync(path.join(dir, rel)).sort()) {
      const r = path.join(rel, name);
      const st = fs.lstatSync(path.join(dir, r));
      if (st.isSymbolicLink()) {
        out[r] = `link ${fs.readlinkSync(path.join(dir, r))}`;
      } else if (st.isDirectory()) {
        out[r] = `dir ${(st.mode & 0o7777).toString(8)}`;
        walk(r);
      } else {
        out[r] = `file ${(st.mode & 0o7777).toString(8)} ${fs.readFileSync(path.join(dir, r)).toString('base64')}`;
      }
    }
  };
  walk('');
  return out;
}

/** Fills the file system of `dir` up, then frees `free` bytes of the filler. */
function fillLeaving(dir: string, free: number): void {
  const filler = path.join(dir, 'filler');
  const fd = fs.openSync(filler, 'w');
  try {
    const chunk = Buffer.alloc(4096, 1);
    for (;;) {
      try {
        fs.writeSync(fd, chunk);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOSPC') {
          break;
        }
        throw e;
      }
    }
  } finally {
    fs.closeSync(fd);
  }
  fs.truncateSync(filler, Math.max(0, fs.statSync(filler).size - free));
}

describeE2E('pin and ci on a full disk', () => {
  let mount: string;
  beforeAll(() => {
    mount = mountTmpfs('goship-pinfull-', '1m');
  });
  afterAll(() => unmountTmpfs(mount));

  test('pin either pins everything, or fails with ENOSPC and changes nothing, at every amount of free space', () => {
    // GIVEN a synthesized app with two services and a pins file on the small disk
    const { out } = synthTwoServices(mount);
    const pinsFile = path.join(mount, 'goship.pins.json');
    const pins = new Map(['api', 'worker'].map((n) => [n, { ref: `ghcr.io/acme/${n}:v1`, digest: DIGEST }]));
    let outcomes = '';
    for (const free of [0, 4096, 8192, 12288, 16384, 24576, 32768, 65536]) {
      const before = { out: snapshot(out), pins: fs.readFileSync(pinsFile, 'utf8'), top: fs.readdirSync(mount).sort() };
      fillLeaving(mount, free);
      let error: Error | undefined;
      try {
        pinOutput(out, pinsFile, pins, readBakeTargets(out));
      } catch (e) {
        error = e as Error;
      }
      fs.rmSync(path.join(mount, 'filler'));
      if (error) {
        // THEN a failure names the disk error and changes nothing
        expect(error.message).toMatch(/ENOSPC/);
        expect(snapshot(out)).toEqual(before.out);
        expect(fs.readFileSync(pinsFile, 'utf8')).toBe(before.pins);
        expect(fs.readdirSync(mount).sort()).toEqual(before.top);
        outcomes += 'F';
      } else {
        // THEN a success pinned every YAML file and wrote the pins file
        expect(fs.readFileSync(path.join(out, 'api.k8s.yaml'), 'utf8')).toContain(`ghcr.io/acme/api:v1@${DIGEST}`);
        expect(fs.readFileSync(path.join(out, 'worker.k8s.yaml'), 'utf8')).toContain(`ghcr.io/acme/worker:v1@${DIGEST}`);
        expect(fs.readFileSync(pinsFile, 'utf8')).toContain(DIGEST);
        expect(fs.readdirSync(mount).sort()).toEqual(before.top);
        outcomes += 'S';
        break;
      }
    }
    // AND both outcomes were seen: the disk really was full at first, and roomy enough at last
    expect(outcomes).toMatch(/^F+S$/);
  });

  test('ci fails on a full disk and leaves the workflow file as it was', async () => {
    const workflow = path.join(mount, 'release.yml');
    fs.writeFileSync(workflow, 'previous workflow\n');
    fillLeaving(mount, 0);
    let ci: CliRun;
    try {
      ci = await runCli(['ci', '--output', workflow], mount);
    } finally {
      fs.rmSync(path.join(mount, 'filler'));
    }
    expect(ci.code).not.toBe(0);
    expect(ci.stderr).toMatch(/ENOSPC/);
    expect(fs.readFileSync(workflow, 'utf8')).toBe('previous workflow\n');
    expect(fs.readdirSync(mount).filter((f) => f.includes('release'))).toEqual(['release.yml']);
  });
});
