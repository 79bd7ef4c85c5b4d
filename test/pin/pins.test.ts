import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Chart } from 'cdk8s';
import { parseAllDocuments } from 'yaml';
import { GoshipApp, GoStaticImage, Platform, RollingDeployment } from '../../lib';
import { CliIo, main } from '../../lib/cli/main';
import { makeGoModule } from '../support/go-module';

const DIGEST = `sha256:${'a'.repeat(64)}`;
const OTHER = `sha256:${'b'.repeat(64)}`;

function capture(): CliIo & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (t) => stdout.push(t), err: (t) => stderr.push(t) };
}

/** A repository with one Go module and an app of one chart: api (amd64 + arm64), deployed. */
function project(tag = 'v1.0.0') {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'goship-pin-'));
  const module = makeGoModule();
  const synth = (opts: { tag?: string; pinsFile?: string | false } = {}) => {
    const app = new GoshipApp({ outdir: path.join(root, 'dist'), rootdir: root, warn: () => undefined, pinsFile: opts.pinsFile });
    const chart = new Chart(app, 'api');
    const image = new GoStaticImage(chart, 'image', {
      context: module, repository: 'ghcr.io/acme/api', tag: opts.tag ?? tag,
      platforms: [Platform.LINUX_AMD64, Platform.LINUX_ARM64], builderImage: `golang:1.22@${OTHER}`,
    });
    new RollingDeployment(chart, 'api', { image });
    app.synth();
    return image;
  };
  const read = (rel: string) => fs.readFileSync(path.join(root, rel), 'utf8');
  const images = () => parseAllDocuments(read('dist/api.k8s.yaml')).map((d) => d.toJS())
    .filter((o) => o.kind === 'Deployment').map((o) => o.spec.template.spec.containers[0].image as string);
  const metadata = (entries: unknown) => {
    const file = path.join(root, 'metadata.json');
    fs.writeFileSync(file, JSON.stringify(entries));
    return file;
  };
  const pin = async (...args: string[]) => {
    const io = capture();
    const cwd = process.cwd();
    process.chdir(root);
    try {
      return { code: await main(['pin', ...args], io), ...io };
    } finally {
      process.chdir(cwd);
    }
  };
  return { root, synth, read, images, metadata, pin };
}

/** What buildx writes for a multi-platform push of `name`. */
function pushed(name: string, digest = DIGEST) {
  return {
    'buildx.build.ref': 'default/default/abc',
    'containerimage.descriptor': { mediaType: 'application/vnd.oci.image.index.v1+json', digest, size: 856 },
    'containerimage.digest': digest,
    'image.name': name,
  };
}

