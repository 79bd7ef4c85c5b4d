/**
 * The example service end to end, with real tools: synthesize examples/hello, build the
 * Dockerfile goship wrote with buildah for linux/amd64 and linux/arm64, start the images with
 * runc, check them with `goship verify`, break them on purpose with cgo, and push both to a
 * real registry as one multi-platform index.
 */
import * as fs from 'fs';
import * as path from 'path';
import { HelloChart } from '../../examples/hello/hello-chart';
import { GoshipApp } from '../../lib';
import {
  BakeTarget, buildahBuild, buildOnce, BuiltImage, bundleUser, Cleanup, copyToOciLayout, e2eImageTag, ensureBuilderImage,
  exportOciLayout, freePort, goshipVerify, headManifest, HelloReport, imageConfig, pinnedBuilderImage,
  processUids, pushIndex, rawManifest, readBakeTargets, REPO_ROOT, requireTools, runcRun, runcRunToExit, startRegistry,
  unpackBundle, waitForHttp, which,
} from './tools';

const ARCHES = ['amd64', 'arm64'] as const;
type Arch = typeof ARCHES[number];

const describeE2E = requireTools(['buildah', 'runc', 'umoci', 'skopeo', 'docker-registry', 'qemu-aarch64-static']) ? describe : describe.skip;

