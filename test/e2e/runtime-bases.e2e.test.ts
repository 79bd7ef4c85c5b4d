/**
 * Every RuntimeBase goship renders, built with BuildKit and started with `docker run`. The
 * distroless and alpine images cannot be pulled here, so local stand-ins made from Debian's
 * files take their place through the bases' image parameter (as a registry mirror would).
 * scratch, the default, is proven by docker.e2e.test.ts and hello.e2e.test.ts.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Chart } from 'cdk8s';
import { DockerfileSyntax, GoshipApp, GoStaticImage, RuntimeBase } from '../../lib';
import {
  BUILDER_IMAGE, Cleanup, dockerBuild, dockerRun, dockerRunToExit, ensureBuilderImage, ensureStandInBases, freePort,
  HelloReport, readBakeTargets, REPO_ROOT, requireDockerEngine, requireTools, waitForHttp,
} from './tools';

const ready = requireTools(['buildah']) && requireDockerEngine();
const describeE2E = ready ? describe : describe.skip;
const VARIANTS = ['distroless', 'alpine', 'custom'] as const;
type Variant = typeof VARIANTS[number];

describeE2E('every runtime base, built with BuildKit and started with docker run', () => {
  const cleanup = new Cleanup();
  const images = {} as Record<Variant, GoStaticImage>;
  const dockerfiles = {} as Record<Variant, string>;
  const tags = {} as Record<Variant, string>;

  beforeAll(async () => {
    await ensureBuilderImage();
    const bases = await ensureStandInBases();
    const outdir = path.join(cleanup.tmpdir('bases-synth'), 'dist');
    const app = new GoshipApp({ outdir, rootdir: REPO_ROOT, dockerfileSyntax: DockerfileSyntax.builtIn(), warn: () => undefined });
    const chart = new Chart(app, 'bases');
    const runtimes: Record<Variant, RuntimeBase> = {
      distroless: RuntimeBase.distrolessStatic(bases.distroless),
      alpine: RuntimeBase.alpine(bases.alpine),
      // A base that says it carries nothing: goship adds the CA bundle and embeds zoneinfo.
      custom: RuntimeBase.custom(bases.alpine),
    };
    for (const variant of VARIANTS) {
      images[variant] = new GoStaticImage(chart, variant, {
        context: path.join(REPO_ROOT, 'examples', 'hello'),
        name: `hello-${variant}`,
        builderImage: BUILDER_IMAGE,
        runtime: runtimes[variant],
      });
    }
    app.synth();
    const bake = readBakeTargets(outdir);
    for (const variant of VARIANTS) {
      const target = bake[images[variant].name];
      dockerfiles[variant] = fs.readFileSync(path.join(outdir, 'images', images[variant].name, 'Dockerfile'), 'utf8');
      tags[variant] = `localhost/goship-e2e/hello-${variant}:${process.pid}`;
      const result = await dockerBuild({
        dockerfile: path.resolve(REPO_ROOT, target.context, target.dockerfile),
        context: path.resolve(REPO_ROOT, target.context),
        platform: target.platforms[0],
        buildArgs: target.args,
        tag: tags[variant],
      }, cleanup);
      process.stdout.write(`e2e: hello on ${variant} built with BuildKit in ${result.seconds.toFixed(1)} s\n`);
    }
  });

  afterAll(() => cleanup.run());

  test('each Dockerfile adds only what its base lacks', () => {
    const adds = (v: Variant) => ({
      from: /^FROM (?!--platform)(.*)$/m.exec(dockerfiles[v])?.[1],
      caBundle: dockerfiles[v].includes('COPY --from=build /etc/ssl/certs/ca-certificates.crt'),
      userEntries: dockerfiles[v].includes('/out/etc/passwd'),
      embeddedZoneinfo: dockerfiles[v].includes('-tags timetzdata'),
    });
    expect(Object.fromEntries(VARIANTS.map((v) => [v, adds(v)]))).toEqual({
      distroless: { from: 'localhost/goship-stand-in/distroless-static:nonroot', caBundle: false, userEntries: false, embeddedZoneinfo: false },
      alpine: { from: 'localhost/goship-stand-in/alpine:3.20', caBundle: false, userEntries: false, embeddedZoneinfo: true },
      custom: { from: 'localhost/goship-stand-in/alpine:3.20', caBundle: true, userEntries: false, embeddedZoneinfo: true },
    });
  });

  test.each(VARIANTS)('the %s image starts read-only as its uid, with TLS roots and zoneinfo, and stops with exit 0', async (variant) => {
    // GIVEN
    const image = images[variant];
    const port = await freePort();
    // WHEN
    const container = await dockerRun(tags[variant], { user: `${image.uid}:${image.gid}`, env: { PORT: String(port), DRAIN_DELAY: '1s' } }, cleanup);
    const health = await waitForHttp(`http://127.0.0.1:${port}/health`);
    const report = JSON.parse((await waitForHttp(`http://127.0.0.1:${port}/`)).body) as HelloReport;
    // THEN
    expect(health.status).toBe(200);
    expect(report).toMatchObject({ uid: image.uid, tlsRoots: true, zoneinfo: true });
    expect(await container.stop(20)).toBe(0);
  });

  test('the alpine-like image keeps its shell for debugging, and the process is not root there either', async () => {
    // WHEN
    const id = await dockerRunToExit(tags.alpine, { user: `${images.alpine.uid}:${images.alpine.gid}`, command: ['/bin/sh', '-c', 'id -u; id -g'] }, cleanup);
    // THEN
    expect(id).toMatchObject({ exitCode: 0, stdout: `${images.alpine.uid}\n${images.alpine.gid}\n` });
  });
});
