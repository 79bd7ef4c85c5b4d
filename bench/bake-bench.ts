import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { performance } from 'perf_hooks';
import { Chart } from 'cdk8s';
import { GoshipApp } from '../lib/app/goship-app';
import { DockerfileSyntax } from '../lib/image/dockerfile-syntax';
import { GoStaticImage } from '../lib/image/go-static-image';
import { Platform } from '../lib/model/platform';
import { say, seconds, table } from './report';

/** Debian's client, with buildx as a CLI plugin from the folder scripts/buildkitd.sh sets up. */
const DOCKER = '/usr/bin/docker';
const REPO_ROOT = path.resolve(__dirname, '..');
const SCRIPTS = path.join(REPO_ROOT, 'scripts');

/** Options of {@link bakeBench}. */
export interface BakeBenchOptions {
  /** A scratch folder: copies of the examples and the synthesized output. */
  readonly workdir: string;
}

/** Everything the bake bench measured, in ms. */
export interface BakeBenchResult {
  readonly images: number;
  readonly platforms: number;
  /** One bake of every image and platform, builder pruned first. */
  readonly coldBake: number;
  /**
   * The same builds one `docker build` at a time on the Docker engine (scripts/dockerd.sh), as
   * the e2e suite built them before bake could run: its build cache pruned first, kept between them.
   */
  readonly coldLoop: number;
  /** Bake again after a one-line change to hello. */
  readonly warmBake: number;
  /** Cold bake with `cache-to` a registry, then the builder pruned and a bake with `cache-from` it. */
  readonly cacheFill: number;
  readonly fromRegistryCache: number;
  readonly cachedCompiles: string;
}

/** Why the bake bench cannot run here, or undefined. */
export function bakeBenchMissing(): string | undefined {
  const up = (script: string) => spawnSync('bash', [path.join(SCRIPTS, script), 'status'], { stdio: 'ignore' }).status === 0;
  if (!up('buildkitd.sh')) {
    return 'buildkitd does not answer (start it with `sudo bash scripts/buildkitd.sh start`)';
  }
  return up('dockerd.sh') ? undefined : 'the Docker engine does not answer (start it with `sudo bash scripts/dockerd.sh start`)';
}

/** The exports a script's `env` prints, over this process's environment. */
function scriptEnv(script: string): NodeJS.ProcessEnv {
  const text = spawnSync('bash', [path.join(SCRIPTS, script), 'env'], { encoding: 'utf8' }).stdout;
  const vars = Object.fromEntries(text.split(/\s+/).filter((w) => w.includes('=')).map((w) => [w.slice(0, w.indexOf('=')), w.slice(w.indexOf('=') + 1)]));
  return { ...process.env, ...vars };
}