describeE2E('examples/hello, built with buildah and run with runc', () => {
  const cleanup = new Cleanup();
  const built = {} as Record<Arch, BuiltImage>;
  let chart: HelloChart;
  let bake: BakeTarget;
  let dockerfile: string;
  let layout: string;
  let builderImage: string;

  /**
   * Builds as `docker buildx bake -f <outdir>/docker-bake.json` would: the target's context,
   * Dockerfile and args, and the ignore file BuildKit finds next to the Dockerfile (buildah 1.28
   * needs it passed). `file` replaces the Dockerfile, for the deliberately broken variant.
   */
  const build = (arch: Arch, tag: string, file?: string) => {
    expect(bake.platforms).toContain(`linux/${arch}`);
    const context = path.resolve(REPO_ROOT, bake.context);
    const dockerfile = path.resolve(context, bake.dockerfile);
    return (file ? buildahBuild : buildOnce)({
      dockerfile: file ?? dockerfile,
      context,
      ignoreFile: `${dockerfile}.dockerignore`,
      platform: `linux/${arch}`,
      buildArgs: bake.args,
      tag,
    }, cleanup);
  };

  beforeAll(async () => {
    builderImage = await pinnedBuilderImage(await ensureBuilderImage());
    const outdir = path.join(cleanup.tmpdir('hello-synth'), 'dist');
    const app = new GoshipApp({ outdir, rootdir: REPO_ROOT });
    chart = new HelloChart(app, 'hello', { builderImage });
    app.synth();
    dockerfile = path.join(outdir, 'images', chart.image.name, 'Dockerfile');
    bake = readBakeTargets(outdir)[chart.image.name];

    layout = cleanup.tmpdir('hello-oci');
    for (const arch of ARCHES) {
      built[arch] = await build(arch, e2eImageTag('hello', arch));
      note(`hello linux/${arch} built in ${built[arch].seconds.toFixed(1)} s`);
      await exportOciLayout(built[arch].tag, layout, arch);
    }
  });

  afterAll(() => cleanup.run());

  test('synth writes a Dockerfile that cross-compiles from the given builder, and a bake target for both platforms', () => {
    // GIVEN what synth wrote
    const text = fs.readFileSync(dockerfile, 'utf8');
    // THEN
    expect(text).toContain(`FROM --platform=$BUILDPLATFORM ${builderImage} AS build`);
    expect(text).toContain('CGO_ENABLED=0');
    expect({ platforms: bake.platforms, tags: bake.tags, context: bake.context })
      .toEqual({ platforms: ['linux/amd64', 'linux/arm64'], tags: [chart.image.imageRef], context: 'examples/hello' });
  });

  test('buildah builds a non-root image for each platform of the example', async () => {
    for (const arch of ARCHES) {
      // WHEN
      const config = await imageConfig(built[arch].tag);
      // THEN
      expect({
        os: config.os,
        architecture: config.architecture,
        user: config.config.User,
        entrypoint: config.config.Entrypoint,
        ports: Object.keys(config.config.ExposedPorts ?? {}),
        version: config.config.Labels?.['org.opencontainers.image.version'],
      }).toEqual({
        os: 'linux',
        architecture: arch,
        user: `${chart.image.uid}:${chart.image.gid}`,
        entrypoint: ['/app'],
        ports: [`${chart.image.port}/tcp`],
        version: chart.image.version,
      });
    }
  });

  test('the amd64 image starts under runc as its non-root user, with CA roots and zoneinfo', async () => {
    // GIVEN
    const port = await freePort();
    const bundle = await unpackBundle(layout, 'amd64', path.join(cleanup.tmpdir('hello-amd64'), 'bundle'), {
      env: { PORT: String(port), DRAIN_DELAY: '1s' },
    });
    expect(bundleUser(bundle)).toEqual({ uid: chart.image.uid, gid: chart.image.gid });

    // WHEN
    const container = await runcRun(bundle, cleanup, 'hello-amd64');
    const health = await waitForHttp(`http://127.0.0.1:${port}/health`);
    const report = await waitForHttp(`http://127.0.0.1:${port}/`);

    // THEN
    expect({ status: health.status, body: health.body }).toEqual({ status: 200, body: 'ok\n' });
    expect(JSON.parse(report.body) as HelloReport).toEqual({
      version: chart.image.version,
      uid: chart.image.uid,
      gid: chart.image.gid,
      tlsRoots: true,
      zoneinfo: true,
      greeting: 'hello',
    });
    expect(processUids(container.pid)).toEqual([chart.image.uid, chart.image.uid, chart.image.uid, chart.image.uid]);
    await container.stop(1000);
  });

  test('the amd64 image drains on SIGTERM as PID 1: fails readiness, keeps serving, then exits by itself', async () => {
    // GIVEN a running container with a short drain delay
    const port = await freePort();
    const bundle = await unpackBundle(layout, 'amd64', path.join(cleanup.tmpdir('hello-drain'), 'bundle'), {
      env: { PORT: String(port), DRAIN_DELAY: '3s' },
    });
    const container = await runcRun(bundle, cleanup, 'hello-drain');
    expect((await waitForHttp(`http://127.0.0.1:${port}/health`)).status).toBe(200);

    // WHEN Kubernetes would stop it
    await container.kill('TERM');

    // THEN readiness fails at once while requests are still served
    let health = 0;
    for (let i = 0; i < 20 && health !== 503; i++) {
      health = (await waitForHttp(`http://127.0.0.1:${port}/health`, 1)).status;
    }
    expect(health).toBe(503);
    expect((await waitForHttp(`http://127.0.0.1:${port}/`, 1)).status).toBe(200);
    // AND the process exits on its own, well before a kubelet's SIGKILL
    expect(await container.waitForExit(20_000)).toBe(true);
    expect(container.log()).toMatch(/draining for 3s[\s\S]*shutting down/);
    await container.stop();
  });

  test('the arm64 image starts under runc through qemu-aarch64-static', async () => {
    // GIVEN the arm64 bundle with the static emulator put before its entrypoint
    const port = await freePort();
    const bundle = await unpackBundle(layout, 'arm64', path.join(cleanup.tmpdir('hello-arm64'), 'bundle'), {
      env: { PORT: String(port) },
      emulator: which('qemu-aarch64-static'),
    });
    // WHEN
    const container = await runcRun(bundle, cleanup, 'hello-arm64');
    const report = await waitForHttp(`http://127.0.0.1:${port}/`);
    // THEN
    expect(report.status).toBe(200);
    expect(JSON.parse(report.body) as HelloReport).toMatchObject({ uid: chart.image.uid, tlsRoots: true, zoneinfo: true });
    await container.stop(1000);
  });

  test('goship verify passes on both images and reports arm64 for the arm64 one', async () => {
    // WHEN
    const json = await goshipVerify([layout, '--json']);
    const text = await goshipVerify([layout, '--platform', 'linux/arm64']);

    // THEN
    expect(json).toMatchObject({ exitCode: 0, stderr: '' });
    const report = JSON.parse(json.stdout) as { ok: boolean; images: Array<{ platform: string; ok: boolean; user: string; elf: { arch: string; dynamic: boolean } }> };
    expect(report.images.map((i) => ({ platform: i.platform, ok: i.ok, user: i.user, arch: i.elf.arch, dynamic: i.elf.dynamic })).sort((a, b) => a.platform.localeCompare(b.platform)))
      .toEqual([
        { platform: 'linux/amd64', ok: true, user: '65532:65532', arch: 'amd64', dynamic: false },
        { platform: 'linux/arm64', ok: true, user: '65532:65532', arch: 'arm64', dynamic: false },
      ]);
    expect(text).toMatchObject({ exitCode: 0 });
    expect(text.stdout).toMatch(/arch\s+linux\/arm64/);
    expect(text.stdout).toMatch(/linking\s+static/);
  });

  test('a cgo build of the same service in the same scratch runtime fails verify, and fails to start exactly as in production', async () => {
    // GIVEN the synthesized Dockerfile with cgo switched on, and nothing else changed
    const original = fs.readFileSync(dockerfile, 'utf8');
    expect(original.match(/CGO_ENABLED=0/g)).toHaveLength(1);
    const cgoDockerfile = path.join(path.dirname(dockerfile), 'Dockerfile.cgo');
    fs.writeFileSync(cgoDockerfile, original.replace('CGO_ENABLED=0', 'CGO_ENABLED=1'));
    const cgo = await build('amd64', e2eImageTag('hello', 'cgo'), cgoDockerfile);
    note(`hello linux/amd64 with cgo built in ${cgo.seconds.toFixed(1)} s`);
    const cgoLayout = cleanup.tmpdir('hello-cgo-oci');
    await exportOciLayout(cgo.tag, cgoLayout, 'cgo');

    // WHEN
    const verify = await goshipVerify([cgoLayout]);
    const bundle = await unpackBundle(cgoLayout, 'cgo', path.join(cleanup.tmpdir('hello-cgo'), 'bundle'));
    const started = await runcRunToExit(bundle, cleanup, 'hello-cgo');

    // THEN goship says why, before anything runs
    expect(verify).toMatchObject({ exitCode: 1 });
    expect(verify.stdout).toMatch(/linking\s+dynamic \(interpreter \/lib64\/ld-linux-x86-64\.so\.2/);
    expect(verify.stdout).toContain('exec /app: no such file or directory');
    expect(verify.stdout).toContain('CGO_ENABLED=0');
    // AND runc fails with the message the seed incident showed
    expect(started.exitCode).not.toBe(0);
    expect(started.stderr.trim()).toBe('exec /app: no such file or directory');
  });

  test('both images go to a real registry as one multi-platform index whose digest reads back', async () => {
    // GIVEN
    const registry = await startRegistry(cleanup);
    const name = 'team/hello';
    const reference = `${registry.host}/${name}:${chart.image.tag}`;

    // WHEN
    const pushed = await pushIndex({ images: ARCHES.map((a) => built[a].tag), destination: reference }, cleanup);
    const head = await headManifest(registry.host, name, chart.image.tag);
    const raw = await rawManifest(`docker://${reference}`);

    // THEN the registry serves the index under the digest buildah computed
    expect(pushed).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(head).toEqual({ digest: pushed, mediaType: 'application/vnd.oci.image.index.v1+json' });
    expect(raw.digest).toBe(pushed);
    const index = JSON.parse(raw.raw) as { manifests: Array<{ platform: { os: string; architecture: string } }> };
    expect(index.manifests.map((m) => `${m.platform.os}/${m.platform.architecture}`).sort()).toEqual(['linux/amd64', 'linux/arm64']);

    // AND what comes back out of the registry still verifies
    const pulled = cleanup.tmpdir('hello-pulled');
    await copyToOciLayout(`docker://${registry.host}/${name}@${pushed}`, pulled, 'hello');
    const verify = await goshipVerify([pulled]);
    expect(verify).toMatchObject({ exitCode: 0, stdout: expect.stringMatching(/2 images checked/) });
    await registry.stop();
  });
});

/** Timings go to the log for people to read, never into assertions. */
function note(line: string): void {
  process.stdout.write(`e2e: ${line}\n`);
}
