/**
 * `goship publish` against `ko build` and BuildKit on the generated Dockerfile, one service
 * (a copy of examples/hello, linux/amd64), one local registry (Debian's docker-registry on
 * 127.0.0.1), in one run: cold build+push (empty Go build cache, empty repositories), warm
 * rebuild+push after a one-line change, a no-change re-run, and the pushed image's size.
 *
 * ko comes from scripts/tools/ko (`bash scripts/e2e-setup.sh tools ko`); its base image is a
 * static base served by the same registry (KO_DEFAULTBASEIMAGE): the CA bundle and the passwd
 * and group files publish adds to scratch, so both push the same runtime files.
 */
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';
import { performance } from 'perf_hooks';
import { Chart } from 'cdk8s';
import { GoshipApp } from '../lib/app/goship-app';
import { DockerfileSyntax } from '../lib/image/dockerfile-syntax';
import { GoStaticImage } from '../lib/image/go-static-image';
import { publishPlan } from '../lib/image/publish-plan';
import { Platform } from '../lib/model/platform';
import { assemble, runtimeLayer } from '../lib/publish/image';
import { publishImages } from '../lib/publish/publish';
import { RegistryPublisher } from '../lib/publish/publisher';
import { RegistryRepo } from '../lib/registry/push';
import { BenchBuildKit } from './buildkit';
import { kb, say, seconds, table } from './report';

const DOCKER = '/usr/bin/docker';
const ROWS = ['cold build+push', 'warm rebuild+push (one-line change)', 'no-change re-run'] as const;

/** One tool's times (ms) per row and its image's compressed size. */
interface ToolResult {
  readonly ms: number[];
  size: number;
}

/** Options of {@link publishBench}. */
export interface PublishBenchOptions {
  readonly workdir: string;
  readonly builderImage: string;
  readonly repoRoot: string;
}

/** Runs the bench; prints the table. Returns a reason instead when a tool is missing. */
export async function publishBench(opts: PublishBenchOptions): Promise<{ skipped: string } | undefined> {
  const toolsBin = spawnSync('bash', [path.join(opts.repoRoot, 'scripts', 'e2e-setup.sh'), 'bin'], { encoding: 'utf8' }).stdout.trim();
  const ko = path.join(toolsBin, 'ko');
  if (!fs.existsSync(ko)) {
    return { skipped: `${ko} is missing (bash scripts/e2e-setup.sh tools ko)` };
  }
  const buildkit = BenchBuildKit.missing() === undefined ? new BenchBuildKit() : undefined;
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  const registryDir = path.join(opts.workdir, 'registry');
  fs.mkdirSync(registryDir, { recursive: true });
  fs.writeFileSync(path.join(registryDir, 'config.yml'), `version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n    rootdirectory: ${registryDir}/data\nhttp:\n  addr: ${host}\n`);
  const registry = spawn('docker-registry', ['serve', path.join(registryDir, 'config.yml')], { stdio: 'ignore' });
  try {
    await waitForPort(port);
    const service = path.join(opts.workdir, 'hello');
    fs.cpSync(path.join(opts.repoRoot, 'examples', 'hello'), service, { recursive: true });
    const base = await pushStaticBase(host, service);
    // ko's own config: only the base (KO_DEFAULTBASEIMAGE says the same).
    const koConfig = path.join(opts.workdir, 'ko-config');
    fs.mkdirSync(koConfig, { recursive: true });
    fs.writeFileSync(path.join(koConfig, '.ko.yaml'), `defaultBaseImage: ${base}\n`);
    const results: Record<string, ToolResult> = { 'goship publish': { ms: [], size: NaN }, 'ko build': { ms: [], size: NaN } };
    if (buildkit) {
      results['BuildKit (Dockerfile)'] = { ms: [], size: NaN };
      // Pulled once through the engine's mirror before timing, so no row pays for it.
      exec(DOCKER, ['pull', '--quiet', opts.builderImage], { env: dockerEnv() });
    }
    const gocache = (tool: string) => path.join(opts.workdir, `gocache-${tool.replace(/\W+/g, '-')}`);
    const synth = () => {
      const app = new GoshipApp({ outdir: path.join(opts.workdir, 'dist'), rootdir: opts.workdir, dockerfileSyntax: DockerfileSyntax.builtIn(), pinsFile: false, warn: () => undefined });
      const image = new GoStaticImage(new Chart(app, 'bench'), 'image', {
        context: service, name: 'hello', repository: `${host}/publish/hello`, tag: 'bench', platforms: [Platform.LINUX_AMD64], builderImage: opts.builderImage,
      });
      app.synth();
      return image;
    };
    const env = (tool: string): NodeJS.ProcessEnv => ({ ...process.env, GOCACHE: gocache(tool) });
    const run = {
      'goship publish': async () => {
        const image = synth();
        await publishImages([publishPlan(image)], { env: env('publish'), publisher: new RegistryPublisher() });
      },
      'ko build': async () => {
        exec(ko, ['build', '--bare', '--platform=linux/amd64', '--sbom=none', '.'], {
          cwd: service, env: { ...env('ko'), KO_DOCKER_REPO: `${host}/ko/hello`, KO_DEFAULTBASEIMAGE: base, KO_CONFIG_PATH: koConfig },
        });
      },
      'BuildKit (Dockerfile)': async () => {
        synth();
        const dockerfile = path.join(opts.workdir, 'dist', 'images', 'hello', 'Dockerfile');
        buildkit!.build({ tag: `${host}/buildkit/hello:bench`, dockerfile, context: service, platform: 'linux/amd64' });
        exec(DOCKER, ['push', `${host}/buildkit/hello:bench`], { env: dockerEnv() });
      },
    } as Record<string, () => Promise<void>>;
    buildkit?.prune();
    for (let row = 0; row < ROWS.length; row++) {
      if (row === 1) {
        fs.appendFileSync(path.join(service, 'main.go'), '\nvar benchEdit = "one-line change"\n');
      }
      for (const tool of Object.keys(results)) {
        const t0 = performance.now();
        await run[tool]();
        results[tool].ms.push(performance.now() - t0);
      }
    }
    results['goship publish'].size = await imageSize(host, 'publish/hello', 'bench');
    results['ko build'].size = await imageSize(host, 'ko/hello', 'latest');
    if (buildkit) {
      results['BuildKit (Dockerfile)'].size = await imageSize(host, 'buildkit/hello', 'bench');
      buildkit.cleanup([`${host}/buildkit/hello:bench`]);
    }
    printPublish(results);
    return undefined;
  } finally {
    registry.kill('SIGTERM');
  }
}

