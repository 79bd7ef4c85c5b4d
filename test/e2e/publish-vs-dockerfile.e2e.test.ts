/**
 * Same image, two paths: hello (on every runtime base) and the shop's three services, built
 * once by `goship publish` (host go, pushed to Debian's docker-registry) and once from the
 * generated Dockerfile by BuildKit in the suite's Docker engine. The runtime files (path, mode,
 * content), the config (user, entrypoint, env, exposed ports, labels), `goship verify` and a
 * start must agree. publish is given the builder image's CA bundle, which the Dockerfile path
 * copies (by default it reads the machine's). The binary itself is the one expected difference:
 * the Dockerfile path compiles with the builder image's Go, publish with the machine's
 * (docs/publish.md, "Same image, two paths").
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { Chart } from 'cdk8s';
import { HelloChart } from '../../examples/hello/hello-chart';
import { ShopChart } from '../../examples/shop/shop-chart';
import { DockerfileSyntax, GoshipApp, GoStaticImage, RuntimeBase } from '../../lib';
import { publishPlan } from '../../lib/image/publish-plan';
import { openImage } from '../../lib/inspect/image-source';
import { ImageFs } from '../../lib/inspect/layers';
import { publishImages } from '../../lib/publish';
import {
  BUILDER_IMAGE, Cleanup, copyToOciLayout, docker, dockerBuild, dockerRun, dockerSave, ensureBuilderImage, ensureStandInBases,
  freePort, goshipVerify, LocalRegistry, readBakeTargets, REPO_ROOT, requireDockerEngine, requireTools, startRegistry, waitForHttp,
} from './tools';
import { startModuleRelay } from './tools/module-relay';

const ready = requireTools(['buildah', 'skopeo', 'docker-registry', 'go']) && requireDockerEngine();
const describeE2E = ready ? describe : describe.skip;

/** What both paths must agree on: the runtime files and the config. */
interface ImageView {
  /** path → `mode sha256` of every regular file but the binary; the binary's mode alone. */
  readonly files: Record<string, string>;
  readonly config: Record<string, unknown>;
}

async function view(location: string): Promise<ImageView> {
  const source = await openImage(location);
  const image = source.images.find((i) => i.platform === 'linux/amd64')!;
  const root = await ImageFs.read(image.layers);
  const paths = root.filesUnder('/');
  const entries = paths.map((p) => root.resolve(p)!.file);
  const contents = await root.readFiles(entries);
  const files: Record<string, string> = {};
  paths.forEach((p, i) => {
    const mode = (entries[i].mode & 0o7777).toString(8);
    const abs = `/${p.replace(/^\/+/, '')}`;
    files[abs] = abs === '/app' ? mode : `${mode} ${createHash('sha256').update(contents[i]).digest('hex')}`;
  });
  const c = (image.config as { config?: Record<string, unknown> }).config ?? {};
  return { files, config: { User: c.User, Entrypoint: c.Entrypoint, Env: c.Env, ExposedPorts: c.ExposedPorts, Labels: c.Labels } };
}

