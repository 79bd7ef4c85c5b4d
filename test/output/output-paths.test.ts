import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, Chart } from 'cdk8s';
import { GoshipApp, GoStaticImage, Platform } from '../../lib';
import { writeFileAtomic } from '../../lib/output/atomic-output';
import { writePins } from '../../lib/pin/pins';
import { runCli } from '../support/cli';
import { makeGoModule } from '../support/go-module';

/**
 * Every output path goship writes, when it is a symbolic link (to a file, to a link, to
 * nothing, to a folder), a folder, or a device: each one follows the link or refuses, and a
 * refusal changes nothing. docs/threat-model.md lists the answer per path.
 *
 * Single files (the pins file, the CI workflow, `sbom --output`, publish plans) go through
 * writeFileAtomic; the synth output folder through resolveOutputFolder.
 */

const tmpdir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'goship-outpaths-'));

/** A root with a synthesized app (one image), for `goship ci`. */
function synthesizedRoot(): string {
  const root = tmpdir();
  const app = new GoshipApp({ outdir: path.join(root, 'dist'), rootdir: root, warn: () => undefined });
  new GoStaticImage(new Chart(app, 'api'), 'image', { context: makeGoModule(), repository: 'ghcr.io/acme/api', tag: 'v1', platforms: [Platform.LINUX_AMD64] });
  app.synth();
  return root;
}

let ciRoot: string | undefined;

/** The single-file writers, each writing `file` and throwing on refusal. */
const WRITERS: Record<string, (file: string) => Promise<void>> = {
  'pins file (writePins)': async (file) => writePins(file, new Map([['api', { ref: 'ghcr.io/acme/api:v1', digest: `sha256:${'a'.repeat(64)}` }]])),
  'CI workflow (goship ci --output)': async (file) => {
    ciRoot ??= synthesizedRoot();
    const ci = await runCli(['ci', '--output', file], ciRoot);
    if (ci.code !== 0) {
      throw new Error(ci.stderr);
    }
  },
  'sbom --output and publish plans (writeFileAtomic)': async (file) => writeFileAtomic(file, 'written\n'),
};

describe.each(Object.entries(WRITERS))('%s', (_name, write) => {
  test('follows a link to a file: the link stays, the file gets the output', async () => {
    const dir = tmpdir();
    fs.writeFileSync(path.join(dir, 'real'), 'old\n');
    fs.symlinkSync('real', path.join(dir, 'out'));
    await write(path.join(dir, 'out'));
    expect(fs.readlinkSync(path.join(dir, 'out'))).toBe('real');
    expect(fs.readFileSync(path.join(dir, 'real'), 'utf8')).not.toBe('old\n');
  });

  test('follows a chain of links to the file at its end (the middle link was replaced by a file)', async () => {
    const dir = tmpdir();
    fs.writeFileSync(path.join(dir, 'real'), 'old\n');
    fs.symlinkSync('real', path.join(dir, 'middle'));
    fs.symlinkSync('middle', path.join(dir, 'out'));
    await write(path.join(dir, 'out'));
    expect(fs.lstatSync(path.join(dir, 'middle')).isSymbolicLink()).toBe(true);
    expect(fs.readFileSync(path.join(dir, 'real'), 'utf8')).not.toBe('old\n');
    expect(fs.readdirSync(dir).sort()).toEqual(['middle', 'out', 'real']);
  });

  test('follows a dangling link: the file it names is created', async () => {
    const dir = tmpdir();
    fs.symlinkSync('made', path.join(dir, 'out'));
    await write(path.join(dir, 'out'));
    expect(fs.lstatSync(path.join(dir, 'out')).isSymbolicLink()).toBe(true);
    expect(fs.statSync(path.join(dir, 'made')).isFile()).toBe(true);
  });

  test('fails if the path is a folder or a link to one, and the folder is untouched', async () => {
    const dir = tmpdir();
    fs.mkdirSync(path.join(dir, 'folder'));
    fs.writeFileSync(path.join(dir, 'folder', 'keep'), 'mine\n');
    fs.symlinkSync('folder', path.join(dir, 'link'));
    await expect(write(path.join(dir, 'folder'))).rejects.toThrow(/is a folder, not a file — choose a file name/);
    await expect(write(path.join(dir, 'link'))).rejects.toThrow(/is a folder \(the link points to .*folder\), not a file/);
    expect(fs.readdirSync(path.join(dir, 'folder'))).toEqual(['keep']);
  });

  test('fails if the path is a device or a loop of links, writing nothing', async () => {
    const dir = tmpdir();
    fs.symlinkSync('b', path.join(dir, 'a'));
    fs.symlinkSync('a', path.join(dir, 'b'));
    await expect(write(path.join(dir, 'a'))).rejects.toThrow(/a loop of symbolic links/);
    await expect(write('/dev/null')).rejects.toThrow(/is not a regular file \(a device, FIFO or socket\)/);
    expect(fs.readdirSync(dir).sort()).toEqual(['a', 'b']);
  });
});

describe('the synth output folder', () => {
  const synth = (outdir: string) => {
    const app = new GoshipApp({ outdir });
    new ApiObject(new Chart(app, 'a'), 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' } });
    app.synth();
  };

  test('follows a chain of links to the folder at its end', () => {
    const dir = tmpdir();
    fs.mkdirSync(path.join(dir, 'real'));
    fs.symlinkSync('real', path.join(dir, 'middle'));
    fs.symlinkSync('middle', path.join(dir, 'dist'));
    synth(path.join(dir, 'dist'));
    expect(fs.readlinkSync(path.join(dir, 'dist'))).toBe('middle');
    expect(fs.readlinkSync(path.join(dir, 'middle'))).toBe('real');
    expect(fs.readdirSync(path.join(dir, 'real'))).toEqual(['a.k8s.yaml']);
  });

  test('fails if it is a link to a file, and the file stays', () => {
    const dir = tmpdir();
    fs.writeFileSync(path.join(dir, 'file'), 'mine\n');
    fs.symlinkSync('file', path.join(dir, 'dist'));
    expect(() => synth(path.join(dir, 'dist'))).toThrow(/the output path is a file, not a folder/);
    expect(fs.readFileSync(path.join(dir, 'file'), 'utf8')).toBe('mine\n');
  });
});
