import * as fs from 'fs';
import * as path from 'path';
import { Testing } from 'cdk8s';
import { GoStaticImage } from '../../lib';
import { publishPlan } from '../../lib/image/publish-plan';
import { buildEnv, compareGo, HostGoBuilder } from '../../lib/publish/build';
import { makeGoModule } from '../support/go-module';

const plan = (context: string, goVersion?: string) => publishPlan(new GoStaticImage(Testing.chart(), 'image', { context, tag: 'v1', name: 'api', goVersion }));

describe('HostGoBuilder', () => {
  test('fails if go is missing, saying publish needs only Go and how to point at it', async () => {
    const builder = new HostGoBuilder({ go: '/nonexistent/go' });
    await expect(builder.build(plan(makeGoModule({ git: false }))))
      .rejects.toThrow("'/nonexistent/go' was not found. goship publish builds on this machine and needs only Go (no Docker): install Go (https://go.dev/dl/), put it on PATH or set GOSHIP_GO to the go command");
  });

  test('fails if go is older than go.mod needs, naming the image', async () => {
    const builder = new HostGoBuilder();
    await expect(builder.build(plan(makeGoModule({ git: false }), '1.99')))
      .rejects.toThrow(/^api \(test\/image\): go.mod needs Go 1.99, but 'go' is Go 1\.\d+.* install Go 1.99 or newer/);
  });

  test('fails if go build fails, naming the image and quoting go', async () => {
    const dir = makeGoModule({ git: false, files: { 'main.go': 'package main\n\nfunc main() { undefined() }\n' } });
    await expect(new HostGoBuilder().build(plan(dir)))
      .rejects.toThrow(/^api \(test\/image\): go build for linux\/amd64 failed in .*:\n(.|\n)*undefined: undefined/);
  });

  test('builds a static binary with the version written in', async () => {
    const dir = makeGoModule({ git: false });
    const [binary] = await new HostGoBuilder().build(plan(dir));
    expect(binary.platform).toBe('linux/amd64');
    expect(binary.content.subarray(0, 4).toString('latin1')).toBe('\x7fELF');
    expect(binary.content.includes(Buffer.from('v1'))).toBe(true);
    expect(fs.existsSync(path.join(dir, 'app'))).toBe(false);
  });
});

describe('buildEnv', () => {
  test('the image\'s module settings override the environment; the target is set per platform', () => {
    const p = { ...plan(makeGoModule({ git: false })), goEnv: { GOFLAGS: '-mod=mod' } };
    const env = buildEnv({ GOPROXY: 'off', GOFLAGS: '-x', GOARM: '5', CGO_ENABLED: '1' }, p, 'linux/arm/v7');
    expect(env).toMatchObject({ GOPROXY: 'off', GOFLAGS: '-mod=mod', CGO_ENABLED: '0', GOOS: 'linux', GOARCH: 'arm', GOARM: '7' });
    expect(buildEnv({}, p, 'linux/amd64/v3')).toMatchObject({ GOARCH: 'amd64', GOAMD64: 'v3' });
    expect(buildEnv({ GOAMD64: 'v2' }, p, 'linux/amd64').GOAMD64).toBeUndefined();
  });
});

test('compareGo orders Go versions, release candidates before releases', () => {
  expect(compareGo('1.26.8', '1.19')).toBeGreaterThan(0);
  expect(compareGo('1.19', '1.19.0')).toBe(0);
  expect(compareGo('1.22rc1', '1.22')).toBeLessThan(0);
  expect(compareGo('1.9', '1.19')).toBeLessThan(0);
});
