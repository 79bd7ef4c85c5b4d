import { buildTags, goVersion, ldflags, mainPackage, versionVariable } from '../../lib/image/go-build';

describe('go build props', () => {
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
});