describe('goship pin <metadata-file>', () => {
  test('pins the pushed index digest into the YAML and the pin file; synth again writes the same bytes', async () => {
    // GIVEN a synthesized app and buildx's metadata file for its push
    const p = project();
    p.synth();
    const file = p.metadata({ api: pushed('ghcr.io/acme/api:v1.0.0') });

    // WHEN
    const result = await p.pin(file);

    // THEN the YAML names the bytes that run
    expect(result.stderr).toEqual([]);
    expect(result.code).toBe(0);
    expect(result.stdout[0]).toBe(`api  ghcr.io/acme/api:v1.0.0@${DIGEST}`);
    expect(p.images()).toEqual([`ghcr.io/acme/api:v1.0.0@${DIGEST}`]);
    expect(JSON.parse(p.read('goship.pins.json')).images).toEqual({ api: { ref: 'ghcr.io/acme/api:v1.0.0', digest: DIGEST } });
    // AND a new synth reads the pin file and writes exactly what pin wrote
    const pinned = p.read('dist/api.k8s.yaml');
    p.synth();
    expect(p.read('dist/api.k8s.yaml')).toBe(pinned);
  });

  test('a new tag never keeps the old digest; pinsFile: false ignores the pins', async () => {
    // GIVEN pinned output
    const p = project();
    p.synth();
    await p.pin(p.metadata({ api: pushed('ghcr.io/acme/api:v1.0.0') }));
    // WHEN the next commit builds a new tag
    p.synth({ tag: 'v1.0.1' });
    // THEN it is written by tag until it is pinned again
    expect(p.images()).toEqual(['ghcr.io/acme/api:v1.0.1']);
    // AND pins off gives the tag too
    p.synth({ pinsFile: false });
    expect(p.images()).toEqual(['ghcr.io/acme/api:v1.0.0']);
  });

  test('leaves the bytes of YAML without a pinned image alone', async () => {
    // GIVEN a file in the output that pin has nothing to do in, written by hand
    const p = project();
    p.synth();
    const other = '# by hand\napiVersion: v1\nkind:   ConfigMap\nmetadata: {name: other}\n';
    fs.writeFileSync(path.join(p.root, 'dist', 'other.k8s.yaml'), other);
    // WHEN
    const result = await p.pin(p.metadata({ api: pushed('ghcr.io/acme/api:v1.0.0') }));
    // THEN
    expect(result.stdout[1]).toBe('pinned 1 image(s); 1 file(s) changed: api.k8s.yaml; pins in goship.pins.json');
    expect(p.read('dist/other.k8s.yaml')).toBe(other);
  });

  test('pinning again replaces the digest', async () => {
    const p = project();
    p.synth();
    await p.pin(p.metadata({ api: pushed('ghcr.io/acme/api:v1.0.0') }));
    await p.pin(p.metadata({ api: pushed('ghcr.io/acme/api:v1.0.0', OTHER) }));
    expect(p.images()).toEqual([`ghcr.io/acme/api:v1.0.0@${OTHER}`]);
  });

  test.each([
    ['a metadata file of the wrong shape', ['x'], /metadata\.json: not a buildx metadata file \(expected an object of bake targets\)/],
    ['an image with no digest', { api: { 'image.name': 'ghcr.io/acme/api:v1.0.0' } }, /image 'api' \(ghcr\.io\/acme\/api:v1\.0\.0\) has no containerimage\.digest — bake it with --push/],
    ['a digest for an image goship does not know', { api: pushed('ghcr.io/acme/api:v1.0.0'), web: pushed('ghcr.io/acme/web:v1') }, /'web' is not an image goship built \(docker-bake\.json has 'api'\)/],
    ['a digest that is not sha256', { api: { ...pushed('ghcr.io/acme/api:v1.0.0'), 'containerimage.digest': 'md5:x' } }, /api: containerimage\.digest: 'md5:x' — not a sha256 digest/],
    ['a push of another tag (a stale bake file)', { api: pushed('ghcr.io/acme/api:v0.9.0') }, /image 'api' was pushed as ghcr\.io\/acme\/api:v0\.9\.0, not as ghcr\.io\/acme\/api:v1\.0\.0/],
    ['one platform pushed for a multi-platform image', { api: { ...pushed('ghcr.io/acme/api:v1.0.0'), 'containerimage.descriptor': { mediaType: 'application/vnd.oci.image.manifest.v1+json' } } }, /built for linux\/amd64, linux\/arm64, but its digest is of a single application\/vnd\.oci\.image\.manifest\.v1\+json/],
  ])('fails if given %s, and leaves the output and the pin file untouched', async (_, entries, message) => {
    // GIVEN pinned output
    const p = project();
    p.synth();
    await p.pin(p.metadata({ api: pushed('ghcr.io/acme/api:v1.0.0') }));
    const before = { yaml: p.read('dist/api.k8s.yaml'), pins: p.read('goship.pins.json') };
    // WHEN
    const result = await p.pin(p.metadata(entries));
    // THEN
    expect(result.code).toBe(1);
    expect(result.stderr.join('\n')).toMatch(message);
    expect({ yaml: p.read('dist/api.k8s.yaml'), pins: p.read('goship.pins.json') }).toEqual(before);
  });

  test('fails if the metadata file is not JSON, or there is no synthesized output', async () => {
    const p = project();
    fs.writeFileSync(path.join(p.root, 'broken.json'), '{');
    expect((await p.pin('broken.json')).stderr.join('\n')).toMatch(/docker-bake\.json: no such file — synthesize first/);
    p.synth();
    const broken = await p.pin('broken.json');
    expect(broken.code).toBe(1);
    expect(broken.stderr.join('\n')).toMatch(/broken\.json: not valid JSON .* — write it with docker buildx bake --push --metadata-file broken\.json/);
  });

  test('fails if given no metadata file, with usage and exit code 2', async () => {
    const p = project();
    const result = await p.pin();
    expect(result.code).toBe(2);
    expect(result.stderr[0]).toBe('goship pin: give the metadata file, or --from-registry');
  });
});

describe('the pin file read by synth', () => {
  test('fails if the pin file is malformed, naming it and the fix, and writes nothing', () => {
    const p = project();
    p.synth();
    const before = p.read('dist/api.k8s.yaml');
    fs.writeFileSync(path.join(p.root, 'goship.pins.json'), JSON.stringify({ images: { api: { ref: 'ghcr.io/acme/api:v1.0.0', digest: 'sha256:short' } } }));
    expect(() => p.synth()).toThrow(/goship\.pins\.json: images\.api\.digest: 'sha256:short' — not a sha256 digest .* — run `goship pin` again to rewrite it, or delete it/);
    expect(p.read('dist/api.k8s.yaml')).toBe(before);
  });

  test('fails if pinsFile is not a file path', () => {
    expect(() => new GoshipApp({ pinsFile: '' })).toThrow(/^\[GoshipApp\] pinsFile: '' — must be the path of a file \(or false\) — leave it unset for goship\.pins\.json in rootdir$/);
    expect(() => new GoshipApp({ pinsFile: 7 as unknown as string })).toThrow(/^\[GoshipApp\] pinsFile: 7 — must be the path of a file/);
  });
});
