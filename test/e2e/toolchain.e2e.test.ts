/**
 * The tool chain itself, independent of goship's renderer: a hand-written two-stage Dockerfile
 * (fixtures/tiny) built with buildah for amd64 and arm64, unpacked with umoci and started with
 * runc. When this passes and the example's suite fails, look at the renderer, not the tools.
 */
import * as path from 'path';
import {
  BUILDER_IMAGE, buildahBuild, BuiltImage, Cleanup, e2eImageTag, ensureBuilderImage, exportOciLayout, freePort,
  imageConfig, processUids, requireTools, runcRun, unpackBundle, waitForHttp, which,
} from './tools';

const FIXTURE = path.join(__dirname, 'fixtures', 'tiny');
const describeE2E = requireTools(['buildah', 'runc', 'umoci', 'qemu-aarch64-static']) ? describe : describe.skip;

describeE2E('tool chain (hand-written Dockerfile)', () => {
  const cleanup = new Cleanup();
  const built: Record<'amd64' | 'arm64', BuiltImage | undefined> = { amd64: undefined, arm64: undefined };
  let layout: string;

  beforeAll(async () => {
    await ensureBuilderImage();
    layout = cleanup.tmpdir('tiny-oci');
    for (const arch of ['amd64', 'arm64'] as const) {
      built[arch] = await buildahBuild({
        dockerfile: path.join(FIXTURE, 'Dockerfile'),
        context: FIXTURE,
        platform: `linux/${arch}`,
        buildArgs: { BUILDER_IMAGE },
        tag: e2eImageTag('tiny', arch),
      }, cleanup);
      await exportOciLayout(built[arch]!.tag, layout, arch);
    }
  });

  afterAll(() => cleanup.run());

  test('buildah cross-builds the image for amd64 and arm64 as non-root scratch images', async () => {
    for (const arch of ['amd64', 'arm64'] as const) {
      // WHEN
      const config = await imageConfig(built[arch]!.tag);
      // THEN
      expect({ os: config.os, architecture: config.architecture, user: config.config.User, entrypoint: config.config.Entrypoint })
        .toEqual({ os: 'linux', architecture: arch, user: '65532:65532', entrypoint: ['/app'] });
    }
  });

  test('the amd64 image starts under runc as uid 65532 and answers on its port', async () => {
    // GIVEN
    const port = await freePort();
    const bundle = await unpackBundle(layout, 'amd64', path.join(cleanup.tmpdir('tiny-amd64'), 'bundle'), { env: { PORT: String(port) } });
    // WHEN
    const container = await runcRun(bundle, cleanup, 'tiny-amd64');
    const health = await waitForHttp(`http://127.0.0.1:${port}/health`);
    const report = await waitForHttp(`http://127.0.0.1:${port}/`);
    // THEN
    expect(health.status).toBe(200);
    expect(report.body.trim()).toBe('uid=65532 arch=amd64 roots=true zoneinfo=true');
    expect(processUids(container.pid)).toEqual([65532, 65532, 65532, 65532]);
    await container.stop();
  });

  test('the arm64 image starts under runc through qemu-aarch64-static', async () => {
    // GIVEN
    const port = await freePort();
    const bundle = await unpackBundle(layout, 'arm64', path.join(cleanup.tmpdir('tiny-arm64'), 'bundle'), {
      env: { PORT: String(port) },
      emulator: which('qemu-aarch64-static'),
    });
    // WHEN
    const container = await runcRun(bundle, cleanup, 'tiny-arm64');
    const report = await waitForHttp(`http://127.0.0.1:${port}/`);
    // THEN
    expect(report.status).toBe(200);
    expect(report.body.trim()).toBe('uid=65532 arch=arm64 roots=true zoneinfo=true');
    await container.stop();
  });
});
