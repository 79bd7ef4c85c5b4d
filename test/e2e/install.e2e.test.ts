/**
 * goship as a user installs it: `npm pack` of this checkout (which builds `out/` through
 * `prepack`), installed into a fresh folder that holds only the README's quick start
 * (package.json, tsconfig.json, main.ts) and a Go module, then `npm run synth`.
 *
 * The install is `--prefer-offline`: the package tarballs come from the npm cache that `npm ci`
 * of this checkout filled; npm asks the registry it is configured with (the same one `npm ci`
 * used) only for the version lists, which `npm ci` does not cache.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '..', '..');

/** The fenced blocks of the README's "Use goship in your repository" section, by the file name after the language. */
function quickStart(): Map<string, string> {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf('## Use goship in your repository');
  expect(start).toBeGreaterThanOrEqual(0);
  const end = readme.indexOf('\n## ', start + 1);
  const section = readme.slice(start, end);
  const files = new Map<string, string>();
  for (const m of section.matchAll(/```\w+ (\S+)\n([\s\S]*?)```/g)) {
    files.set(m[1], m[2]);
  }
  return files;
}

function run(cmd: string, args: string[], cwd: string): string {
  return execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, npm_config_update_notifier: 'false' } });
}

describe('goship installed from its packed tarball', () => {
  let work: string;
  // prepack builds out/ in this checkout; bin/goship.js prefers out/ to the sources, so a
  // build the test made must not outlive it (later edits would run stale code).
  const hadOut = fs.existsSync(path.join(ROOT, 'out'));
  beforeAll(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'goship-install-'));
  });
  afterAll(() => {
    fs.rmSync(work, { recursive: true, force: true });
    if (!hadOut) {
      fs.rmSync(path.join(ROOT, 'out'), { recursive: true, force: true });
    }
  });

  test('npm pack holds the compiled code, and the quick start installs it and synthesizes', () => {
    // GIVEN the packed tarball of this checkout
    const packed = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', work], ROOT)) as { filename: string; files: { path: string }[] }[];
    const names = packed[0].files.map((f) => f.path);
    expect(names).toEqual(expect.arrayContaining(['out/index.js', 'out/index.d.ts', 'out/cli/main.js', 'out/pulumi/index.js', 'bin/goship.js', 'package.json']));
    expect(names.filter((n) => n.startsWith('lib/') || n.startsWith('test/'))).toEqual([]);
    const tarball = path.join(work, packed[0].filename);

    // AND a fresh folder with exactly the README's three files and a committed Go module
    const files = quickStart();
    expect([...files.keys()].sort()).toEqual(['main.ts', 'package.json', 'tsconfig.json']);
    const project = path.join(work, 'project');
    fs.mkdirSync(path.join(project, 'services', 'hello'), { recursive: true });
    const pkg = JSON.parse(files.get('package.json')!) as { dependencies: Record<string, string> };
    expect(pkg.dependencies.goship).toBe(`^${(JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version}`);
    pkg.dependencies.goship = `file:${tarball}`;
    fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify(pkg, null, 2));
    fs.writeFileSync(path.join(project, 'tsconfig.json'), files.get('tsconfig.json')!);
    fs.writeFileSync(path.join(project, 'main.ts'), files.get('main.ts')!);
    fs.writeFileSync(path.join(project, 'services', 'hello', 'go.mod'), 'module example.com/hello\n\ngo 1.22\n');
    fs.writeFileSync(path.join(project, 'services', 'hello', 'main.go'), 'package main\n\nfunc main() {}\n');
    fs.writeFileSync(path.join(project, '.gitignore'), 'node_modules/\ndist/\n');
    run('git', ['init', '-q', '-b', 'main'], project);
    run('git', ['add', '.'], project);
    run('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-q', '-m', 'hello'], project);

    // WHEN it is installed and synthesized
    run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund'], project);
    run('npm', ['run', 'synth'], project);

    // THEN the app's files are there, built from the installed package
    const yaml = fs.readFileSync(path.join(project, 'dist', 'hello.k8s.yaml'), 'utf8');
    expect(yaml).toContain('kind: Deployment');
    expect(yaml).toMatch(/image: registry\.example\.com\/team\/hello:[0-9a-f]{7}\n/);
    expect(fs.readFileSync(path.join(project, 'dist', 'images', 'hello', 'Dockerfile'), 'utf8')).toContain('FROM scratch');
    expect(fs.existsSync(path.join(project, 'node_modules', 'goship', 'out', 'index.js'))).toBe(true);
    expect(fs.existsSync(path.join(project, 'node_modules', 'goship', 'lib'))).toBe(false);
    // AND the installed CLI runs from the compiled code
    expect(run('npx', ['--no-install', 'goship', 'verify', '--help'], project)).toContain('usage: goship verify');
  });
});