function docker(args: readonly string[], env: NodeJS.ProcessEnv, cwd: string): { ms: number; log: string } {
  const t0 = performance.now();
  const r = spawnSync(DOCKER, args, { cwd, env, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  const ms = performance.now() - t0;
  const log = `${r.stdout}${r.stderr}`;
  if (r.status !== 0) {
    throw new Error(`docker ${args.join(' ')} failed (${r.status ?? r.signal}):\n${log.slice(-4000)}`);
  }
  return { ms, log };
}

const buildx = (args: readonly string[], env: NodeJS.ProcessEnv, cwd: string) => docker(['buildx', ...args], env, cwd);

/** Starts bench/module-relay.ts in a process of its own (stopped when this one exits); returns its URL. */
function startRelay(workdir: string): string {
  const upstream = spawnSync('go', ['env', 'GOPROXY'], { encoding: 'utf8' }).stdout.trim().split(/[,|]/).find((e) => /^https?:\/\//.test(e));
  if (upstream === undefined) {
    throw new Error("the host's go env GOPROXY names no http(s) proxy: the shop's builds need one");
  }
  const portFile = path.join(workdir, 'relay.port');
  const relay = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', path.join(__dirname, 'module-relay.ts'), upstream, portFile], { stdio: 'inherit' });
  // Unreferenced, it does not keep the bench alive once the bench is done; exiting stops it.
  relay.unref();
  process.on('exit', () => relay.kill());
  const sleep = new Int32Array(new SharedArrayBuffer(4));
  for (let i = 0; i < 600 && !fs.existsSync(portFile); i++) {
    Atomics.wait(sleep, 0, 0, 100);
  }
  if (!fs.existsSync(portFile)) {
    throw new Error('the module relay did not start within 60 s');
  }
  return `http://127.0.0.1:${fs.readFileSync(portFile, 'utf8')}`;
}

/**
 * Bake against the loop the e2e suite used before bake could run: hello and the shop's three
 * images, both platforms, on the standalone buildkitd of scripts/buildkitd.sh. Each pair runs
 * side by side in one run, on the same builder: cold bake against a cold sequential loop, a
 * warm bake after a one-line change against the cold bake, and a cold bake from the registry
 * cache against one without it.
 */
export function bakeBench(opts: BakeBenchOptions): BakeBenchResult | { skipped: string } {
  const missing = bakeBenchMissing();
  if (missing) {
    return { skipped: missing };
  }
  const env = scriptEnv('buildkitd.sh');
  const engine = scriptEnv('dockerd.sh');
  const registry = env.GOSHIP_BUILD_REGISTRY!;
  // The examples copied, so the one-line change never touches the repository.
  for (const example of ['hello', 'shop']) {
    fs.cpSync(path.join(REPO_ROOT, 'examples', example), path.join(opts.workdir, 'examples', example), { recursive: true });
  }
  const outdir = path.join(opts.workdir, 'dist');
  const app = new GoshipApp({ outdir, rootdir: opts.workdir, dockerfileSyntax: DockerfileSyntax.builtIn(), warn: () => undefined });
  const prefix = `${registry}/bench-${process.pid}`;
  // The examples' images as their charts declare them, from the copies.
  const chart = new Chart(app, 'bench');
  const platforms = [Platform.LINUX_AMD64, Platform.LINUX_ARM64];
  const helloDir = path.join(opts.workdir, 'examples', 'hello');
  // The copies are in no git work tree: a fixed tag.
  new GoStaticImage(chart, 'hello', { context: helloDir, repository: `${prefix}/hello`, platforms, tag: 'bench' });
  // The shop downloads its modules: from the machine's module proxy, read at run time, through
  // a relay on 127.0.0.1 (the builder image lacks the host's certificates).
  const goProxy = startRelay(opts.workdir);
  for (const name of ['api', 'worker', 'grpc']) {
    new GoStaticImage(chart, `${name}-image`, {
      context: path.join(opts.workdir, 'examples', 'shop'), main: `./cmd/${name}`, name: `shop-${name}`, repository: `${prefix}/shop/${name}`, platforms, goProxy, tag: 'bench',
    });
  }
  app.synth();
  const bakeFile = path.join(outdir, 'docker-bake.json');
  const bake = JSON.parse(fs.readFileSync(bakeFile, 'utf8')) as { target: Record<string, { context: string; dockerfile: string; platforms: string[]; args: Record<string, string> }> };
  // The bake file's paths are relative to rootdir: bake runs there.
  const cwd = opts.workdir;
  const prune = () => buildx(['prune', '--all', '--force'], env, cwd);
  const bakeRun = (...args: string[]) => buildx(['bake', '--progress', 'plain', '-f', bakeFile, ...args], env, cwd);
  const targets = Object.keys(bake.target);
  const note = (what: string, ms: number) => process.stderr.write(`  bake bench: ${what.padEnd(44)} ${(ms / 1000).toFixed(1).padStart(7)} s\n`);

  // 1. cold: the loop on the Docker engine, then bake on buildkitd, each builder pruned first
  const enginePrune = () => {
    docker(['builder', 'prune', '--all', '--force'], engine, cwd);
    docker(['image', 'prune', '--all', '--force'], engine, cwd);
  };
  enginePrune();
  let coldLoop = 0;
  for (const name of targets) {
    const t = bake.target[name];
    for (const platform of t.platforms) {
      coldLoop += docker(['build', '--progress', 'plain', '--network', 'host', '--platform', platform,
        ...Object.entries(t.args).flatMap(([k, v]) => ['--build-arg', `${k}=${v}`]),
        '--tag', `bench-loop/${name}:${platform.replace('/', '-')}`,
        '--file', path.resolve(cwd, t.context, t.dockerfile), path.resolve(cwd, t.context)], engine, cwd).ms;
    }
  }
  note('cold sequential loop (docker build per image x platform)', coldLoop);
  enginePrune();
  prune();
  const coldBake = bakeRun('--set', '*.output=type=cacheonly').ms;
  note('cold bake', coldBake);

  // 2. warm: a one-line change to hello
  const main = path.join(helloDir, 'main.go');
  fs.appendFileSync(main, `\n// bench change ${Date.now()}\n`);
  const warmBake = bakeRun('--set', '*.output=type=cacheonly').ms;
  note('warm bake after a one-line change', warmBake);

  // 3. the registry cache: fill it from a pruned builder, prune, bake from it
  const cacheSets = targets.flatMap((t) => [
    '--set', `${t}.cache-to=type=registry,ref=${prefix}/cache/${t}:buildcache,mode=max`,
    '--set', `${t}.cache-from=type=registry,ref=${prefix}/cache/${t}:buildcache`,
  ]);
  prune();
  const cacheFill = bakeRun('--set', '*.output=type=cacheonly', ...cacheSets).ms;
  note('cold bake, cache-to the registry', cacheFill);
  prune();
  const cached = bakeRun('--set', '*.output=type=cacheonly', ...cacheSets);
  note('cold builder, cache-from the registry', cached.ms);
  const compiles = [...cached.log.matchAll(/^#(\d+) \[[^\]]+\] RUN .*go build.*$/gm)].map((m) => m[1]);
  const hits = new Set(compiles.filter((n) => new RegExp(`^#${n} CACHED$`, 'm').test(cached.log)));
  return {
    images: targets.length,
    platforms: bake.target[targets[0]].platforms.length,
    coldBake, coldLoop, warmBake, cacheFill,
    fromRegistryCache: cached.ms,
    cachedCompiles: `${hits.size} of ${new Set(compiles).size}`,
  };
}

/** Prints the bake rows: each pair side by side with its ratio. */
export function printBake(r: BakeBenchResult): void {
  const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}x`;
  say(`${r.images} images x ${r.platforms} platforms: bake on one standalone buildkitd (runc worker), outputs kept in the build cache;`,
    'the loop on the Docker engine (its built-in BuildKit), each image loaded into the engine.', '');
  say(table(['what', 'time (s)', 'against', 'time (s)', 'ratio'], [
    ['cold bake, all images and platforms', seconds(r.coldBake), 'the same builds one `docker build` at a time (cold loop)', seconds(r.coldLoop), ratio(r.coldBake, r.coldLoop)],
    ['warm bake after a one-line change to hello', seconds(r.warmBake), 'cold bake', seconds(r.coldBake), ratio(r.warmBake, r.coldBake)],
    ['cold builder, cache-from the registry', seconds(r.fromRegistryCache), 'cold bake filling that cache', seconds(r.cacheFill), ratio(r.fromRegistryCache, r.cacheFill)],
  ]));
  say('', `Compile steps taken from the registry cache on the cold builder: ${r.cachedCompiles}.`);
}
