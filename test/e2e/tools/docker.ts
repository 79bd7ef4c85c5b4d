/**
 * Debian's Docker client (`/usr/bin/docker`, Docker 20.10, BuildKit built in) against the engine
 * `scripts/dockerd.sh` starts for the suite: builds, runs, saves and removes images.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { BUILDAH } from './buildah';
import { Cleanup } from './cleanup';
import { IN_CI } from './prerequisites';
import { REPO_ROOT, run, RunOptions, RunResult, uniqueName } from './process';

/**
 * Debian's client. A `docker` first on PATH may be a newer client that refuses BuildKit builds
 * without the buildx plugin, which Debian 12 does not package.
 */
export const DOCKER = '/usr/bin/docker';

/** The engine's directory, as `scripts/dockerd.sh` uses it. */
export const DOCKER_DIR = process.env.GOSHIP_DOCKER_DIR ?? '/var/tmp/goship-docker';

/** The environment every docker call gets: the suite's engine, BuildKit on. */
export const DOCKER_ENV: NodeJS.ProcessEnv = { ...process.env, DOCKER_HOST: `unix://${DOCKER_DIR}/docker.sock`, DOCKER_BUILDKIT: '1' };

const DOCKERD_SCRIPT = path.join(REPO_ROOT, 'scripts', 'dockerd.sh');

/** Runs `/usr/bin/docker` against the suite's engine. */
export function docker(args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  return run(DOCKER, args, { ...options, env: { ...DOCKER_ENV, ...options.env } });
}

/**
 * Whether the suite's engine answers. In CI (`CI=true`) a missing client or a silent engine
 * throws; elsewhere it prints how to start one and returns false, so the caller can `describe.skip`.
 */
export function requireDockerEngine(): boolean {
  let problem: string | undefined;
  if (!fs.existsSync(DOCKER)) {
    problem = `${DOCKER} is missing (Debian package docker.io): run \`sudo bash scripts/e2e-setup.sh\``;
  } else {
    try {
      execFileSync(DOCKER, ['version', '--format', '{{.Server.Version}}'], { env: DOCKER_ENV, stdio: 'pipe', timeout: 30_000 });
    } catch (e) {
      const stderr = String((e as { stderr?: Buffer }).stderr ?? (e as Error).message).trim();
      problem = `no Docker engine answers on ${DOCKER_ENV.DOCKER_HOST} (${stderr.split('\n').pop()}): run \`sudo bash ${path.relative(process.cwd(), DOCKERD_SCRIPT)} start\``;
    }
  }
  if (problem === undefined) {
    return true;
  }
  if (IN_CI) {
    throw new Error(`e2e prerequisites: ${problem}`);
  }
  console.warn(`SKIPPING docker e2e suite — ${problem}`);
  return false;
}

/** Whether the engine has `image`. */
export async function dockerImageExists(image: string): Promise<boolean> {
  return (await docker(['image', 'inspect', '--format', '{{.Id}}', image], { allowFailure: true })).exitCode === 0;
}

/**
 * Copies an image from buildah's storage into the engine (`buildah push docker-archive:`, then
 * `docker load`) unless the engine has it already. The builder image is 770 MB: about 30 s once,
 * kept in the engine's data directory after that.
 */
