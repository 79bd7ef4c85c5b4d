/**
 * examples/shop end to end: synthesize it, build its three images (linux/amd64) with buildah
 * from the Dockerfiles goship wrote, unmodified (`FROM golang:1.26`, served by the registry
 * mirror), downloading grpc and the Prometheus client through a real module proxy (the
 * machine's, behind a relay that counts requests), start each under runc as the synthesized Deployment
 * would (its args, its ports, its Secret file with the mode and fsGroup goship set), and ask
 * each the question its probe asks — over HTTP, and for gRPC with a real gRPC client.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as grpc from '@grpc/grpc-js';
import { parseAllDocuments } from 'yaml';
import { ShopChart } from '../../examples/shop/shop-chart';
import { GoshipApp } from '../../lib';
import {
  buildahBuild, Cleanup, e2eImageTag, ensureBuilderImage, exportOciLayout, freePort, REPO_ROOT,
  requireTools, runcRun, startModuleRelay, unpackBundle, waitForHttp, zipDownloads,
} from './tools';

type Service = 'api' | 'worker' | 'grpc';
const SERVICES: readonly Service[] = ['api', 'worker', 'grpc'];

interface BakeTarget { context: string; dockerfile: string; args: Record<string, string> }
type Obj = Record<string, any>;

const describeE2E = requireTools(['buildah', 'runc', 'umoci']) ? describe : describe.skip;

describeE2E('examples/shop, built with buildah and run with runc', () => {
  const cleanup = new Cleanup();
  const layout = cleanup.tmpdir('shop-oci');
  let chart: ShopChart;
  let objects: Obj[];
  let dockerfile: string;
  /** The module zips each image's build downloaded, in build order. */
  const downloads: Record<string, string[]> = {};
  const deployment = (name: string) => objects.find((o) => o.kind === 'Deployment' && o.metadata.name === `shop-${name}`)!;
  const podSpec = (name: Service) => deployment(name).spec.template.spec;
  const containerOf = (name: Service) => podSpec(name).containers[0];

  /** Unpacks the service's image with the env, args and ports its Deployment gives it (ports moved to free ones). */
  const start = async (name: Service, env: Record<string, string>, setup?: (rootfs: string) => void) => {
    const bundle = await unpackBundle(layout, name, path.join(cleanup.tmpdir(`shop-${name}`), 'bundle'), {
      env: { DRAIN_DELAY: '1s', ...plainEnv(containerOf(name)), ...env },
      args: containerOf(name).args,
    });
    setup?.(path.join(bundle, 'rootfs'));
    return runcRun(bundle, cleanup, `shop-${name}`);
  };

  beforeAll(async () => {
    await ensureBuilderImage('golang:1.26');
    const relay = await startModuleRelay(cleanup);
    const outdir = path.join(cleanup.tmpdir('shop-synth'), 'dist');
    const app = new GoshipApp({ outdir, rootdir: REPO_ROOT });
    chart = new ShopChart(app, 'shop', { goProxy: relay.url });
    app.synth();
    dockerfile = fs.readFileSync(path.join(outdir, 'images', 'shop-api', 'Dockerfile'), 'utf8');
    objects = parseAllDocuments(fs.readFileSync(path.join(outdir, 'shop.k8s.yaml'), 'utf8')).map((d) => d.toJSON() as Obj);
    const bake = JSON.parse(fs.readFileSync(path.join(outdir, 'docker-bake.json'), 'utf8')) as { target: Record<string, BakeTarget> };
    // One build per service, one after the other: the module and build cache mounts are shared.
    // buildah keeps cache mounts under TMPDIR: a folder of this run's, so the first build is cold.
    const cacheHome = cleanup.tmpdir('shop-cache-mounts');
    for (const name of SERVICES) {
      const before = relay.requests.length;
      const target = bake.target[chart.images[name].name];
      const context = path.resolve(REPO_ROOT, target.context);
      const dockerfile = path.resolve(context, target.dockerfile);
      const built = await buildahBuild({
        dockerfile, context, ignoreFile: `${dockerfile}.dockerignore`, platform: 'linux/amd64', buildArgs: target.args, tag: e2eImageTag('shop', name),
        env: { TMPDIR: cacheHome },
      }, cleanup);
      downloads[name] = zipDownloads(relay.requests.slice(before));
      process.stdout.write(`e2e: shop-${name} linux/amd64 built in ${built.seconds.toFixed(1)} s\n`);
      await exportOciLayout(built.tag, layout, name);
    }
  });

  afterAll(() => cleanup.run());

  test('the Dockerfile builds unmodified from golang:1.26, the newest patch of go.mod\'s go 1.26.0, and never switches toolchains', () => {
    expect(dockerfile).toContain('FROM --platform=$BUILDPLATFORM golang:1.26 AS build');
    expect(dockerfile).toMatch(/^ENV CGO_ENABLED=0 GOTOOLCHAIN=local /m);
  });

  test('the first image downloads grpc and the Prometheus client through the proxy; the other two download nothing (shared module cache)', () => {
    // THEN the first build fetched the real dependencies' zips
    expect(downloads.api).toEqual(expect.arrayContaining([
      expect.stringMatching(/^\/google\.golang\.org\/grpc\/@v\/v[\d.]+\.zip$/),
      expect.stringMatching(/^\/github\.com\/prometheus\/client_golang\/@v\/v[\d.]+\.zip$/),
    ]));
    // AND the next images of the same module asked the proxy for no module at all
    expect({ worker: downloads.worker, grpc: downloads.grpc }).toEqual({ worker: [], grpc: [] });
  });

  test('api answers its readiness path on the main port and serves metrics on the other; it reads the 0440 Secret file through fsGroup', async () => {
    // GIVEN the Secret file as the kubelet would mount it: root-owned, group fsGroup, defaultMode
    const volume = podSpec('api').volumes.find((v: Obj) => v.secret);
    const mount = containerOf('api').volumeMounts.find((m: Obj) => m.name === volume.name);
    const [port, metrics] = [await freePort(), await freePort()];
    // WHEN
    const c = await start('api', { PORT: String(port), METRICS_PORT: String(metrics) }, (rootfs) => {
      const dir = path.join(rootfs, mount.mountPath);
      fs.mkdirSync(dir, { recursive: true });
      const file = path.join(dir, volume.secret.items[0].path);
      fs.writeFileSync(file, 'not-a-real-key');
      fs.chownSync(file, 0, podSpec('api').securityContext.fsGroup);
      fs.chmodSync(file, volume.secret.defaultMode);
    });
    // THEN
    const probe = containerOf('api').readinessProbe.httpGet;
    expect(probe.port).toBe('http');
    expect((await waitForHttp(`http://127.0.0.1:${port}${probe.path}`)).status).toBe(200);
    expect(JSON.parse((await waitForHttp(`http://127.0.0.1:${port}/`)).body)).toEqual({ service: 'api', signingKey: true });
    expect((await waitForHttp(`http://127.0.0.1:${metrics}/metrics`)).body).toMatch(/^shop_api_requests_total 1$/m);
    await c.stop(2000);
  });

  test('worker runs with the synthesized args and answers its probe on the metrics port', async () => {
    // GIVEN
    const metrics = await freePort();
    const probe = containerOf('worker').readinessProbe.httpGet;
    expect(probe.port).toBe('metrics');
    expect(containerOf('worker').args).toEqual(['--queue', 'orders']);
    // WHEN
    const c = await start('worker', { METRICS_PORT: String(metrics) });
    // THEN
    expect((await waitForHttp(`http://127.0.0.1:${metrics}${probe.path}`)).status).toBe(200);
    expect((await waitForHttp(`http://127.0.0.1:${metrics}/metrics`)).body).toContain('shop_worker_processed_total{queue="orders"}');
    await c.stop(2000);
  });

  test('grpc answers grpc.health.v1.Health/Check to a real gRPC client: SERVING, then NOT_SERVING while draining', async () => {
    // GIVEN the native gRPC probe goship wrote, on the image's port
    const probe = containerOf('grpc').readinessProbe.grpc;
    expect(probe).toEqual({ port: chart.images.grpc.port });
    const port = await freePort();
    const c = await start('grpc', { PORT: String(port), DRAIN_DELAY: '5s' });
    const client = healthClient(`127.0.0.1:${port}`);
    try {
      // WHEN / THEN
      expect(await check(client, '')).toBe('SERVING');
      expect(await check(client, 'shop.v1.Catalog')).toBe('SERVING');
      await expect(check(client, 'shop.v1.Nope')).rejects.toMatchObject({ code: grpc.status.NOT_FOUND });
      await c.kill('TERM');
      let status = '';
      for (let i = 0; i < 50 && status !== 'NOT_SERVING'; i++) {
        status = await check(client, '');
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(status).toBe('NOT_SERVING');
    } finally {
      client.close();
      await c.stop(6000);
    }
  });
});

