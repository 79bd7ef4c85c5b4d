import { compareGoVersions, goVersionOf, parseGoMod, parseGoWork } from '../../lib/image/go-mod';
import { declaresVersionVariable } from '../../lib/image/go-module';
import { buildTags, goBuildCommand, goVersion, ldflags, mainPackage, versionVariable } from '../../lib/model/go-build';

describe('go.mod', () => {
  test('reads module, go and toolchain lines', () => {
    const mod = parseGoMod('// comment\nmodule example.com/x // trailing\n\ngo 1.21.0\n\ntoolchain go1.22.4\n\nrequire (\n\tgolang.org/x/net v0.1.0\n)\n');
    expect(mod).toEqual({
      module: 'example.com/x', go: '1.21.0', toolchain: '1.22.4', godebug: [], requires: [{ path: 'golang.org/x/net', version: 'v0.1.0' }],
      excludes: [], replaces: [], retracts: [], tools: [], ignores: [],
    });
    expect(goVersionOf(mod)).toBe('1.22.4');
    expect(goVersionOf(parseGoMod('module m\ngo 1.19\n'))).toBe('1.19');
  });

  test('without a toolchain line the builder is the newest patch of the go line\'s minor', () => {
    expect(goVersionOf(parseGoMod('module m\ngo 1.25.0\n'))).toBe('1.25');
    expect(goVersionOf(parseGoMod('module m\ngo 1.26rc1\n'))).toBe('1.26');
  });

  test('reads godebug (line and block), tool, ignore, retract and exclude as Go 1.23-1.25 write them', () => {
    const mod = parseGoMod([
      'module example.com/m', '', 'go 1.25.0', '', 'godebug default=go1.21', '', 'godebug (', '\tpanicnil=1', '\thttp2client=0', ')', '',
      'tool example.com/m/cmd/gen', '', 'tool (', '\tgolang.org/x/tools/cmd/stringer', ')', '', 'ignore ./node_modules', '',
      'retract v1.0.1', '', 'retract [v1.1.0, v1.1.5] // broken', '', 'exclude golang.org/x/text v0.3.7', '',
    ].join('\n'));
    expect(mod.godebug).toEqual([{ key: 'default', value: 'go1.21' }, { key: 'panicnil', value: '1' }, { key: 'http2client', value: '0' }]);
    expect(mod.tools).toEqual(['example.com/m/cmd/gen', 'golang.org/x/tools/cmd/stringer']);
    expect(mod.ignores).toEqual(['./node_modules']);
    expect(mod.retracts).toEqual([{ low: 'v1.0.1', high: 'v1.0.1' }, { low: 'v1.1.0', high: 'v1.1.5' }]);
    expect(mod.excludes).toEqual([{ path: 'golang.org/x/text', version: 'v0.3.7' }]);
  });

  test('reads go.work with toolchain and godebug', () => {
    expect(parseGoWork('go 1.25.0\n\ntoolchain go1.26.8\n\ngodebug default=go1.24\n\nuse (\n\t./a\n\t./b\n)\n')).toEqual({
      go: '1.25.0', toolchain: '1.26.8', godebug: [{ key: 'default', value: 'go1.24' }], uses: ['./a', './b'], replaces: [],
    });
  });

  test('orders Go versions as the go command does', () => {
    const sorted = ['1.21.1', '1.9', '1.21', '1.21.0', '1.21rc1', '1.21beta1', '1.22'].sort(compareGoVersions);
    expect(sorted).toEqual(['1.9', '1.21', '1.21beta1', '1.21rc1', '1.21.0', '1.21.1', '1.22']);
  });

  test('fails if a godebug line is not key=value', () => {
    expect(() => parseGoMod('module m\ngo 1.23\ngodebug panicnil\n')).toThrow(/godebug panicnil' — is not a godebug setting Go accepts — write 'godebug <key>=<value>'/);
  });

  test('fails if go.mod has no module line', () => {
    expect(() => parseGoMod('go 1.22\n')).toThrow(/has no 'module' line/);
  });
});

describe('build flags', () => {
  test('the command is static-friendly: -trimpath, tags, -s -w and the version', () => {
    expect(goBuildCommand({ main: './cmd/api', tags: ['netgo', 'timetzdata'], versionVariable: 'main.version', stripSymbols: true, ldflags: ["-X 'main.greeting=hi there'"] }, '${VERSION}'))
      .toBe("go build -trimpath -tags netgo,timetzdata -ldflags=\"-s -w -X main.version=${VERSION} -X 'main.greeting=hi there'\" -o /out/app ./cmd/api");
    expect(goBuildCommand({ main: '.', tags: [], stripSymbols: false, ldflags: [] }, '${VERSION}')).toBe('go build -trimpath -o /out/app .');
  });

  test('validators accept the usual values', () => {
    expect(goVersion('goVersion', '1.22.4')).toBe('1.22.4');
    expect(goVersion('goVersion', '1.23rc1')).toBe('1.23rc1');
    expect(buildTags('buildTags', ['netgo', 'osusergo'])).toEqual(['netgo', 'osusergo']);
    expect(versionVariable('versionVariable', 'example.com/app/internal/build.Version')).toBe('example.com/app/internal/build.Version');
    expect(mainPackage('main', './cmd/api/')).toBe('./cmd/api');
  });

  test.each([
    [() => goVersion('goVersion', 'go1.22'), /^goVersion: 'go1.22' — not a Go release version/],
    [() => buildTags('buildTags', ['net go']), /^buildTags: 'net go' — not a Go build tag/],
    [() => buildTags('buildTags', ['cgo']), /CGO_ENABLED=0/],
    [() => ldflags('ldflags', ['-X main.x="a"']), /^ldflags: .* may not be empty or contain/],
    [() => ldflags('ldflags', ['-linkmode=external']), /external linker needs cgo/],
    [() => ldflags('ldflags', ['-extldflags', '-static']), /external linker needs cgo/],
    [() => versionVariable('versionVariable', 'version'), /not a Go package-qualified variable name/],
    [() => mainPackage('main', 'cmd/api'), /not a package path relative to the context/],
    [() => mainPackage('main', './../other'), /not a package path relative to the context/],
  ])('fails if a build flag is invalid (%#)', (fn, message) => {
    expect(fn).toThrow(message);
  });

  test('finds a package-level version variable, alone or in a var block', () => {
    expect(declaresVersionVariable('package main\nvar version = "dev"\n')).toBe(true);
    expect(declaresVersionVariable('package main\nvar version string\n')).toBe(true);
    expect(declaresVersionVariable('package main\nvar (\n\tcommit string\n\tversion = "dev"\n)\n')).toBe(true);
    expect(declaresVersionVariable('package main\nfunc f() { version := 1; _ = version }\n')).toBe(false);
    expect(declaresVersionVariable('package main\nvar versionInfo = 1\n')).toBe(false);
  });
});