export async function loadFromBuildah(image: string): Promise<void> {
  if (await dockerImageExists(image)) {
    return;
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'goship-e2e-load-'));
  try {
    const archive = path.join(dir, 'image.tar');
    await run('buildah', [...BUILDAH, 'push', '--quiet', image, `docker-archive:${archive}:${image}`]);
    await docker(['load', '--quiet', '--input', archive]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Options of {@link dockerBuild}. */
export interface DockerBuildOptions {
  readonly dockerfile: string;
  readonly context: string;
  /** Target platform, e.g. `linux/arm64`. */
  readonly platform: string;
  /** The image name to tag. */
  readonly tag: string;
  readonly buildArgs?: Readonly<Record<string, string>>;
  /** A stage to stop at (`--target`). */
  readonly target?: string;
  /** Resolve with the failed build's output instead of throwing. @default false */
  readonly allowFailure?: boolean;
}

/** What {@link dockerBuild} did. */
export interface DockerBuildResult {
  readonly tag: string;
  readonly exitCode: number;
  /** BuildKit's plain progress output (stderr). */
  readonly log: string;
  readonly seconds: number;
}

/**
 * `docker build` with BuildKit, plain progress and the host's network (the engine has no
 * bridge). BuildKit finds `<Dockerfile>.dockerignore` and sets `BUILDPLATFORM` itself.
 */
export async function dockerBuild(options: DockerBuildOptions, cleanup?: Cleanup): Promise<DockerBuildResult> {
  const args = [
    'build',
    '--progress', 'plain',
    '--network', 'host',
    '--platform', options.platform,
    ...Object.entries(options.buildArgs ?? {}).flatMap(([k, v]) => ['--build-arg', `${k}=${v}`]),
    ...(options.target ? ['--target', options.target] : []),
    '--tag', options.tag,
    '--file', options.dockerfile,
    options.context,
  ];
  cleanup?.add(`remove docker image ${options.tag}`, () => docker(['image', 'rm', '--force', options.tag], { allowFailure: true }));
  const started = Date.now();
  const result = await docker(args, { allowFailure: true });
  const seconds = (Date.now() - started) / 1000;
  const log = `${result.stdout}${result.stderr}`;
  if (result.exitCode !== 0 && !options.allowFailure) {
    throw new Error(`\`docker ${args.join(' ')}\` exited with ${result.exitCode}\n${log.split('\n').slice(-40).join('\n')}`);
  }
  return { tag: options.tag, exitCode: result.exitCode, log, seconds };
}

/**
 * Whether BuildKit took the step whose command matches `command` from its cache, read from the
 * plain progress log (`#12 [build 6/7] RUN … go build …` then `#12 CACHED`). Throws when no step
 * matches, so a renamed step cannot pass as "not cached".
 */
export function stepCached(log: string, command: RegExp): boolean {
  const steps = [...log.matchAll(/^#(\d+) \[[^\]]+\] (.*)$/gm)].filter((m) => command.test(m[2]));
  if (steps.length === 0) {
    throw new Error(`no build step matches ${command} in:\n${log}`);
  }
  return steps.every((m) => new RegExp(`^#${m[1]} CACHED$`, 'm').test(log));
}

/** The parts of `docker image inspect` the tests read. */
export interface DockerImage {
  readonly Id: string;
  readonly Os: string;
  readonly Architecture: string;
  readonly Variant?: string;
  readonly Config: {
    readonly User?: string;
    readonly Entrypoint?: string[] | null;
    readonly ExposedPorts?: Record<string, unknown> | null;
    readonly Labels?: Record<string, string> | null;
  };
}

/** `docker image inspect`. */
export async function inspectImage(image: string): Promise<DockerImage> {
  const { stdout } = await docker(['image', 'inspect', image]);
  return (JSON.parse(stdout) as DockerImage[])[0];
}

/** `docker save` into a tarball (what `goship verify` reads). */
export async function dockerSave(image: string, file: string): Promise<string> {
  await docker(['save', '--output', file, image]);
  return file;
}

/** Options of {@link dockerRun}. */
export interface DockerRunOptions {
  /** `uid:gid` for `--user`. */
  readonly user: string;
  readonly env?: Readonly<Record<string, string>>;
  /** `--platform`, for an image of another architecture. */
  readonly platform?: string;
  /**
   * A static emulator (e.g. `/usr/bin/qemu-aarch64-static`), mounted read-only into the
   * container (not the image) and put before the image's entrypoint; this machine has no
   * binfmt_misc to do it by itself.
   */
  readonly emulator?: string;
  /** Runs this instead of the image's entrypoint (`--entrypoint` and its arguments). */
  readonly command?: readonly string[];
}

/** A container started by {@link dockerRun}. */
export interface DockerContainer {
  readonly id: string;
  /** The container's process as the host sees it. */
  readonly pid: number;
  /** What the process printed so far. */
  logs(): Promise<string>;
  /**
   * `docker stop --time <graceSeconds>`: SIGTERM, then SIGKILL when the grace period is over.
   * Resolves with the exit code Docker recorded (137 when it had to kill).
   */
  stop(graceSeconds: number): Promise<number>;
}

/** The hardened flags every goship image must start with, as a restricted pod would run it. */
export function hardenedRunFlags(user: string): string[] {
  return ['--read-only', '--user', user, '--cap-drop', 'ALL', '--security-opt', 'no-new-privileges'];
}

/**
 * `docker run --detach` on the host's network, read-only, as `user`, no capabilities, no
 * privilege gain. Registered with `cleanup` (removed even when a test fails).
 */
export async function dockerRun(image: string, options: DockerRunOptions, cleanup: Cleanup): Promise<DockerContainer> {
  const name = uniqueName('goship-e2e');
  cleanup.add(`remove container ${name}`, () => docker(['rm', '--force', name], { allowFailure: true }));
  await docker(['run', '--detach', ...runFlags(name, options), image, ...emulatedArgs(options)]);
  const { stdout } = await docker(['inspect', '--format', '{{.State.Pid}} {{.State.Running}}', name]);
  const [pid, running] = stdout.trim().split(' ');
  if (running !== 'true') {
    const { stdout: out, stderr } = await docker(['logs', name], { allowFailure: true });
    throw new Error(`container ${name} of ${image} is not running right after start:\n${out}${stderr}`);
  }
  return {
    id: name,
    pid: Number(pid),
    logs: async () => {
      const r = await docker(['logs', name]);
      return `${r.stdout}${r.stderr}`;
    },
    stop: async (graceSeconds: number) => {
      await docker(['stop', '--time', String(graceSeconds), name], { timeoutMs: (graceSeconds + 30) * 1000 });
      const state = await docker(['inspect', '--format', '{{.State.ExitCode}}', name]);
      return Number(state.stdout.trim());
    },
  };
}

/** `docker run` in the foreground until the process exits: its exit code and output. */
export async function dockerRunToExit(image: string, options: DockerRunOptions, cleanup: Cleanup): Promise<RunResult> {
  const name = uniqueName('goship-e2e');
  cleanup.add(`remove container ${name}`, () => docker(['rm', '--force', name], { allowFailure: true }));
  return docker(['run', ...runFlags(name, options), image, ...emulatedArgs(options)], { allowFailure: true, timeoutMs: 120_000 });
}

function runFlags(name: string, options: DockerRunOptions): string[] {
  return [
    '--name', name,
    '--network', 'host',
    ...hardenedRunFlags(options.user),
    ...(options.platform ? ['--platform', options.platform] : []),
    ...Object.entries(options.env ?? {}).flatMap(([k, v]) => ['--env', `${k}=${v}`]),
    ...(options.emulator ? ['--volume', `${options.emulator}:/.emulator:ro`, '--entrypoint', '/.emulator'] : []),
    ...(options.command && !options.emulator ? ['--entrypoint', options.command[0]] : []),
  ];
}

/**
 * The arguments after the image: with an emulator as the entrypoint, the program it runs
 * (the command, else goship's entrypoint `/app`); else the command's arguments.
 */
function emulatedArgs(options: DockerRunOptions): string[] {
  if (options.emulator) {
    return [...(options.command ?? ['/app'])];
  }
  return options.command ? options.command.slice(1) : [];
}