function printPublish(results: Record<string, ToolResult>): void {
  const tools = Object.keys(results);
  const p = results['goship publish'];
  const rows = ROWS.map((row, i) => [row, ...tools.map((t) => `${seconds(results[t].ms[i])} s`), ...tools.slice(1).map((t) => `${(results[t].ms[i] / p.ms[i]).toFixed(2)}x`)]);
  rows.push(['image size (compressed)', ...tools.map((t) => kb(results[t].size)), ...tools.slice(1).map((t) => `${(results[t].size / p.size).toFixed(2)}x`)]);
  say(table(['', ...tools, ...tools.slice(1).map((t) => `${t} / publish`)], rows), '',
    'Times include the push to the same loopback registry. Cold: empty Go build cache (and, for BuildKit, a pruned build cache) and empty repositories.');
}

/** A static base for ko: the CA bundle and passwd/group publish writes for scratch, as one layer. */
async function pushStaticBase(host: string, service: string): Promise<string> {
  const app = new GoshipApp({ outdir: '/nonexistent', pinsFile: false, warn: () => undefined });
  const plan = publishPlan(new GoStaticImage(new Chart(app, 'base'), 'image', { context: service, name: 'base', repository: `${host}/base/static`, tag: 'v1', platforms: [Platform.LINUX_AMD64] }));
  const files = (await runtimeLayer(plan, 0))!;
  // assemble() wants a binary layer; the base has none, so the config is made from the files layer alone.
  const image = assemble(plan, 'linux/amd64', { layers: [], diffIds: [], config: {}, history: [] }, [files], 0);
  const repo = new RegistryRepo(`${host}/base/static`);
  for (const blob of image.blobs) {
    await repo.pushBlob(blob.descriptor.digest, blob.bytes);
  }
  await repo.putManifest('v1', image.manifest, 'application/vnd.oci.image.manifest.v1+json');
  return `${host}/base/static:v1`;
}

/** Compressed size of a single-platform image: config plus layers. */
async function imageSize(host: string, name: string, tag: string): Promise<number> {
  const repo = new RegistryRepo(`${host}/${name}`);
  const m = JSON.parse((await repo.getManifest(tag)).body.toString()) as { config: { size: number }; layers: { size: number }[]; manifests?: { digest: string }[] };
  const single = m.manifests ? JSON.parse((await repo.getManifest(m.manifests[0].digest)).body.toString()) as typeof m : m;
  return single.config.size + single.layers.reduce((s, l) => s + l.size, 0);
}

function exec(file: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv }): void {
  const r = spawnSync(file, args, { ...options, encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) {
    throw new Error(`${file} ${args.join(' ')} failed (${r.status ?? r.signal}):\n${(r.stderr ?? '').slice(-3000)}`);
  }
}

function dockerEnv(): NodeJS.ProcessEnv {
  const dir = process.env.GOSHIP_DOCKER_DIR ?? '/var/tmp/goship-docker';
  return { ...process.env, DOCKER_HOST: `unix://${dir}/docker.sock`, DOCKER_BUILDKIT: '1' };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

async function waitForPort(port: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => {
        s.end();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
    if (ok) {
      return;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`docker-registry did not listen on 127.0.0.1:${port}`);
}
