import { spawnSync } from 'child_process';
import * as fs from 'fs';
import { performance } from 'perf_hooks';
import { BuildResult } from './buildah';

/** Debian's client (a newer `docker` on PATH may insist on the buildx plugin). */
const DOCKER = '/usr/bin/docker';

/**
 * BuildKit in the Docker engine `scripts/dockerd.sh` starts (Debian's docker.io 20.10), driven
 * with `docker build`. A cold build prunes the engine's build cache first, cache mounts
 * included, so nothing of an earlier build is reused.
 */
export class BenchBuildKit {
  /** Why the BuildKit rows cannot be measured here, or undefined when they can. */
  public static missing(): string | undefined {
    if (!fs.existsSync(DOCKER)) {
      return `${DOCKER} is not installed (scripts/e2e-setup.sh installs docker.io)`;
    }
    const r = spawnSync(DOCKER, ['version', '--format', '{{.Server.Version}}'], { encoding: 'utf8', env: dockerEnv() });
    return r.status === 0 ? undefined : `no Docker engine answers on ${dockerEnv().DOCKER_HOST} (start one with \`sudo bash scripts/dockerd.sh start\`)`;
  }

  /** `Docker <version>, storage driver <driver>`. */
  public describe(): string {
    return run(['info', '--format', 'Docker {{.ServerVersion}}, storage driver {{.Driver}}']).trim();
  }

  /** Copies `image` from buildah's vfs storage into the engine unless it has it. */
  public ensureImage(image: string): void {
    if (spawnSync(DOCKER, ['image', 'inspect', image], { stdio: 'ignore', env: dockerEnv() }).status === 0) {
      return;
    }
    // The engine resolves Docker Hub names through the registry mirror (scripts/mirror.sh).
    process.stderr.write(`  pulling ${image} into the Docker engine from the registry mirror (once)\n`);
    run(['pull', '--quiet', image]);
  }


  /** Empties the engine's build cache, cache mounts included. */
  public prune(): void {
    run(['builder', 'prune', '--all', '--force']);
  }

  /** `docker build`; `noCache` prunes first, for a cold build. */
  public build(opts: { tag: string; dockerfile: string; context: string; platform: string; noCache?: boolean }): BuildResult {
    if (opts.noCache) {
      this.prune();
    }
    const t0 = performance.now();
    const log = run(['build', '--progress', 'plain', '--network', 'host', '--platform', opts.platform, '-t', opts.tag, '-f', opts.dockerfile, opts.context]);
    const ms = performance.now() - t0;
    return { ms, log, cachedSteps: cachedSteps(log) };
  }

  /** Removes the images the bench tagged. */
  public cleanup(tags: readonly string[]): void {
    for (const tag of tags) {
      spawnSync(DOCKER, ['image', 'rm', '--force', tag], { stdio: 'ignore', env: dockerEnv() });
    }
  }
}

function dockerEnv(): NodeJS.ProcessEnv {
  const dir = process.env.GOSHIP_DOCKER_DIR ?? '/var/tmp/goship-docker';
  return { ...process.env, DOCKER_HOST: `unix://${dir}/docker.sock`, DOCKER_BUILDKIT: '1' };
}

function run(args: string[]): string {
  const r = spawnSync(DOCKER, args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, env: dockerEnv() });
  if (r.status !== 0) {
    throw new Error(`docker ${args.join(' ')} failed (${r.status ?? r.signal}):\n${(r.stdout ?? '').slice(-3000)}\n${(r.stderr ?? '').slice(-3000)}`);
  }
  return `${r.stdout}${r.stderr}`;
}

/** The steps BuildKit's plain progress marks `CACHED` (`#7 [build 3/7] COPY go.mod ./` … `#7 CACHED`). */
function cachedSteps(log: string): string[] {
  const cached = new Set([...log.matchAll(/^#(\d+) CACHED$/gm)].map((m) => m[1]));
  return [...log.matchAll(/^#(\d+) \[[^\]]+\] (.*)$/gm)].filter((m) => cached.has(m[1])).map((m) => m[2]);
}

/** What the BuildKit builds took. */
export interface BuildKitBenchResult {
  /** `Docker 20.10.24, storage driver vfs`. */
  readonly engine: string;
  readonly cold: Record<'amd64' | 'arm64', number[]>;
  readonly rebuild: BuildResult[];
}

/** Options of {@link buildKitBench}. */
export interface BuildKitBenchOptions {
  readonly builderImage: string;
  /** The Dockerfile goship renders for the built-in frontend (no `# syntax=` line). */
  readonly dockerfile: string;
  readonly context: string;
  readonly coldRuns: number;
  readonly rebuildRuns: number;
  /** Makes the k-th one-line change to the sources; `restore` undoes them. */
  readonly edit: (k: number) => void;
  readonly restore: () => void;
}

/**
 * The same builds as the buildah rows, with BuildKit: cold amd64 and arm64 (build cache pruned,
 * alternating), then rebuilds after a one-line change with the cache of the last cold amd64 build.
 */
export function buildKitBench(opts: BuildKitBenchOptions): BuildKitBenchResult | { skipped: string } {
  const missing = BenchBuildKit.missing();
  if (missing) {
    return { skipped: missing };
  }
  const buildkit = new BenchBuildKit();
  buildkit.ensureImage(opts.builderImage);
  const tags: string[] = [];
  const build = (name: string, platform: string, noCache: boolean) => {
    const tag = `localhost/goship-bench/hello-buildkit:${name}`;
    tags.push(tag);
    const r = buildkit.build({ tag, dockerfile: opts.dockerfile, context: opts.context, platform, noCache });
    process.stderr.write(`  buildkit ${name.padEnd(19)} ${platform.padEnd(11)} ${(r.ms / 1000).toFixed(1).padStart(7)} s${r.cachedSteps.length ? `, ${r.cachedSteps.length} step(s) cached` : ''}\n`);
    return r;
  };
  try {
    const cold = { amd64: [] as number[], arm64: [] as number[] };
    for (let run = 0; run < opts.coldRuns; run++) {
      // amd64 last, so the rebuilds below start from its cache.
      for (const arch of run % 2 === 0 ? ['arm64', 'amd64'] as const : ['amd64', 'arm64'] as const) {
        cold[arch].push(build(`cold-${arch}-${run}`, `linux/${arch}`, true).ms);
      }
    }
    if (opts.coldRuns % 2 === 0) {
      build('warm-amd64', 'linux/amd64', false);
    }
    const rebuild: BuildResult[] = [];
    try {
      for (let k = 0; k < opts.rebuildRuns; k++) {
        opts.edit(k);
        rebuild.push(build(`rebuild-${k}`, 'linux/amd64', false));
      }
    } finally {
      opts.restore();
    }
    return { engine: buildkit.describe(), cold, rebuild };
  } finally {
    buildkit.cleanup(tags);
  }
}
