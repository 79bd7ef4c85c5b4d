import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, App, Chart } from 'cdk8s';
import { GoshipApp, GoStaticImage, Platform } from '../../lib';
import { makeGoModule } from '../support/go-module';
import { addPlainCharts, PLAIN_CHART_POLICY_GAPS } from '../support/trees';

function tmpdir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'goship-app-'));
}

/** Every file under dir: relative path → content. */
function readTree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out[path.relative(dir, p)] = fs.readFileSync(p, 'utf8');
    }
  };
  walk(dir);
  return out;
}

describe('GoshipApp synth output', () => {
  test('chart YAML is byte-identical to what cdk8s App.synth() writes for the same tree', () => {
    // GIVEN the same tree twice: charts with dependencies, a nested chart, hashed and clean names
    const ours = tmpdir();
    const theirs = tmpdir();
    const goship = new GoshipApp({ outdir: ours, skipPolicies: PLAIN_CHART_POLICY_GAPS, warn: () => undefined });
    addPlainCharts(goship, 12);
    const cdk8s = new App({ outdir: theirs });
    addPlainCharts(cdk8s, 12);
    // WHEN
    goship.synth();
    cdk8s.synth();
    // THEN
    const expected = readTree(theirs);
    expect(Object.keys(expected)).toHaveLength(13);
    expect(Object.keys(expected)[0]).toMatch(/^\d{4}-/);
    expect(readTree(ours)).toEqual(expected);
  });

  test('a single chart without dependencies keeps its plain name', () => {
    const out = tmpdir();
    const app = new GoshipApp({ outdir: out });
    new ApiObject(new Chart(app, 'hello'), 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'hello' } });
    app.synth();
    expect(readTree(out)).toEqual({ 'hello.k8s.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: hello\n' });
  });

  test('writes each image\'s Dockerfile and ignore file and one bake file, with relative paths only', () => {
    // GIVEN two images in a repository folder
    const root = makeGoModule({ files: { 'api/main.go': 'package main\nvar version = "dev"\nfunc main() {}\n', 'web/main.go': 'package main\nfunc main() {}\n' } });
    const out = path.join(root, 'deploy', 'dist');
    const app = new GoshipApp({ outdir: out, rootdir: root, warn: () => undefined });
    const chart = new Chart(app, 'svc');
    new GoStaticImage(chart, 'api', { context: root, main: './api', repository: 'ghcr.io/acme/api', platforms: [Platform.LINUX_AMD64, Platform.LINUX_ARM64] });
    new GoStaticImage(chart, 'web', { context: root, main: './web', repository: 'ghcr.io/acme/web' });
    // WHEN
    app.synth();
    // THEN
    const files = readTree(out);
    expect(Object.keys(files).sort()).toEqual([
      'docker-bake.json',
      'images/api/Dockerfile',
      'images/api/Dockerfile.dockerignore',
      'images/web/Dockerfile',
      'images/web/Dockerfile.dockerignore',
      'svc.k8s.yaml',
    ]);
    const bake = JSON.parse(files['docker-bake.json']);
    expect(bake.group.default.targets).toEqual(['api', 'web']);
    expect(bake.target.api).toMatchObject({ context: '.', dockerfile: 'deploy/dist/images/api/Dockerfile', platforms: ['linux/amd64', 'linux/arm64'] });
    expect(bake.target.api.tags[0]).toMatch(/^ghcr\.io\/acme\/api:[0-9a-f]{7}$/);
    expect(files['images/api/Dockerfile']).toContain('-X main.version=${VERSION}');
    expect(files['images/web/Dockerfile']).not.toContain('-X main.version');
    for (const [name, text] of Object.entries(files)) {
      expect([name, text.includes(root) || text.includes(os.tmpdir())]).toEqual([name, false]);
    }
  });

  test('two synths of the same app are byte-identical', () => {
    const dir = makeGoModule();
    const out = tmpdir();
    const synth = () => {
      const app = new GoshipApp({ outdir: out, rootdir: dir, skipPolicies: PLAIN_CHART_POLICY_GAPS, warn: () => undefined });
      const chart = new Chart(app, 'svc');
      new GoStaticImage(chart, 'image', { context: dir, repository: 'ghcr.io/acme/svc' });
      addPlainCharts(app, 3);
      app.synth();
      return readTree(out);
    };
    expect(synth()).toEqual(synth());
  });

  test('fails if two images share a name, before anything is written', () => {
    const dir = makeGoModule();
    const out = tmpdir();
    const app = new GoshipApp({ outdir: out });
    new GoStaticImage(new Chart(app, 'a'), 'image', { context: dir, repository: 'ghcr.io/acme/svc' });
    new GoStaticImage(new Chart(app, 'b'), 'image', { context: dir, repository: 'ghcr.io/other/svc' });
    expect(() => app.synth()).toThrow(/^\[b\/image\] name: 'svc' — another image \(a\/image\) has the same name/);
    expect(fs.readdirSync(out)).toEqual([]);
  });
});