/** The container's plain env values (the Go runtime's GOMEMLIMIT, SIGNING_KEY_FILE, …). */
function plainEnv(container: Obj): Record<string, string> {
  return Object.fromEntries((container.env ?? []).filter((e: Obj) => typeof e.value === 'string').map((e: Obj) => [e.name, e.value]));
}

const STATUS = ['UNKNOWN', 'SERVING', 'NOT_SERVING', 'SERVICE_UNKNOWN'];

/** A grpc.health.v1.Health client without generated code: the two messages are one field each. */
function healthClient(address: string): grpc.Client {
  return new grpc.Client(address, grpc.credentials.createInsecure());
}

function check(client: grpc.Client, service: string): Promise<string> {
  const serialize = (s: string) => (s === '' ? Buffer.alloc(0) : Buffer.concat([Buffer.from([0x0a, Buffer.byteLength(s)]), Buffer.from(s)]));
  // HealthCheckResponse: field 1 (varint) is the status; absent means UNKNOWN.
  const deserialize = (b: Buffer) => STATUS[b.length >= 2 && b[0] === 0x08 ? b[1] : 0];
  return new Promise((resolve, reject) => {
    client.makeUnaryRequest('/grpc.health.v1.Health/Check', serialize, deserialize, service, { deadline: Date.now() + 5000 }, (err, res) => (err ? reject(err) : resolve(res!)));
  });
}
