/**
 * Every Go release goship proves: the machine's 1.26.8, 1.27.3 (which the go command fetches
 * from the module proxy when GOTOOLCHAIN asks for it) and Debian's 1.19.8, the oldest goship
 * supports (scripts/e2e-setup.sh makes them available).
 *
 * - goship's go.mod, go.work and vendor/modules.txt readers on files the real go command
 *   wrote (`go mod init/edit/vendor`, `go get -tool`, `go work init/use/edit`), compared with
 *   the go command's own `-json` reading of the same files;
 * - goship's build-info reader and SBOM subject on binaries each release built (-buildvcs
 *   stamps clean and dirty, GOAMD64/GOARM64 levels, -trimpath), compared field by field with
 *   `go version -m -json`.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parseGoMod, parseGoWork } from '../../lib/image/go-mod';
import { parseVendorModules, vendorDisagreement } from '../../lib/image/go-mod';
import { GoBuildInfo, GoModule, readGoBuildInfo } from '../../lib/inspect/buildinfo';
import { readElf } from '../../lib/inspect/elf';
import { sbomSubject } from '../../lib/sbom';
import { Cleanup, GO_RELEASES, REPO_ROOT, requireTools, run, upstreamGoProxy } from './tools';

const describeE2E = requireTools(['git']) ? describe : describe.skip;
type Json = Record<string, any>;

describeE2E('the Go releases goship proves', () => {
  const cleanup = new Cleanup();
  const goOf: Record<string, string> = {};
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    for (const release of GO_RELEASES) {
      const { stdout } = await run('bash', [path.join(REPO_ROOT, 'scripts', 'e2e-setup.sh'), 'goroot', release], { timeoutMs: 10 * 60 * 1000 });
      goOf[release] = path.join(stdout.trim(), 'bin', 'go');
    }
    // Each release runs as itself (never switching), downloading through the machine's proxy.
    env = { ...process.env, GOTOOLCHAIN: 'local', GOFLAGS: '', GOPROXY: await upstreamGoProxy(), GOWORK: '', CGO_ENABLED: '0' };
  });

  afterAll(() => cleanup.run());

  const go = (release: string, args: string[], cwd: string, extra: NodeJS.ProcessEnv = {}) =>
    run(goOf[release], args, { cwd, env: { ...env, ...extra }, timeoutMs: 10 * 60 * 1000 });

  test.each(GO_RELEASES)('go %s: each release names itself', async (release) => {
    expect((await go(release, ['env', 'GOVERSION'], REPO_ROOT)).stdout.trim()).toBe(`go${release}`);
  });

  describe.each(['1.26.8', '1.27.3'])('go.mod and go.work as go %s writes them', (release) => {
    test('toolchain, godebug as a line and as a block, tool, ignore, retract, exclude and replace read as the go command reads them', async () => {
      for (const godebug of [['default=go1.21'], ['panicnil=1', 'http2client=0']]) {
        // GIVEN a go.mod edited by the go command itself
        const dir = cleanup.tmpdir(`gomod-${release}`);
        await go(release, ['mod', 'init', 'example.com/m'], dir);
        await go(release, ['mod', 'edit', '-go=1.23.0', '-toolchain=go1.26.8', ...godebug.map((g) => `-godebug=${g}`),
          '-require=golang.org/x/text@v0.3.8', '-exclude=golang.org/x/text@v0.3.7', '-replace=example.com/old@v1.0.0=../old',
          '-replace=example.com/b=example.com/c@v1.2.3', '-retract=v1.0.1', '-retract=[v1.1.0,v1.1.5]', '-tool=example.com/m/cmd/gen', '-ignore=./node_modules'], dir);
        const text = fs.readFileSync(path.join(dir, 'go.mod'), 'utf8');
        expect(text).toContain(godebug.length === 1 ? '\ngodebug default=go1.21\n' : '\ngodebug (\n');
        // WHEN goship and the go command read it
        const theirs = JSON.parse((await go(release, ['mod', 'edit', '-json'], dir)).stdout) as Json;
        // THEN they agree on every directive
        expect(goModFields(parseGoMod(text))).toEqual(goCommandFields(theirs));
      }
    });

    test('go get -tool and go mod vendor: the tool line, its requirements and the vendor listing agree', async () => {
      // GIVEN a module whose tool comes from the module proxy
      const dir = cleanup.tmpdir(`gotool-${release}`);
      await go(release, ['mod', 'init', 'example.com/withtool'], dir);
      fs.writeFileSync(path.join(dir, 'main.go'), 'package main\n\nfunc main() {}\n');
      await go(release, ['get', '-tool', 'golang.org/x/tools/cmd/stringer@latest'], dir);
      await go(release, ['mod', 'tidy'], dir);
      await go(release, ['mod', 'vendor'], dir);
      // WHEN
      const mod = parseGoMod(fs.readFileSync(path.join(dir, 'go.mod'), 'utf8'));
      const theirs = JSON.parse((await go(release, ['mod', 'edit', '-json'], dir)).stdout) as Json;
      // THEN
      expect(mod.tools).toEqual(['golang.org/x/tools/cmd/stringer']);
      expect(goModFields(mod)).toEqual(goCommandFields(theirs));
      expect(vendorDisagreement(mod, parseVendorModules(fs.readFileSync(path.join(dir, 'vendor', 'modules.txt'), 'utf8')))).toBeUndefined();
    });

    test('go.work with toolchain, godebug, use and replace', async () => {
      // GIVEN a workspace made by go work init/use/edit
      const dir = cleanup.tmpdir(`gowork-${release}`);
      for (const m of ['a', 'b', 'c']) {
        fs.mkdirSync(path.join(dir, m));
        await go(release, ['mod', 'init', `example.com/${m}`], path.join(dir, m));
      }
      await go(release, ['work', 'init', './a', './b'], dir);
      await go(release, ['work', 'use', './c'], dir);
      await go(release, ['work', 'edit', '-toolchain=go1.27.3', '-godebug=default=go1.24', '-replace=example.com/x@v1.0.0=./x'], dir);
      // WHEN
      const work = parseGoWork(fs.readFileSync(path.join(dir, 'go.work'), 'utf8'));
      const theirs = JSON.parse((await go(release, ['work', 'edit', '-json'], dir)).stdout) as Json;
      // THEN they agree; `go work edit -json` leaves out toolchain and godebug, so those are
      // checked against what the go command was told to write
      expect({ go: work.go, uses: work.uses, replaces: work.replaces.map(replaceFields) }).toEqual({
        go: theirs.Go, uses: theirs.Use.map((u: Json) => u.DiskPath), replaces: (theirs.Replace ?? []).map(goReplaceFields),
      });
      expect({ toolchain: work.toolchain, godebug: work.godebug }).toEqual({ toolchain: '1.27.3', godebug: [{ key: 'default', value: 'go1.24' }] });
    });
  });

  test('go.mod as go 1.19.8 writes it: require, exclude, replace and retract', async () => {
    const dir = cleanup.tmpdir('gomod-1.19.8');
    await go('1.19.8', ['mod', 'init', 'example.com/old'], dir);
    await go('1.19.8', ['mod', 'edit', '-require=golang.org/x/text@v0.3.8', '-exclude=golang.org/x/text@v0.3.7', '-replace=example.com/b=../b', '-retract=[v1.1.0,v1.1.5]'], dir);
    const theirs = JSON.parse((await go('1.19.8', ['mod', 'edit', '-json'], dir)).stdout) as Json;
    expect(goModFields(parseGoMod(fs.readFileSync(path.join(dir, 'go.mod'), 'utf8')))).toEqual(goCommandFields(theirs));
  });

  describe.each(GO_RELEASES)('binaries built by go %s', (release) => {
    const builds: Array<{ name: string; goarch: string; extra: NodeJS.ProcessEnv; args: string[]; dirty: boolean }> = [
      { name: 'clean-v3', goarch: 'amd64', extra: { GOAMD64: 'v3' }, args: ['-buildvcs=true'], dirty: false },
      { name: 'dirty-trimpath', goarch: 'amd64', extra: {}, args: ['-buildvcs=true', '-trimpath', '-ldflags=-s -w'], dirty: true },
      { name: 'arm64', goarch: 'arm64', extra: release === '1.19.8' ? {} : { GOARM64: 'v8.2' }, args: ['-trimpath'], dirty: false },
    ];
    let src: string;

    beforeAll(async () => {
      // A module with one dependency from the proxy, committed to git.
      src = cleanup.tmpdir(`bin-${release}`);
      fs.writeFileSync(path.join(src, 'go.mod'), 'module example.com/hello\n\ngo 1.19\n\nrequire golang.org/x/text v0.14.0\n');
      fs.writeFileSync(path.join(src, 'main.go'), 'package main\n\nimport (\n\t"fmt"\n\n\t"golang.org/x/text/language"\n)\n\nfunc main() { fmt.Println(language.English) }\n');
      await go(release, ['mod', 'tidy'], src);
      const git = (...args: string[]) => run('git', ['-c', 'user.name=goship', '-c', 'user.email=goship@example.com', ...args], { cwd: src });
      await git('init', '-q');
      await git('add', '.');
      await git('commit', '-qm', 'hello');
    });

    test.each(builds.map((b) => b.name))('%s: verify and sbom agree with go version -m -json', async (name) => {
      // GIVEN a binary of this release
      const b = builds.find((x) => x.name === name)!;
      if (b.dirty) {
        fs.writeFileSync(path.join(src, 'extra.go'), 'package main\n');
      }
      const binary = path.join(src, `app-${name}`);
      try {
        await go(release, ['build', ...b.args, '-o', binary, '.'], src, { GOOS: 'linux', GOARCH: b.goarch, ...b.extra });
      } finally {
        fs.rmSync(path.join(src, 'extra.go'), { force: true });
      }
      // WHEN goship reads it, and the go command does
      const bytes = fs.readFileSync(binary);
      const ours = readGoBuildInfo(bytes, readElf(bytes))!;
      const theirs = JSON.parse((await go('1.26.8', ['version', '-m', '-json', binary], src)).stdout) as Json;
      // THEN every field agrees
      expect(buildInfoFields(ours)).toEqual(goVersionFields(theirs));
      expect(ours.goVersion).toBe(`go${release}`);
      // AND the stamps are the ones this build asked for
      expect(ours.settings.GOARCH).toBe(b.goarch);
      if (b.extra.GOAMD64) {
        expect(ours.settings.GOAMD64).toBe(b.extra.GOAMD64);
      }
      if (b.extra.GOARM64) {
        expect(ours.settings.GOARM64).toBe(b.extra.GOARM64);
      }
      if (b.args.includes('-buildvcs=true')) {
        expect(ours.settings['vcs.modified']).toBe(String(b.dirty));
        // Go 1.24 and later stamp the main module's version from git, +dirty for a dirty tree.
        expect(ours.main?.version).toMatch(release === '1.19.8' ? /^\(devel\)$/ : b.dirty ? /^v0\.0\.0-\d{14}-[0-9a-f]{12}\+dirty$/ : /^v0\.0\.0-\d{14}-[0-9a-f]{12}$/);
      }
      expect(ours.settings['-trimpath']).toBe(b.args.includes('-trimpath') ? 'true' : undefined);
      // AND the SBOM lists the same modules at the same versions, and the release's stdlib
      const subject = sbomSubject(bytes, ours);
      expect({ main: subject.main.name, version: subject.main.version, deps: subject.dependencies.map((d) => `${d.name}@${d.version}`), stdlib: subject.stdlib.purl }).toEqual({
        main: theirs.Main.Path, version: theirs.Main.Version, deps: (theirs.Deps ?? []).map((d: Json) => `${d.Path}@${d.Version}`), stdlib: `pkg:golang/stdlib@${release}`,
      });
    });
  });
});

/** The fields of goship's go.mod reading that the go command's `go mod edit -json` also has. */
function goModFields(mod: ReturnType<typeof parseGoMod>): Json {
  return {
    module: mod.module, go: mod.go, toolchain: mod.toolchain, godebug: mod.godebug,
    requires: mod.requires, excludes: mod.excludes, replaces: mod.replaces.map(replaceFields),
    retracts: mod.retracts, tools: mod.tools, ignores: mod.ignores,
  };
}

