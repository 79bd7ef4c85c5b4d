/**
 * The bake file run as users run it: `docker buildx bake -f dist/docker-bake.json --push
 * --metadata-file <file>` with buildx built from its module, through its `remote` driver, on a
 * standalone buildkitd (runc worker) that `scripts/buildkitd.sh` starts with its own registry.
 * Docker Hub names resolve through that registry as buildkitd's mirror: the builder image
 * (`golang:<go.mod version>`) is pushed there first, made by `scripts/e2e-setup.sh`.
 *
 * hello and the shop's api, worker and grpc, both platforms each: one OCI index per image, the
 * amd64 image started under runc with health answering, the arm64 one checked by `goship
 * verify` and started under qemu-user-static; `goship pin <metadata>` then synth pins every
 * image to the index digest the registry serves.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { HelloChart } from '../../examples/hello/hello-chart';
import { ShopChart } from '../../examples/shop/shop-chart';
import { DockerfileSyntax, GoshipApp } from '../../lib';
import {
  bake, BakeRun, builderFrom, buildkitEnv, Cleanup, copyToOciLayout, ensureBuilderImage, freePort, goship, headManifest,
  httpRequest, rawManifest, readBakeTargets, REPO_ROOT, requireBuildkit, requireTools, run, runcRun, startModuleRelay, unpackBundle,
  waitForHttp, which,
} from './tools';

const describeE2E = requireTools(['buildah', 'runc', 'umoci', 'skopeo', 'docker-registry', 'qemu-aarch64-static']) && requireBuildkit() ? describe : describe.skip;

type Obj = Record<string, any>;
const PLATFORMS = ['linux/amd64', 'linux/arm64'];

describeE2E('docker buildx bake on a standalone BuildKit: push, metadata, pins', () => {
  const cleanup = new Cleanup();
  let registry: string;
  let outdir: string;
  let pinsFile: string;
  let metadataFile: string;
  let pushed: BakeRun;
  /** Image name -> `repo:tag` goship gave it. */
  const refs: Record<string, string> = {};
  let hello: HelloChart;
  let shop: ShopChart;
  /** The shop downloads its modules through a relay to the machine's module proxy. */
  let goProxy: string;
  /** A unique repository prefix per run: the registry outlives the suite. */
  const prefix = `e2e-${process.pid}`;

  const synth = () => {
    const app = new GoshipApp({ outdir, rootdir: REPO_ROOT, pinsFile, dockerfileSyntax: DockerfileSyntax.builtIn(), warn: () => undefined });
    hello = new HelloChart(app, 'hello', { repository: `${registry}/${prefix}/hello` });
    shop = new ShopChart(app, 'shop', { registry: `${registry}/${prefix}/shop`, goProxy });
    app.synth();
  };
  const deployedImages = () => fs.readdirSync(outdir).filter((f) => f.endsWith('.k8s.yaml'))
    .flatMap((f) => parseAllDocuments(fs.readFileSync(path.join(outdir, f), 'utf8')).map((d) => d.toJS() as Obj))
    .filter((o) => o.kind === 'Deployment').map((o) => o.spec.template.spec.containers[0].image as string).sort();
  const repoAndTag = (ref: string) => ({ name: ref.slice(registry.length + 1, ref.lastIndexOf(':')), tag: ref.slice(ref.lastIndexOf(':') + 1) });

  beforeAll(async () => {
    registry = buildkitEnv().GOSHIP_BUILD_REGISTRY;
    goProxy = (await startModuleRelay(cleanup)).url;
    const root = cleanup.tmpdir('bake');
    outdir = path.join(root, 'dist');
    pinsFile = path.join(root, 'goship.pins.json');
    metadataFile = path.join(root, 'metadata.json');
    synth();
    for (const [name, t] of Object.entries(readBakeTargets(outdir))) {
      refs[name] = t.tags[0];
    }
    // The builder image every Dockerfile names, in the registry buildkitd uses as Docker Hub's mirror.
    await ensureBuilderImage(builderFrom(path.join(outdir, 'images', 'hello', 'Dockerfile')));
    // WHEN the README's build step runs, from the repository root (dist/ is outside it here:
    // buildx asks for the right to read the Dockerfiles there)
    pushed = await bake(['-f', path.join(outdir, 'docker-bake.json'), '--push', '--metadata-file', metadataFile, `--allow=fs.read=${root}`]);
    process.stdout.write(`e2e: bake of ${Object.keys(refs).length} images x ${PLATFORMS.length} platforms took ${pushed.seconds.toFixed(1)} s\n`);
  });

  afterAll(() => cleanup.run());

  test('bake builds every target for every platform of the bake file', () => {
    // Every target compiles for both architectures; the arm64 compile is `linux/amd64->arm64`:
    // the amd64 builder cross-compiles it. (BuildKit may drop the platform from a step's name.)
    for (const name of Object.keys(refs)) {
      for (const arch of ['amd64', 'arm64']) {
        expect(pushed.log).toMatch(new RegExp(`^#\\d+ \\[${name}[^\\]]*\\] RUN .*GOARCH=${arch} go build`, 'm'));
      }
      expect(pushed.log).toMatch(new RegExp(`^#\\d+ \\[${name} linux/amd64->arm64 build \\d+/\\d+\\] RUN .*GOARCH=arm64 go build`, 'm'));
    }
    expect(Object.keys(refs).sort()).toEqual(['hello', 'shop-api', 'shop-grpc', 'shop-worker']);
  });

  test('every image lands as one OCI index with one image manifest per platform', async () => {
    for (const ref of Object.values(refs)) {
      // WHEN
      const { raw } = await rawManifest(`docker://${ref}`);
      const index = JSON.parse(raw) as { mediaType: string; manifests: Obj[] };
      // THEN attestation manifests (buildx's provenance, platform unknown/unknown) aside
      const images = index.manifests.filter((m) => m.annotations?.['vnd.docker.reference.type'] !== 'attestation-manifest');
      expect(index.mediaType).toBe('application/vnd.oci.image.index.v1+json');
      expect(images.map((m) => `${m.platform.os}/${m.platform.architecture}`).sort()).toEqual(PLATFORMS);
      expect(images.every((m) => m.mediaType === 'application/vnd.oci.image.manifest.v1+json')).toBe(true);
    }
  });

  describe('the images pulled back from the registry', () => {
    const layouts: Record<string, string> = {};
    beforeAll(async () => {
      for (const [name, ref] of Object.entries(refs)) {
        layouts[name] = cleanup.tmpdir(`bake-pulled-${name}`);
        await copyToOciLayout(`docker://${ref}`, layouts[name], 'pushed');
      }
    });

    test('goship verify: every platform of every image is a static binary of its architecture', async () => {
      for (const name of Object.keys(refs)) {
        const verify = await goship(['verify', layouts[name]]);
        expect(verify).toMatchObject({ exitCode: 0, stdout: expect.stringMatching(/2 images checked/) });
        expect(verify.stdout).toMatch(/linux\/arm64/);
      }
    });

    test.each([['amd64', undefined], ['arm64', 'qemu-aarch64-static']])('hello linux/%s starts and answers its health check', async (arch, emulator) => {
      // GIVEN the platform's image of the pushed index
      const layout = cleanup.tmpdir(`bake-hello-${arch}`);
      await copyToOciLayout(`docker://${refs.hello}`, layout, 'image');
      const single = cleanup.tmpdir(`bake-hello-${arch}-only`);
      await run('skopeo', ['copy', '--quiet', '--override-arch', arch, `oci:${layout}:image`, `oci:${single}:${arch}`]);
      const port = await freePort();
      const bundle = await unpackBundle(single, arch, path.join(cleanup.tmpdir(`bake-hello-${arch}-bundle`), 'bundle'), {
        env: { PORT: String(port), DRAIN_DELAY: '1s' },
        emulator: emulator ? which(emulator) : undefined,
      });
      // WHEN
      const container = await runcRun(bundle, cleanup, `bake-hello-${arch}`);
      // THEN
      const health = await waitForHttp(`http://127.0.0.1:${port}/health`, 120);
      expect({ status: health.status, body: health.body }).toEqual({ status: 200, body: 'ok\n' });
      expect(JSON.parse((await httpRequest(`http://127.0.0.1:${port}/`)).body)).toMatchObject({ version: hello.image.version, uid: hello.image.uid });
      await container.stop(1000);
    });

    test('the shop api linux/amd64 starts and answers its readiness path', async () => {
      const single = cleanup.tmpdir('bake-api-amd64');
      await run('skopeo', ['copy', '--quiet', '--override-arch', 'amd64', `oci:${layouts[shop.images.api.name]}:pushed`, `oci:${single}:amd64`]);
      const [port, metrics] = [await freePort(), await freePort()];
      const bundle = await unpackBundle(single, 'amd64', path.join(cleanup.tmpdir('bake-api-bundle'), 'bundle'), {
        env: { PORT: String(port), METRICS_PORT: String(metrics), DRAIN_DELAY: '1s' },
      });
      const container = await runcRun(bundle, cleanup, 'bake-api-amd64');
      expect((await waitForHttp(`http://127.0.0.1:${port}/health`)).status).toBe(200);
      await container.stop(1000);
    });
  });

  test('goship pin <metadata-file>, then synth: every image is repo:tag@<the index digest the registry serves>', async () => {
    // GIVEN what bake wrote
    const metadata = JSON.parse(fs.readFileSync(metadataFile, 'utf8')) as Record<string, Obj>;
    expect(Object.keys(metadata).sort()).toEqual(Object.keys(refs).sort());
    // WHEN
    const pin = await goship(['pin', metadataFile, '--outdir', outdir, '--pins', pinsFile]);
    synth();
    // THEN
    expect(pin).toMatchObject({ exitCode: 0, stderr: '' });
    const expected: string[] = [];
    for (const ref of Object.values(refs)) {
      const { name, tag } = repoAndTag(ref);
      const served = await headManifest(registry, name, tag);
      expect(served.mediaType).toBe('application/vnd.oci.image.index.v1+json');
      expected.push(`${ref}@${served.digest}`);
    }
    expect(deployedImages()).toEqual(expected.sort());
  });
});
