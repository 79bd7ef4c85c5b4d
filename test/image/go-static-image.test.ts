import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Testing } from 'cdk8s';
import { GoStaticImage, ImageTag, Platform, RuntimeBase, ValidationError } from '../../lib';
import { clearGitCache } from '../../lib/image/git';
import { headCommit, makeGoModule } from '../support/go-module';

beforeEach(() => clearGitCache());

describe('GoStaticImage defaults', () => {
  test('tag from the git commit, amd64, scratch, 65532, port 8080, go version from go.mod', () => {
    // GIVEN a committed module that declares main.version
    const dir = makeGoModule();
    const chart = Testing.chart();
    // WHEN
    const image = new GoStaticImage(chart, 'image', { context: dir, repository: 'ghcr.io/acme/hello' });
    // THEN
    const commit = headCommit(dir);
    expect(image.tag).toBe(commit.slice(0, 7));
    expect(image.imageRef).toBe(`ghcr.io/acme/hello:${commit.slice(0, 7)}`);
    expect(image.revision).toBe(commit);
    expect(image.name).toBe('hello');
    expect(image.platforms.map(String)).toEqual(['linux/amd64']);
    expect(image.runtime.kind).toBe('scratch');
    expect([image.uid, image.gid, image.port]).toEqual([65532, 65532, 8080]);
    expect(image.goVersion).toBe('1.22');
    expect(image.builderImage).toBe('golang:1.22');
    expect(image.timeZoneData).toBe('embedded');
    expect(image.build).toEqual({ main: '.', tags: [], ldflags: [], versionVariable: 'main.version', linkValues: {}, stripSymbols: true, vendor: false });
  });

  test('the tag is -dirty when the context has uncommitted changes', () => {
    const dir = makeGoModule();
    fs.writeFileSync(path.join(dir, 'extra.go'), 'package main\n');
    const image = new GoStaticImage(Testing.chart(), 'image', { context: dir });
    expect(image.tag).toBe(`${headCommit(dir).slice(0, 7)}-dirty`);
  });

  test('the dated form uses the commit date, so a rebuild of the same commit gets the same tag', () => {
    const dir = makeGoModule({ commitDate: '2026-11-28T23:59:59Z' });
    const image = new GoStaticImage(Testing.chart(), 'image', { context: dir, tag: ImageTag.gitCommitDated() });
    expect(image.tag).toBe(`build-${headCommit(dir).slice(0, 8)}-20261128`);
  });

  test('the go line alone gives the newest patch of its minor, not the first release of it', () => {
    const dir = makeGoModule({ goMod: 'module m\n\ngo 1.25.0\n' });
    const image = new GoStaticImage(Testing.chart(), 'image', { context: dir });
    expect([image.goVersion, image.builderImage]).toEqual(['1.25', 'golang:1.25']);
    expect(image.renderDockerfile()).toMatch(/^ENV CGO_ENABLED=0 GOTOOLCHAIN=local /m);
  });

  test('a goVersion or golang builder at or above the go line is accepted, a bare minor standing for its newest patch', () => {
    const dir = makeGoModule({ goMod: 'module m\n\ngo 1.25.3\n' });
    const chart = Testing.chart();
    expect(new GoStaticImage(chart, 'a', { context: dir, goVersion: '1.25' }).builderImage).toBe('golang:1.25');
    expect(new GoStaticImage(chart, 'b', { context: dir, builderImage: `golang:1.25.3-bookworm@sha256:${'a'.repeat(64)}` }).goVersion).toBe('1.25');
    expect(new GoStaticImage(chart, 'c', { context: dir, builderImage: 'registry.example.com/ci/go-builder:1.19' }).builderImage).toBe('registry.example.com/ci/go-builder:1.19');
  });

  test.each([
    ['goVersion older than the go line', 'module m\n\ngo 1.25.0\n', { goVersion: '1.19' }, /^\[test\/image\] goVersion: '1.19' — builds with Go 1.19, older than go.mod's 'go 1.25.0': the go command refuses to build it, .* — use Go 1.25 or newer/],
    ['a golang builder tag older than the go line', 'module m\n\ngo 1.25.0\n', { builderImage: 'golang:1.19' }, /^\[test\/image\] builderImage: 'golang:1.19' — builds with Go 1.19, older than go.mod's 'go 1.25.0'/],
    ['a patch below the go line', 'module m\n\ngo 1.25.3\n', { goVersion: '1.25.1' }, /goVersion: '1.25.1' — builds with Go 1.25.1, older than go.mod's 'go 1.25.3'/],
    ['a builder older than the toolchain line', 'module m\n\ngo 1.25.0\n\ntoolchain go1.26.8\n', { goVersion: '1.26.2' }, /goVersion: '1.26.2' — builds with Go 1.26.2, older than go.mod's 'toolchain go1.26.8': the image would be built by another Go than the module names — use Go 1.26.8 or newer/],
  ])('fails if %s', (_what, goMod, props, message) => {
    const dir = makeGoModule({ goMod });
    expect(() => new GoStaticImage(Testing.chart(), 'image', { context: dir, ...props })).toThrow(message);
  });

  test('the toolchain line wins over the go line', () => {
    const dir = makeGoModule({ goMod: 'module m\n\ngo 1.21.0\n\ntoolchain go1.22.5\n' });
    expect(new GoStaticImage(Testing.chart(), 'image', { context: dir }).builderImage).toBe('golang:1.22.5');
  });

  test('no version variable is set when main does not declare one', () => {
    const dir = makeGoModule({ files: { 'cmd/api/main.go': 'package main\n\nfunc main() {}\n' } });
    const image = new GoStaticImage(Testing.chart(), 'image', { context: dir, main: './cmd/api' });
    expect(image.build.versionVariable).toBeUndefined();
    expect(image.renderDockerfile()).toContain('-ldflags="-s -w" -o /out/app ./cmd/api');
  });

  test('go.sum is copied with go.mod when it exists', () => {
    const dir = makeGoModule({ files: { 'main.go': 'package main\nfunc main() {}\n', 'go.sum': '' } });
    expect(new GoStaticImage(Testing.chart(), 'image', { context: dir }).renderDockerfile()).toContain('COPY go.mod go.sum ./');
  });

  test('a name is derived from the construct path when there is no repository', () => {
    const dir = makeGoModule();
    const image = new GoStaticImage(Testing.chart(), 'ApiImage', { context: dir, tag: 'v1' });
    expect(image.name).toBe('test-api-image');
    expect(image.imageRef).toBe('test-api-image:v1');
  });
});

describe('GoStaticImage overrides', () => {
  test('every knob reaches the image and its Dockerfile', () => {
    const dir = makeGoModule({ git: false });
    const image = new GoStaticImage(Testing.chart(), 'image', {
      context: dir,
      name: 'api',
      repository: 'localhost:5000/team/api',
      tag: 'v1.4.2',
      platforms: [Platform.LINUX_ARM64, Platform.custom('linux/arm/v7')],
      goVersion: '1.23.1',
      builderImage: `golang:1.23.1@sha256:${'b'.repeat(64)}`,
      buildTags: ['netgo'],
      ldflags: ["-X 'main.greeting=hi there'"],
      versionVariable: 'main.version',
      stripSymbols: false,
      runtime: RuntimeBase.distrolessStatic(),
      port: 9090,
      user: '10001:10002',
      source: 'https://github.com/acme/api',
      dockerignore: ['docs/'],
    });
    expect(image.imageRef).toBe('localhost:5000/team/api:v1.4.2');
    expect(image.revision).toBeUndefined();
    expect([image.uid, image.gid, image.port]).toEqual([10001, 10002, 9090]);
    const text = image.renderDockerfile();
    expect(text).toContain(`FROM --platform=$BUILDPLATFORM golang:1.23.1@sha256:${'b'.repeat(64)} AS build`);
    expect(text).toContain("go build -trimpath -tags netgo -ldflags=\"-X main.version=${VERSION} -X 'main.greeting=hi there'\" -o /out/app .");
    expect(text).toContain('USER 10001:10002\nEXPOSE 9090\n');
    expect(text).toContain('FROM gcr.io/distroless/static-debian12:nonroot\n');
    expect(text).toContain('org.opencontainers.image.source="https://github.com/acme/api"');
    expect(image.renderDockerignore()).toContain('\ndocs/\n');
    expect(image.labels).toEqual({ 'org.opencontainers.image.source': 'https://github.com/acme/api', 'org.opencontainers.image.version': 'v1.4.2' });
  });

  test('versionVariable: false sets none even when main declares one', () => {
    const dir = makeGoModule();
    expect(new GoStaticImage(Testing.chart(), 'image', { context: dir, versionVariable: false }).build.versionVariable).toBeUndefined();
  });
});

describe('GoStaticImage validation', () => {
  const dir = makeGoModule();
  const cases: Array<[string, Record<string, unknown>, string, RegExp]> = [
    ['a non-linux GOOS', { platforms: [Platform.custom('linux/amd64'), 'windows/amd64'] }, 'platforms', /GOOS 'windows' is not linux/],
    ['an unknown GOARCH', { platforms: ['linux/sparc'] }, 'platforms', /'sparc' is not a Go architecture/],
    ['no platform', { platforms: [] }, 'platforms', /at least one platform/],
    ['a platform twice', { platforms: [Platform.LINUX_ARM64, Platform.LINUX_ARM64] }, 'platforms', /listed twice/],
    ['the tag is latest', { tag: 'latest' }, 'tag', /'latest' is mutable/],
    ['the tag breaks the grammar', { tag: '-v1' }, 'tag', /not a valid image tag/],
    ['the user is root', { user: '0:0' }, 'user', /runs as root/],
    ['the group is root', { user: '1000:0' }, 'user', /runs as root/],
    ['the user is a name', { user: 'nonroot' }, 'user', /must be numeric/],
    ['the repository has upper case', { repository: 'ghcr.io/Acme/hello' }, 'repository', /not a valid image repository/],
    ['the repository has a tag', { repository: 'ghcr.io/acme/hello:v1' }, 'repository', /has no tag or digest/],
    ['the port is 0', { port: 0 }, 'port', /not a port number/],
    ['the port is 70000', { port: 70000 }, 'port', /not a port number/],
    ['the port is not whole', { port: 80.5 }, 'port', /not a port number/],
    ['the go version is malformed', { goVersion: 'latest' }, 'goVersion', /not a Go release version/],
    ['the builder image is unpinned', { builderImage: 'golang' }, 'builderImage', /untagged reference means :latest/],
    ['the name is not a DNS label', { name: 'Hello_World' }, 'name', /not a DNS-1123 label/],
    ['main is outside the context', { main: '../x' }, 'main', /not a package path relative to the context/],
    ['main is not package main', { main: './nothing' }, 'main', /has no Go file in package main/],
    ['a build tag is malformed', { buildTags: ['a b'] }, 'buildTags', /not a Go build tag/],
    ['an ldflag needs cgo', { ldflags: ['-linkmode=external'] }, 'ldflags', /external linker needs cgo/],
    ['the time zone source is unknown', { timeZoneData: 'cloud' }, 'timeZoneData', /not a time zone data source/],
    ['the runtime is a string', { runtime: 'scratch' }, 'runtime', /not a RuntimeBase/],
    ['the version variable is unqualified', { versionVariable: 'version' }, 'versionVariable', /package-qualified/],
  ];

  test.each(cases)('fails if %s', (_, props, prop, why) => {
    const make = () => new GoStaticImage(Testing.chart(), 'image', { context: dir, ...props } as any);
    expect(make).toThrow(ValidationError);
    expect(make).toThrow(why);
    try {
      make();
    } catch (e) {
      expect((e as ValidationError).message.startsWith(`[test/image] ${prop}: `)).toBe(true);
      expect((e as ValidationError).prop).toBe(prop);
    }
  });

  test('fails if the context has no go.mod', () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'goship-empty-'));
    expect(() => new GoStaticImage(Testing.chart(), 'image', { context: empty, tag: 'v1' })).toThrow(/^\[test\/image\] context: '.*' — has no go.mod — point context at the module root/);
  });

  test('fails if the context does not exist', () => {
    expect(() => new GoStaticImage(Testing.chart(), 'image', { context: '/nonexistent/goship', tag: 'v1' })).toThrow(/context: '\/nonexistent\/goship' — is not a directory/);
  });

  test('fails if the tag must come from git but the context is not in a repository', () => {
    const noGit = makeGoModule({ git: false });
    expect(() => new GoStaticImage(Testing.chart(), 'image', { context: noGit })).toThrow(/\[test\/image\] tag: undefined — cannot derive a tag: .* is not in a git work tree/);
  });

  test('fails if go.mod has no go line and goVersion is unset', () => {
    const old = makeGoModule({ goMod: 'module m\n' });
    expect(() => new GoStaticImage(Testing.chart(), 'image', { context: old })).toThrow(/goVersion: undefined — go.mod has no 'go' line/);
  });
});
