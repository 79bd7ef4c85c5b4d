/**
 * `goship publish` against `ko build` and BuildKit on the generated Dockerfile, one service
 * (a copy of examples/hello, linux/amd64), one local registry (Debian's docker-registry on
 * 127.0.0.1), in one run: cold build+push (empty Go build cache, empty repositories), warm
 * rebuild+push after a one-line change, a no-change re-run, and the pushed image's size. The
 * warm and no-change rows run `runs` times each (medians shown), the tools interleaved, and
 * each row's load average is printed beside it. Then where the time goes: publish's steps, go's
 * own phases for a one-line change, BuildKit's steps.
 *
 * ko comes from scripts/tools/ko (`bash scripts/e2e-setup.sh tools ko`); its base image is a
 * static base served by the same registry (KO_DEFAULTBASEIMAGE): the CA bundle and the passwd
 * and group files publish adds to scratch, so both push the same runtime files.
 */
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { performance } from 'perf_hooks';
import { Chart } from 'cdk8s';
import { GoshipApp } from '../lib/app/goship-app';
import { DockerfileSyntax } from '../lib/image/dockerfile-syntax';
import { GoStaticImage } from '../lib/image/go-static-image';
import { publishPlan } from '../lib/image/publish-plan';
import { Platform } from '../lib/model/platform';
import { goBuildArgs } from '../lib/publish/build';
import { assemble, runtimeLayer } from '../lib/publish/image';
import { publishImages } from '../lib/publish/publish';
import { RegistryPublisher } from '../lib/publish/publisher';
import { PublishRecord } from '../lib/publish/skip';
import { RegistryRepo } from '../lib/registry/push';
import { BenchBuildKit } from './buildkit';
import { goBuildPhases, printBuildKitSteps, printGoPhases, printPublishSteps, PublishSample } from './publish-breakdown';
import { kb, median, say, seconds, table } from './report';

const DOCKER = '/usr/bin/docker';
const ROWS = ['cold build+push', 'warm rebuild+push (one-line change)', 'no-change re-run'] as const;

/** One tool's times (ms) per row (each run) and its image's compressed size. */
interface ToolResult {
  readonly ms: number[][];
  size: number;
}

/** Options of {@link publishBench}. */
export interface PublishBenchOptions {
  readonly workdir: string;
  readonly builderImage: string;
  readonly repoRoot: string;
  /** Runs of the warm and the no-change rows (medians shown). @default 3 */
  readonly runs?: number;
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
    // publish's no-change records live in the bench's folder: the cold row starts without any.
    const record = new PublishRecord({ dir: path.join(opts.workdir, 'publish-record') });
    const samples: PublishSample[][] = ROWS.map(() => []);
    const buildkitRuns: { log: string; buildMs: number; pushMs: number }[][] = ROWS.map(() => []);
    let row = 0;
    const run = {
      'goship publish': async () => {
        const t0 = performance.now();
        const steps: Record<string, number> = {};
        const plan = publishPlan(synth());
        steps['app synth'] = performance.now() - t0;
        await publishImages([plan], {
          env: env('publish'), publisher: new RegistryPublisher(), record,
          timing: (_image, step, ms) => (steps[step] = (steps[step] ?? 0) + ms),
        });
        samples[row].push({ total: performance.now() - t0, steps });
      },
      'ko build': async () => {
        exec(ko, ['build', '--bare', '--platform=linux/amd64', '--sbom=none', '.'], {
          cwd: service, env: { ...env('ko'), KO_DOCKER_REPO: `${host}/ko/hello`, KO_DEFAULTBASEIMAGE: base, KO_CONFIG_PATH: koConfig },
        });
      },
      'BuildKit (Dockerfile)': async () => {
        synth();
        const dockerfile = path.join(opts.workdir, 'dist', 'images', 'hello', 'Dockerfile');
        const built = buildkit!.build({ tag: `${host}/buildkit/hello:bench`, dockerfile, context: service, platform: 'linux/amd64' });
        const t0 = performance.now();
        exec(DOCKER, ['push', `${host}/buildkit/hello:bench`], { env: dockerEnv() });
        buildkitRuns[row].push({ log: built.log, buildMs: built.ms, pushMs: performance.now() - t0 });
      },
    } as Record<string, () => Promise<void>>;
    buildkit?.prune();
    const runs = opts.runs ?? 3;
    const loads: number[][] = ROWS.map(() => []);
    let edits = 0;
    const edit = () => fs.appendFileSync(path.join(service, 'main.go'), `\nvar benchEdit${++edits} = "one-line change"\n`);
    for (row = 0; row < ROWS.length; row++) {
      for (let i = 0; i < (row === 0 ? 1 : runs); i++) {
        if (row === 1) {
          edit();
        }
        loads[row].push(os.loadavg()[0]);
        for (const tool of Object.keys(results)) {
          const t0 = performance.now();
          await run[tool]();
          (results[tool].ms[row] ??= []).push(performance.now() - t0);
        }
        loads[row].push(os.loadavg()[0]);
      }
    }
    results['goship publish'].size = await imageSize(host, 'publish/hello', 'bench');
    results['ko build'].size = await imageSize(host, 'ko/hello', 'latest');
    if (buildkit) {
      results['BuildKit (Dockerfile)'].size = await imageSize(host, 'buildkit/hello', 'bench');
      buildkit.cleanup([`${host}/buildkit/hello:bench`]);
    }
    printPublish(results, loads, runs);
    say('', '### Where the time goes', '');
    printPublishSteps(ROWS.map((r, i) => [r, samples[i]] as const));
    say('');
    const plan = publishPlan(synth());
    printGoPhases(goBuildPhases({
      cwd: plan.moduleDir, args: goBuildArgs(plan, path.join(opts.workdir, 'app')), edit, workdir: opts.workdir,
      env: { ...env('publish'), CGO_ENABLED: '0', GOOS: 'linux', GOARCH: 'amd64' },
    }));
    if (buildkit) {
      say('');
      printBuildKitSteps(ROWS.map((r, i) => [r, buildkitRuns[i]] as const));
    }
    return undefined;
  } finally {
    registry.kill('SIGTERM');
  }
}

function printPublish(results: Record<string, ToolResult>, loads: readonly number[][], runs: number): void {
  const tools = Object.keys(results);
  const p = results['goship publish'];
  const rows = ROWS.map((row, i) => [
    row, ...tools.map((t) => `${seconds(median(results[t].ms[i]))} s`),
    ...tools.slice(1).map((t) => `${(median(results[t].ms[i]) / median(p.ms[i])).toFixed(2)}x`),
    `${Math.min(...loads[i]).toFixed(0)}–${Math.max(...loads[i]).toFixed(0)}`,
  ]);
  rows.push(['image size (compressed)', ...tools.map((t) => kb(results[t].size)), ...tools.slice(1).map((t) => `${(results[t].size / p.size).toFixed(2)}x`), '']);
  say(table(['', ...tools, ...tools.slice(1).map((t) => `${t} / publish`), 'load avg (1 min)'], rows), '',
    `Times include the push to the same loopback registry; warm and no-change are medians of ${runs} runs, the tools interleaved run by run. Cold: empty Go build cache (and, for BuildKit, a pruned build cache) and empty repositories.`);
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
