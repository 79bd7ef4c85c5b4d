/**
 * `docker buildx bake` through buildx's `remote` driver on the standalone buildkitd that
 * `scripts/buildkitd.sh` starts, with the registry it pulls from and pushes to.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { BUILDAH } from './buildah';
import { DOCKER } from './docker';
import { IN_CI } from './prerequisites';
import { REPO_ROOT, run, RunResult, uniqueName } from './process';

const BUILDKITD_SCRIPT = path.join(REPO_ROOT, 'scripts', 'buildkitd.sh');

/** What `bash scripts/buildkitd.sh env` exports. */
export interface BuildkitEnv {
  readonly DOCKER_CONFIG: string;
  readonly BUILDX_BUILDER: string;
  readonly BUILDKIT_HOST: string;
  /** `127.0.0.1:<port>`: the registry buildkitd pushes to, and its Docker Hub mirror. */
  readonly GOSHIP_BUILD_REGISTRY: string;
}

/** Parses `export A=1 B=2` lines. */
function parseExports(text: string): Record<string, string> {
  return Object.fromEntries(text.split(/\s+/).filter((w) => w.includes('=')).map((w) => [w.slice(0, w.indexOf('=')), w.slice(w.indexOf('=') + 1)]));
}

/** The exports of `scripts/buildkitd.sh env`. */
export function buildkitEnv(): BuildkitEnv {
  return parseExports(execFileSync('bash', [BUILDKITD_SCRIPT, 'env'], { encoding: 'utf8' })) as unknown as BuildkitEnv;
}

/** The folder of the tools built from Go modules (`scripts/e2e-setup.sh bin`). */
export function toolsBin(): string {
  return execFileSync('bash', [path.join(REPO_ROOT, 'scripts', 'e2e-setup.sh'), 'bin'], { encoding: 'utf8' }).trim();
}

/**
 * Whether buildkitd and its registry answer (`scripts/buildkitd.sh status`). In CI (`CI=true`)
 * a silent daemon throws; elsewhere it prints how to start one and returns false.
 */
export function requireBuildkit(): boolean {
  let problem: string | undefined;
  if (!fs.existsSync(DOCKER)) {
    problem = `${DOCKER} is missing (Debian package docker.io): run \`sudo bash scripts/e2e-setup.sh\``;
  } else if (!fs.existsSync(path.join(toolsBin(), 'docker-buildx'))) {
    problem = `docker-buildx is missing in ${toolsBin()}: run \`sudo bash scripts/e2e-setup.sh tools buildkit buildx\``;
  } else {
    try {
      execFileSync('bash', [BUILDKITD_SCRIPT, 'status'], { stdio: 'pipe', timeout: 30_000 });
    } catch {
      problem = 'buildkitd or its registry does not answer: run `sudo bash scripts/buildkitd.sh start`';
    }
  }
  if (problem === undefined) {
    return true;
  }
  if (IN_CI) {
    throw new Error(`e2e prerequisites: ${problem}`);
  }
  console.warn(`SKIPPING bake e2e suite — ${problem}`);
  return false;
}

/** Runs `docker buildx <args>` with the suite's builder; never throws on a non-zero exit. */
export function buildx(args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<RunResult> {
  const env = { ...process.env, ...buildkitEnv(), ...options.env };
  return run(DOCKER, ['buildx', ...args], { cwd: options.cwd ?? REPO_ROOT, env, allowFailure: true, timeoutMs: 30 * 60 * 1000 });
}

/** What {@link bake} did. */
export interface BakeRun {
  readonly exitCode: number;
  /** The plain progress log. */
  readonly log: string;
  readonly seconds: number;
}

/** `docker buildx bake --progress plain <args>` from `cwd`; throws with the log's end on failure. */
export async function bake(args: readonly string[], cwd: string = REPO_ROOT): Promise<BakeRun> {
  const started = Date.now();
  const r = await buildx(['bake', '--progress', 'plain', ...args], { cwd });
  const log = `${r.stdout}${r.stderr}`;
  if (r.exitCode !== 0) {
    throw new Error(`docker buildx bake ${args.join(' ')} (in ${cwd}) exited with ${r.exitCode}\n${log.split('\n').slice(-60).join('\n')}`);
  }
  return { exitCode: r.exitCode, log, seconds: (Date.now() - started) / 1000 };
}

/** The image the `FROM … AS build` line of a synthesized Dockerfile names. */
export function builderFrom(dockerfile: string): string {
  const m = /^FROM (?:--platform=\S+ )?(\S+) AS build$/m.exec(fs.readFileSync(dockerfile, 'utf8'));
  if (!m) {
    throw new Error(`no 'FROM … AS build' line in ${dockerfile}`);
  }
  return m[1];
}

/**
 * Packs the Dockerfile frontend built from BuildKit's module (`dockerfile-frontend`) as an
 * image the way BuildKit's own release stage does (scratch, the binary, its entrypoint and
 * labels) with buildah, and pushes it as `<registry>/<name>`.
 */
export async function pushDockerfileFrontend(registry: string, name: string): Promise<string> {
  const binary = path.join(toolsBin(), 'dockerfile-frontend');
  const ctr = (await run('buildah', [...BUILDAH, 'from', '--pull=never', '--name', uniqueName('goship-frontend'), 'scratch'])).stdout.trim();
  try {
    await run('buildah', [...BUILDAH, 'copy', '--chmod', '0755', ctr, binary, '/bin/dockerfile-frontend']);
    await run('buildah', [...BUILDAH, 'config', '--entrypoint', '["/bin/dockerfile-frontend"]',
      '--label', 'moby.buildkit.frontend.network.none=true',
      '--label', 'moby.buildkit.frontend.caps=moby.buildkit.frontend.inputs,moby.buildkit.frontend.subrequests,moby.buildkit.frontend.contexts',
      ctr]);
    const image = `${registry}/${name}`;
    await run('buildah', [...BUILDAH, 'commit', '--quiet', '--format', 'oci', ctr, `localhost/goship-e2e/dockerfile-frontend:${process.pid}`]);
    await run('buildah', [...BUILDAH, 'push', '--quiet', '--tls-verify=false', `localhost/goship-e2e/dockerfile-frontend:${process.pid}`, `docker://${image}`]);
    await run('buildah', [...BUILDAH, 'rmi', `localhost/goship-e2e/dockerfile-frontend:${process.pid}`], { allowFailure: true });
    return image;
  } finally {
    await run('buildah', [...BUILDAH, 'rm', ctr], { allowFailure: true });
  }
}

/**
 * The build steps of a bake log whose command matches `command`, each with whether BuildKit
 * took it from a cache (`#12 CACHED`). Throws when none matches, so a renamed step cannot pass.
 */
export function matchingSteps(log: string, command: RegExp): Array<{ step: string; cached: boolean }> {
  const steps = [...log.matchAll(/^#(\d+) (\[[^\]]+\] .*)$/gm)].filter((m) => command.test(m[2]));
  if (steps.length === 0) {
    throw new Error(`no build step matches ${command} in:\n${log}`);
  }
  const unique = new Map(steps.map((m) => [m[1], m[2]]));
  return [...unique].map(([n, step]) => ({ step, cached: new RegExp(`^#${n} CACHED$`, 'm').test(log) }));
}
