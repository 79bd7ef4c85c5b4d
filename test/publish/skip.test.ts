import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Testing } from 'cdk8s';
import { GoStaticImage, Platform } from '../../lib';
import { publishPlan, PublishPlan } from '../../lib/image/publish-plan';
import { HostGoBuilder } from '../../lib/publish/build';
import { runtimeEntries } from '../../lib/publish/image';
import { PublishRecord, SkipFacts, skipKey } from '../../lib/publish/skip';
import { makeGoModule } from '../support/go-module';

const image = (context: string, props: Partial<ConstructorParameters<typeof GoStaticImage>[2]> = {}) =>
  new GoStaticImage(Testing.chart(), 'image', { context, repository: '127.0.0.1:5000/acme/api', tag: 'v1', platforms: [Platform.LINUX_AMD64], ...props });

const caBundle = (text: string) => {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'goship-ca-')), 'ca.crt');
  fs.writeFileSync(file, text);
  return file;
};

describe('GoStaticImage.inputDigest', () => {
  test('changes when a context file changes, also in a process that computed it before', () => {
    // GIVEN
    const dir = makeGoModule({ git: false });
    const before = image(dir).inputDigest();
    expect(image(dir).inputDigest()).toBe(before);
    // WHEN
    fs.appendFileSync(path.join(dir, 'main.go'), '\nvar edited = 1\n');
    // THEN
    expect(image(dir).inputDigest()).toMatch(/^[0-9a-f]{64}$/);
    expect(image(dir).inputDigest()).not.toBe(before);
  });

  test('changes with a build setting; a file the .dockerignore leaves out does not count', () => {
    const dir = makeGoModule({ git: false, files: { 'main.go': 'package main\n\nfunc main() {}\n', '.dockerignore': 'notes.txt\n' } });
    const before = image(dir).inputDigest();
    expect(image(dir, { buildTags: ['netgo'] }).inputDigest()).not.toBe(before);
    fs.writeFileSync(path.join(dir, 'notes.txt'), 'not an input');
    expect(image(dir).inputDigest()).toBe(before);
  });
});

describe('skipKey', () => {
  const dir = makeGoModule({ git: false });
  const plan = publishPlan(image(dir));
  const facts: SkipFacts = { toolchain: 'go go\nGOVERSION=go1.26.8', runtimeEntries: runtimeEntries(plan, { caBundle: caBundle('ca one') }), epoch: 0 };
  const key = skipKey(plan, facts)!;

  test('is a hex sha256, the same for the same inputs', () => {
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(skipKey(JSON.parse(JSON.stringify(plan)) as PublishPlan, { ...facts, runtimeEntries: runtimeEntries(plan, { caBundle: caBundle('ca one') }) })).toBe(key);
  });

  test.each<[string, PublishPlan, SkipFacts]>([
    ['the input digest (a context file)', { ...plan, inputDigest: 'f'.repeat(64) }, facts],
    ['the tag', { ...plan, ref: '127.0.0.1:5000/acme/api:v2' }, facts],
    ['the repository', { ...plan, repository: '127.0.0.1:5000/acme/web', ref: '127.0.0.1:5000/acme/web:v1' }, facts],
    ['the ldflags', { ...plan, ldflags: `${plan.ldflags} -X main.x=y` }, facts],
    ['the platforms', { ...plan, platforms: ['linux/arm64'] }, facts],
    ['the go module settings', { ...plan, goEnv: { GOFLAGS: '-mod=mod' } }, facts],
    ['the toolchain', plan, { ...facts, toolchain: 'go go\nGOVERSION=go1.26.9' }],
    ['the CA bundle', plan, { ...facts, runtimeEntries: runtimeEntries(plan, { caBundle: caBundle('ca two') }) }],
    ['SOURCE_DATE_EPOCH', plan, { ...facts, epoch: 1 }],
  ])('changes with %s', (_what, p, f) => {
    expect(skipKey(p, f)).not.toBe(key);
  });

  test('is undefined for a plan without an input digest: such an image is always built', () => {
    expect(skipKey({ ...plan, inputDigest: undefined }, facts)).toBeUndefined();
  });
});

describe('HostGoBuilder.fingerprint', () => {
  test('names the go version and changes with a go setting from the environment', async () => {
    const plan = publishPlan(image(makeGoModule({ git: false })));
    const plain = await new HostGoBuilder({ env: { ...process.env, GOFLAGS: '' } }).fingerprint(plan);
    expect(plain).toMatch(/^GOVERSION=go1\.\d+/m);
    const flagged = await new HostGoBuilder({ env: { ...process.env, GOFLAGS: '-tags=extra' } }).fingerprint(plan);
    expect(flagged).toContain('GOFLAGS=-tags=extra');
    expect(flagged).not.toBe(plain);
  });

  test('fails if go is missing, with the fix', async () => {
    const plan = publishPlan(image(makeGoModule({ git: false })));
    await expect(new HostGoBuilder({ go: '/nonexistent/go' }).fingerprint(plan)).rejects.toThrow("'/nonexistent/go' was not found. goship publish builds on this machine and needs only Go (no Docker)");
  });
});

describe('PublishRecord', () => {
  const key = 'a'.repeat(64);
  const digest = `sha256:${'b'.repeat(64)}`;

  test('reads back what it recorded; in GOSHIP_CACHE_DIR/publish by default', () => {
    const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'goship-cache-'));
    const record = new PublishRecord({ env: { GOSHIP_CACHE_DIR: cache } });
    expect(record.dir).toBe(path.join(cache, 'publish'));
    expect(record.get(key)).toBeUndefined();
    record.set(key, { ref: 'r:v1', digest });
    expect(record.get(key)).toEqual({ ref: 'r:v1', digest });
    expect(fs.readdirSync(record.dir)).toEqual([`${key}.json`]);
  });

  test('a corrupt record is no record', () => {
    const record = new PublishRecord({ dir: fs.mkdtempSync(path.join(os.tmpdir(), 'goship-cache-')) });
    fs.writeFileSync(path.join(record.dir, `${key}.json`), '{"ref": "r:v1", "digest": "sha256:trunc');
    expect(record.get(key)).toBeUndefined();
    fs.writeFileSync(path.join(record.dir, `${key}.json`), JSON.stringify({ ref: 'r:v1', digest: 'md5:x' }));
    expect(record.get(key)).toBeUndefined();
  });

  test('a record that cannot be written fails nothing', () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'goship-cache-')), 'a-file');
    fs.writeFileSync(file, '');
    const record = new PublishRecord({ dir: path.join(file, 'publish') });
    expect(() => record.set(key, { ref: 'r:v1', digest })).not.toThrow();
    expect(record.get(key)).toBeUndefined();
  });

  test('fails if a key is not a hex sha256', () => {
    expect(() => new PublishRecord({ dir: os.tmpdir() }).get('../x')).toThrow("a publish record key is a hex sha256, not '../x'");
  });
});
