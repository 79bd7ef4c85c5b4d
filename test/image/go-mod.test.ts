import { compareGoVersions, goVersionOf, parseGoMod, parseGoWork } from '../../lib/image/go-mod';

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