describe('GoshipApp checks before writing', () => {
  test('fails if the policy gate finds an error, and writes nothing', () => {
    // GIVEN a good output, then an app with a plain Deployment that has no probes or seccomp profile
    const out = path.join(tmpdir(), 'dist');
    const good = new GoshipApp({ outdir: out });
    new ApiObject(new Chart(good, 'a'), 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' } });
    good.synth();
    const app = new GoshipApp({ outdir: out, warn: () => undefined });
    addPlainCharts(app, 1);
    // WHEN / THEN
    expect(() => app.synth()).toThrow(/goship: 4 policy error\(s\); nothing was written[\s\S]*\[pss-restricted\/seccomp-profile\][\s\S]*\[probes\/liveness\]/);
    expect(Object.keys(readTree(out))).toEqual(['a.k8s.yaml']);
  });

  test('policy warnings are printed, not fatal', () => {
    const dir = makeGoModule();
    const warnings: string[] = [];
    const app = new GoshipApp({ outdir: tmpdir(), rootdir: dir, warn: (m) => warnings.push(m) });
    new GoStaticImage(new Chart(app, 'svc'), 'image', { context: dir, repository: 'ghcr.io/acme/svc' });
    app.synth();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^goship: warning: images\/svc\/Dockerfile:\d+ \[dockerfile\/pinned-builder-image\] stage 'build' uses 'golang:1.22' without a digest/);
  });

  test('fails if a skipped policy does not exist', () => {
    const app = new GoshipApp({ outdir: tmpdir(), skipPolicies: ['no/such-rule'] });
    expect(() => app.synth()).toThrow(/skip: 'no\/such-rule' — not a policy rule/);
  });
});

describe('GoshipApp synth safety', () => {
  function synthOnce(out: string, charts: string[]): void {
    const app = new GoshipApp({ outdir: out });
    for (const id of charts) {
      new ApiObject(new Chart(app, id), 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: id } });
    }
    app.synth();
  }

  test('files of charts that no longer exist disappear', () => {
    const out = path.join(tmpdir(), 'dist');
    synthOnce(out, ['a', 'b']);
    synthOnce(out, ['a']);
    expect(Object.keys(readTree(out))).toEqual(['a.k8s.yaml']);
    expect(fs.readdirSync(path.dirname(out))).toEqual(['dist']);
  });

  test('a failed synth leaves the previous output byte-identical', () => {
    // GIVEN a good synth
    const out = path.join(tmpdir(), 'dist');
    synthOnce(out, ['a', 'b']);
    const before = readTree(out);
    // WHEN a later synth fails validation
    const app = new GoshipApp({ outdir: out });
    const chart = new Chart(app, 'a');
    new ApiObject(chart, 'cm', { apiVersion: 'v1', kind: 'ConfigMap' });
    chart.node.addValidation({ validate: () => ['no replicas configured'] });
    expect(() => app.synth()).toThrow(/\[a\] no replicas configured/);
    // AND a later synth throws while rendering an object
    const app2 = new GoshipApp({ outdir: out });
    const bad = new ApiObject(new Chart(app2, 'c'), 'cm', { apiVersion: 'v1', kind: 'ConfigMap' });
    bad.addJsonPatch({ op: 'replace', path: '/does/not/exist', value: 1 } as any);
    expect(() => app2.synth()).toThrow();
    // THEN
    expect(readTree(out)).toEqual(before);
    expect(fs.readdirSync(path.dirname(out))).toEqual(['dist']);
  });

  test('a synth killed with SIGKILL while writing leaves the previous output byte-identical', async () => {
    // GIVEN a good synth
    const out = path.join(tmpdir(), 'dist');
    synthOnce(out, ['a', 'b']);
    const before = readTree(out);
    // WHEN a child process synthesizing 40 charts into the same folder is killed mid-write
    const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', path.join(__dirname, 'fixtures', 'synth-child.ts')], {
      env: { ...process.env, OUTDIR: out },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => d.toString().includes('writing') && resolve());
      child.on('exit', (code) => reject(new Error(`child exited (${code}) before it was killed`)));
    });
    const staging = fs.readdirSync(path.dirname(out)).filter((e) => e.includes('goship-staging'));
    expect(staging).toHaveLength(1);
    child.kill('SIGKILL');
    const signal = await new Promise((resolve) => child.on('exit', (_code, sig) => resolve(sig)));
    // THEN the output is what it was, and the next synth cleans up the half-written folder
    expect(signal).toBe('SIGKILL');
    expect(readTree(out)).toEqual(before);
    synthOnce(out, ['c']);
    expect(fs.readdirSync(path.dirname(out))).toEqual(['dist']);
    expect(Object.keys(readTree(out))).toEqual(['c.k8s.yaml']);
  }, 60_000);

  test('a kill between the two renames is repaired by the next synth', () => {
    const parent = tmpdir();
    const out = path.join(parent, 'dist');
    synthOnce(out, ['a']);
    fs.renameSync(out, path.join(parent, '.dist.goship-previous'));
    synthOnce(out, ['b']);
    expect(fs.readdirSync(parent)).toEqual(['dist']);
    expect(Object.keys(readTree(out))).toEqual(['b.k8s.yaml']);
  });
});