function goCommandFields(j: Json): Json {
  return {
    module: j.Module.Path, go: j.Go, toolchain: j.Toolchain?.replace(/^go/, ''),
    godebug: (j.GoDebug ?? []).map((g: Json) => ({ key: g.Key, value: g.Value })),
    requires: (j.Require ?? []).map((r: Json) => ({ path: r.Path, version: r.Version })),
    excludes: (j.Exclude ?? []).map((r: Json) => ({ path: r.Path, version: r.Version })),
    replaces: (j.Replace ?? []).map(goReplaceFields),
    retracts: (j.Retract ?? []).map((r: Json) => ({ low: r.Low, high: r.High })),
    tools: (j.Tool ?? []).map((t: Json) => t.Path), ignores: (j.Ignore ?? []).map((t: Json) => t.Path),
  };
}

function replaceFields(r: { path: string; version?: string; target: string; targetVersion?: string }): Json {
  return { old: r.path, oldVersion: r.version, new: r.target, newVersion: r.targetVersion };
}

function goReplaceFields(r: Json): Json {
  return { old: r.Old.Path, oldVersion: r.Old.Version, new: r.New.Path, newVersion: r.New.Version };
}

function moduleFields(m: GoModule | undefined): Json | undefined {
  return m && { path: m.path, version: m.version, sum: m.sum || undefined, replace: moduleFields(m.replace) };
}

function buildInfoFields(info: GoBuildInfo): Json {
  return { goVersion: info.goVersion, path: info.path, main: moduleFields(info.main), deps: info.deps.map(moduleFields), settings: info.settings };
}

function goVersionFields(j: Json): Json {
  const mod = (m: Json | undefined): Json | undefined => m && { path: m.Path, version: m.Version, sum: m.Sum, replace: mod(m.Replace) };
  return {
    goVersion: j.GoVersion, path: j.Path, main: mod(j.Main), deps: (j.Deps ?? []).map(mod),
    settings: Object.fromEntries((j.Settings ?? []).map((s: Json) => [s.Key, s.Value ?? ''])),
  };
}
