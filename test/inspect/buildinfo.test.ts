import * as fs from 'fs';
import { BuildInfoError, parseModInfo, readGoBuildInfo } from '../../lib/inspect/buildinfo';
import { readElf } from '../../lib/inspect/elf';
import { describeWithGo, GoBinaries, goBinaries } from '../verify/go-binaries';
import { buildElf, goBuildInfoBlob, sampleModInfo } from './elf-builder';

describe('readGoBuildInfo on crafted blobs', () => {
  it('GIVEN an inline blob in .go.buildinfo WHEN read THEN version, module, deps and settings come out', () => {
    const bytes = buildElf({ goBuildInfo: goBuildInfoBlob('go1.22.5', sampleModInfo({ CGO_ENABLED: '0', GOARCH: 'amd64', GOOS: 'linux' })) });

    expect(readGoBuildInfo(bytes, readElf(bytes))).toEqual({
      goVersion: 'go1.22.5',
      path: 'example.com/hello',
      main: { path: 'example.com/hello', version: '(devel)', sum: '' },
      deps: [{ path: 'golang.org/x/sys', version: 'v0.1.0', sum: 'h1:abc=' }],
      settings: { CGO_ENABLED: '0', GOARCH: 'amd64', GOOS: 'linux' },
    });
  });

  it('GIVEN no section headers WHEN read THEN the blob is found by scanning aligned offsets', () => {
    const bytes = buildElf({ sections: false, goBuildInfo: goBuildInfoBlob('go1.21.0', sampleModInfo({ CGO_ENABLED: '1' })) });

    expect(readGoBuildInfo(bytes, readElf(bytes))?.settings).toEqual({ CGO_ENABLED: '1' });
    expect(readGoBuildInfo(bytes)?.goVersion).toBe('go1.21.0');
  });

  it('GIVEN a long module info WHEN read THEN a multi-byte varint length is decoded', () => {
    const deps = Array.from({ length: 40 }, (_, i) => `dep\texample.com/m${i}\tv1.0.${i}\th1:x=`).join('\n');
    const bytes = buildElf({ goBuildInfo: goBuildInfoBlob('go1.22.0', `path\tx\n${deps}\n`) });

    expect(readGoBuildInfo(bytes)?.deps).toHaveLength(40);
  });

  it('GIVEN a binary without the magic WHEN read THEN there is no build info', () => {
    expect(readGoBuildInfo(buildElf())).toBeUndefined();
  });

  it('GIVEN the magic at an unaligned offset WHEN read THEN it is ignored', () => {
    const blob = goBuildInfoBlob('go1.22.0', '');
    const buf = Buffer.concat([Buffer.alloc(3), blob, Buffer.alloc(32)]);
    expect(readGoBuildInfo(buf)).toBeUndefined();
  });

  it('GIVEN a build without modules WHEN read THEN only the Go version is known', () => {
    expect(readGoBuildInfo(buildElf({ goBuildInfo: goBuildInfoBlob('go1.20', '') }))).toEqual({ goVersion: 'go1.20', deps: [], settings: {} });
  });

  it('fails if the build info is the pre-1.18 pointer format, saying so', () => {
    const bytes = buildElf({ goBuildInfo: goBuildInfoBlob('go1.16', '', { inline: false }) });
    expect(() => readGoBuildInfo(bytes)).toThrow(BuildInfoError);
    expect(() => readGoBuildInfo(bytes)).toThrow(/unsupported Go < 1.18 build info/);
  });

  it('fails if a length runs past the end of the file', () => {
    const blob = Buffer.from(goBuildInfoBlob('go1.22.0', sampleModInfo({})));
    const cut = Buffer.concat([Buffer.alloc(16), blob.subarray(0, 50)]);
    expect(() => readGoBuildInfo(cut)).toThrow(/truncated Go build info: the module info .* runs past the end/);
  });

  it('never throws anything but BuildInfoError on any truncation', () => {
    const blob = Buffer.concat([Buffer.alloc(16), goBuildInfoBlob('go1.22.0', sampleModInfo({ '-ldflags': '"-s -w"' }))]);
    for (let n = 0; n <= blob.length; n++) {
      try {
        readGoBuildInfo(blob.subarray(0, n));
      } catch (e) {
        expect(e).toBeInstanceOf(BuildInfoError);
      }
    }
  });
});