describeE2E('goship publish and the Dockerfile give the same image', () => {
  const cleanup = new Cleanup();
  let registry: LocalRegistry;
  const images: GoStaticImage[] = [];
  const built = new Map<string, { docker: string; published: string; image: GoStaticImage }>();

  beforeAll(async () => {
    await ensureBuilderImage();
    registry = await startRegistry(cleanup);
    // The stand-in bases, pushed to the local registry: both paths read them from there.
    const local = await ensureStandInBases();
    const bases = { distroless: `${registry.host}/base/distroless-static:nonroot`, alpine: `${registry.host}/base/alpine:3.20` };
    for (const [from, to] of [[local.distroless, bases.distroless], [local.alpine, bases.alpine]]) {
      await docker(['tag', from, to]);
      cleanup.add(`untag ${to}`, () => docker(['image', 'rm', to], { allowFailure: true }));
      await docker(['push', to]);
    }
    const outdir = path.join(cleanup.tmpdir('two-paths'), 'dist');
    const app = new GoshipApp({ outdir, rootdir: REPO_ROOT, dockerfileSyntax: DockerfileSyntax.builtIn(), warn: () => undefined, pinsFile: false });
    const hello = new HelloChart(app, 'hello', { repository: `${registry.host}/two-paths/hello`, builderImage: BUILDER_IMAGE });
    images.push(hello.image);
    const bases_ = new Chart(app, 'bases');
    for (const [variant, runtime] of [['distroless', RuntimeBase.distrolessStatic(bases.distroless)], ['alpine', RuntimeBase.alpine(bases.alpine)]] as const) {
      images.push(new GoStaticImage(bases_, variant, {
        context: path.join(REPO_ROOT, 'examples', 'hello'), name: `hello-${variant}`, repository: `${registry.host}/two-paths/hello-${variant}`,
        builderImage: BUILDER_IMAGE, runtime,
      }));
    }
    // The shop's modules come from the machine's Go module proxy through a loopback relay, for both paths.
    const relay = await startModuleRelay(cleanup);
    const shop = new ShopChart(app, 'shop', { registry: `${registry.host}/two-paths/shop`, builderImage: BUILDER_IMAGE, goProxy: relay.url });
    images.push(...Object.values(shop.images));
    app.synth();
    const bake = readBakeTargets(outdir);
    // The Dockerfile path copies the CA bundle from its builder image; publish reads it from the
    // machine unless told where: give it the builder image's, so every file can be compared.
    const caBundle = path.join(cleanup.tmpdir('builder-ca'), 'ca-certificates.crt');
    fs.writeFileSync(caBundle, (await docker(['run', '--rm', '--network', 'none', BUILDER_IMAGE, 'cat', '/etc/ssl/certs/ca-certificates.crt'])).stdout);
    const published = await publishImages(images.map(publishPlan), { runtimeFiles: { caBundle } });
    for (const image of images) {
      const target = bake[image.name];
      const tag = `localhost/goship-e2e/two-paths-${image.name}:${process.pid}`;
      await dockerBuild({
        dockerfile: path.resolve(REPO_ROOT, target.context, target.dockerfile),
        context: path.resolve(REPO_ROOT, target.context),
        platform: 'linux/amd64',
        buildArgs: target.args,
        tag,
      }, cleanup);
      const dir = cleanup.tmpdir(`two-paths-${image.name}`);
      await copyToOciLayout(`docker://${image.imageRef}`, path.join(dir, 'oci'), 'published');
      built.set(image.name, { docker: await dockerSave(tag, path.join(dir, 'docker.tar')), published: path.join(dir, 'oci'), image });
      expect(published.get(image.name)!.ref).toBe(image.imageRef);
    }
  });

  afterAll(() => cleanup.run());

  const names = ['hello', 'hello-distroless', 'hello-alpine', 'shop-api', 'shop-worker', 'shop-grpc'];

  test.each(names)('%s: the same runtime files (path, mode, content) and the same config', async (name) => {
    const { docker: fromDocker, published } = built.get(name)!;
    const [a, b] = [await view(fromDocker), await view(published)];
    expect(b.files).toEqual(a.files);
    expect(b.config).toEqual(a.config);
    expect(b.files['/app']).toBe('755');
    expect(Object.keys(b.files).length).toBeGreaterThan(1);
  });

  test.each(names)('%s: goship verify passes both', async (name) => {
    const { docker: fromDocker, published } = built.get(name)!;
    expect((await goshipVerify([fromDocker])).exitCode).toBe(0);
    expect((await goshipVerify([published])).exitCode).toBe(0);
  });

  test.each(['hello', 'hello-distroless', 'hello-alpine'])('%s: both start and answer, as their non-root user', async (name) => {
    const { image } = built.get(name)!;
    await docker(['pull', '--quiet', image.imageRef]);
    cleanup.add(`remove ${image.imageRef}`, () => docker(['image', 'rm', '--force', image.imageRef], { allowFailure: true }));
    for (const ref of [`localhost/goship-e2e/two-paths-${name}:${process.pid}`, image.imageRef]) {
      const port = await freePort();
      const container = await dockerRun(ref, { user: `${image.uid}:${image.gid}`, env: { PORT: String(port), DRAIN_DELAY: '1s' } }, cleanup);
      const report = JSON.parse((await waitForHttp(`http://127.0.0.1:${port}/`)).body) as { uid: number; tlsRoots: boolean; zoneinfo: boolean };
      expect(report).toMatchObject({ uid: image.uid, tlsRoots: true, zoneinfo: true });
      expect(await container.stop(20)).toBe(0);
    }
  });
});
