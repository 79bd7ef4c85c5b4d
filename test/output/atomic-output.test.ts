import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, Chart } from 'cdk8s';
import { GoshipApp } from '../../lib';
import { writeFileAtomic } from '../../lib/output/atomic-output';
import { lockFileOf } from '../../lib/output/output-lock';
import { failRename, restoreRename } from '../support/fail-rename';

/** Fault injection for synth's output folder: locks, failed renames, links, files, concurrent runs. */

const tmpdir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'goship-faults-'));

function synthOnce(out: string, charts: string[]): void {
  const app = new GoshipApp({ outdir: out });
  for (const id of charts) {
    new ApiObject(new Chart(app, id), 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: id } });
  }
  app.synth();
}

function readTree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) {
      const abs = path.join(e.parentPath, e.name);
      out[path.relative(dir, abs)] = fs.readFileSync(abs, 'utf8');
    }
  }
  return out;
}

function runChild(out: string, charts: number): Promise<{ code: number | null; stdout: string }> {
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', path.join(__dirname, '..', 'app', 'fixtures', 'synth-many.ts')], {
    env: { ...process.env, OUTDIR: out, CHARTS: String(charts) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let stdout = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stdout })));
}

afterEach(restoreRename);

describe('synth output under faults', () => {
  test('fails if the second rename fails, and the previous output is back, byte-identical', () => {
    // GIVEN a good synth
    const parent = tmpdir();
    const out = path.join(parent, 'dist');
    synthOnce(out, ['a', 'b']);
    const before = readTree(out);
    // WHEN renaming the new folder into place fails
    failRename((from) => (from.includes('goship-staging') ? 'EIO' : undefined));
    expect(() => synthOnce(out, ['c'])).toThrow(/injected/);
    // THEN
    expect(readTree(out)).toEqual(before);
    expect(fs.readdirSync(parent)).toEqual(['dist']);
  });

  test('fails if another running process holds the output lock, naming it, and writes nothing', async () => {
    // GIVEN output and a lock held by a live process (this test's own)
    const parent = tmpdir();
    const out = path.join(parent, 'dist');
    synthOnce(out, ['a']);
    const before = readTree(out);
    fs.writeFileSync(lockFileOf(out), `${process.pid}\n`);
    // WHEN another process synthesizes into it
    const result = await runChild(out, 3);
    // THEN
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`another goship run (process ${process.pid}) is writing this output folder`);
    expect(readTree(out)).toEqual(before);
  }, 60_000);

  test('a lock left by a killed run is taken over', () => {
    const parent = tmpdir();
    const out = path.join(parent, 'dist');
    fs.writeFileSync(lockFileOf(out), '2147483646\n');
    synthOnce(out, ['a']);
    expect(fs.readdirSync(parent)).toEqual(['dist']);
  });

  test('two synths into one folder at once: every run either writes all its charts or fails saying why', async () => {
    const parent = tmpdir();
    const out = path.join(parent, 'dist');
    const results = await Promise.all([runChild(out, 120), runChild(out, 120)]);
    for (const r of results) {
      expect(r.code === 0 ? r.stdout : r.stdout).toMatch(r.code === 0 ? /^ok/ : /another goship run \(process \d+\) is writing/);
    }
    expect(results.some((r) => r.code === 0)).toBe(true);
    expect(Object.keys(readTree(out)).filter((f) => f.endsWith('.k8s.yaml'))).toHaveLength(121); // 120 charts and one nested
    expect(fs.readdirSync(parent)).toEqual(['dist']);
  }, 120_000);

  test('a symbolic link as the output folder is followed: the link stays, its target gets the output', () => {
    const parent = tmpdir();
    const real = path.join(parent, 'real');
    fs.mkdirSync(real);
    fs.writeFileSync(path.join(real, 'old.k8s.yaml'), 'old\n');
    const link = path.join(parent, 'dist');
    fs.symlinkSync(real, link);
    synthOnce(link, ['a']);
    expect(fs.lstatSync(link).isSymbolicLink()).toBe(true);
    expect(fs.readlinkSync(link)).toBe(real);
    expect(Object.keys(readTree(real))).toEqual(['a.k8s.yaml']);
  });

  test('fails if the output path is a file, and the file stays', () => {
    const parent = tmpdir();
    const out = path.join(parent, 'dist');
    fs.writeFileSync(out, 'mine\n');
    expect(() => synthOnce(out, ['a'])).toThrow(/the output path is a file, not a folder .* will not delete a file/);
    expect(fs.readFileSync(out, 'utf8')).toBe('mine\n');
    expect(fs.readdirSync(parent)).toEqual(['dist']);
  });

  test('fails if the output folder is a dangling link, or holds the working directory', () => {
    const parent = tmpdir();
    const link = path.join(parent, 'dist');
    fs.symlinkSync(path.join(parent, 'nowhere'), link);
    expect(() => synthOnce(link, ['a'])).toThrow(/symbolic link to nothing/);
    expect(() => synthOnce(path.dirname(process.cwd()), ['a'])).toThrow(/holds the working directory/);
  });
});

describe('writeFileAtomic', () => {
  test('keeps the mode of the file it replaces and follows a link', () => {
    const dir = tmpdir();
    const file = path.join(dir, 'run.sh');
    fs.writeFileSync(file, 'old', { mode: 0o750 });
    const link = path.join(dir, 'link.sh');
    fs.symlinkSync(file, link);
    writeFileAtomic(link, 'new');
    expect(fs.lstatSync(link).isSymbolicLink()).toBe(true);
    expect(fs.readFileSync(file, 'utf8')).toBe('new');
    expect(fs.statSync(file).mode & 0o777).toBe(0o750);
    expect(fs.readdirSync(dir).sort()).toEqual(['link.sh', 'run.sh']);
  });
});
