import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CliIo, main } from '../../lib/cli/main';
import { pinOutput, readBakeTargets } from '../../lib/pin/pin-output';
import { synthTwoServices } from '../support/two-services';
import { IN_CI } from './tools';

/**
 * `goship pin` and `goship ci` on a real full disk: a 1 MiB tmpfs made for the test (root
 * only), filled up to leave 0, 4, 8, … KiB free. At every amount, pin either pins everything
 * (YAML and pins file) or fails and leaves the output folder and the pins file byte-identical,
 * with no temporary file or lock left; ci either writes the workflow or leaves it as it was.
 */
const root = typeof process.getuid === 'function' && process.getuid() === 0;
if (!root && IN_CI) {
  throw new Error('the pin full-disk suite mounts a tmpfs and needs root');
}
const describeE2E = root ? describe : describe.skip;
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
    mount = fs.mkdtempSync(path.join(os.tmpdir(), 'goship-pinfull-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', mount]);
  });
  afterAll(() => {
    execFileSync('umount', [mount]);
    fs.rmdirSync(mount);
  });

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
    const err: string[] = [];
    const io: CliIo = { out: () => undefined, err: (t) => err.push(t) };
    const cwd = process.cwd();
    process.chdir(mount);
    try {
      const code = await main(['ci', '--output', workflow], io).catch((e: Error) => {
        err.push(e.message);
        return 1;
      });
      expect(code).not.toBe(0);
    } finally {
      process.chdir(cwd);
      fs.rmSync(path.join(mount, 'filler'));
    }
    expect(err.join('\n')).toMatch(/ENOSPC/);
    expect(fs.readFileSync(workflow, 'utf8')).toBe('previous workflow\n');
    expect(fs.readdirSync(mount).filter((f) => f.includes('release'))).toEqual(['release.yml']);
  });
});