describe('parseModInfo', () => {
  it('GIVEN quoted settings and a replaced module WHEN parsed THEN values are unquoted and the replacement kept', () => {
    const info = parseModInfo([
      'path\texample.com/app',
      'mod\texample.com/app\tv1.2.3\th1:main=',
      'dep\tgolang.org/x/net\tv0.1.0',
      '=>\t../net\t(devel)\t',
      'build\t-ldflags="-s -w -X \\"main.v=a b\\""',
      'build\t-tags=netgo,osusergo',
      'build\t"odd key"=`raw value`',
      'build\tvcs.modified=false',
      '',
    ].join('\n'));

    expect(info.deps).toEqual([{ path: 'golang.org/x/net', version: 'v0.1.0', sum: '', replace: { path: '../net', version: '(devel)', sum: '' } }]);
    expect(info.settings).toEqual({ '-ldflags': '-s -w -X "main.v=a b"', '-tags': 'netgo,osusergo', 'odd key': 'raw value', 'vcs.modified': 'false' });
  });

  test.each([
    ['mod\tonly-one-column', /line 1 .*expected 2 or 3 columns, got 1/],
    ['=>\tx\ty\tz', /a replacement with no module on the line before/],
    ['build\tnoequals', /missing '='/],
    ['build\t=value', /a setting with no key/],
    ['build\tk="unterminated', /invalid quoted value/],
  ])('fails if a line is malformed: %j', (text, message) => {
    expect(() => parseModInfo(`${text}\n`)).toThrow(message);
  });
});

describeWithGo('readGoBuildInfo on real Go binaries', () => {
  let bins: GoBinaries;
  beforeAll(() => {
    bins = goBinaries();
  }, 15 * 60 * 1000);
  const read = (file: string): ReturnType<typeof readGoBuildInfo> => {
    const bytes = fs.readFileSync(file);
    return readGoBuildInfo(bytes, readElf(bytes));
  };

  test.each([
    ['amd64', { GOARCH: 'amd64', CGO_ENABLED: '0', GOAMD64: 'v1' }],
    ['arm64', { GOARCH: 'arm64', CGO_ENABLED: '0' }],
    ['armv7', { GOARCH: 'arm', GOARM: '7', CGO_ENABLED: '0' }],
    ['s390x', { GOARCH: 's390x', CGO_ENABLED: '0' }],
    ['cgo', { GOARCH: 'amd64', CGO_ENABLED: '1' }],
    ['pie', { GOARCH: 'amd64', CGO_ENABLED: '0' }],
  ] as const)('GIVEN the %s build WHEN read THEN its settings are %j', (name, settings) => {
    const info = read(bins[name])!;

    expect(info.goVersion).toMatch(/^go1\.\d+/);
    // Go 1.24 and later stamp the main module's version from git when -buildvcs is on.
    const version = name === 'amd64' ? `v0.0.0-${bins.commitTime}-${bins.revision.slice(0, 12)}` : '(devel)';
    expect(info.main).toEqual({ path: 'example.com/hello', version, sum: '' });
    expect(info.settings).toMatchObject({ GOOS: 'linux', ...settings });
  });

  it('GIVEN a build in a git work tree WHEN read THEN it names the commit', () => {
    expect(read(bins.amd64)!.settings).toMatchObject({ vcs: 'git', 'vcs.revision': bins.revision, 'vcs.modified': 'false' });
  });

  it('GIVEN -tags and a quoted -ldflags WHEN read THEN both are unquoted', () => {
    expect(read(bins.flags)!.settings).toMatchObject({ '-tags': 'netgo', '-ldflags': '-s -w -X "main.version=1.2 beta"' });
  });
});
