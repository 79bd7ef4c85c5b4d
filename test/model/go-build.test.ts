import { goVersionOf, parseGoMod } from '../../lib/image/go-mod';
import { declaresVersionVariable } from '../../lib/image/go-module';
import { buildTags, goBuildCommand, goVersion, ldflags, mainPackage, versionVariable } from '../../lib/model/go-build';

describe('go.mod', () => {
  test('reads module, go and toolchain lines', () => {
    const mod = parseGoMod('// comment\nmodule example.com/x // trailing\n\ngo 1.21.0\n\ntoolchain go1.22.4\n\nrequire (\n\tgolang.org/x/net v0.1.0\n)\n');
    expect(mod).toEqual({ module: 'example.com/x', go: '1.21.0', toolchain: '1.22.4', requires: [{ path: 'golang.org/x/net', version: 'v0.1.0' }], replaces: [] });
    expect(goVersionOf(mod)).toBe('1.22.4');
    expect(goVersionOf(parseGoMod('module m\ngo 1.19\n'))).toBe('1.19');
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
