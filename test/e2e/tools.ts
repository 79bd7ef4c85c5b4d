/**
 * Typed wrappers over the daemonless container tools the end-to-end tests drive: buildah
 * (build), umoci (unpack), runc (run), skopeo and docker-registry (push and read back).
 *
 * Every call uses buildah's vfs storage driver. Everything a helper starts or creates is
 * registered with a {@link Cleanup}, which the suites run in `afterAll`, so containers,
 * registries, images and temporary folders go away even when a test fails.
 */
import { ChildProcess, execFile, spawn } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as http from 'http';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';

/** The builder image `scripts/e2e-setup.sh` makes (no registry can be pulled from here). */
export const BUILDER_IMAGE = process.env.GOSHIP_BUILDER_IMAGE ?? 'localhost/golang:1.19-local';

/** Every buildah call uses the same storage driver (works on any filesystem, no fuse). */
const BUILDAH = ['--storage-driver', 'vfs'];

/** Makes names of containers, lists and files unique within this run. */
let containerSeq = 0;

/** A local image name unique to this process, so two runs on one machine do not collide. */
export function e2eImageTag(name: string, tag: string): string {
  return `localhost/goship-e2e/${name}:${tag}-${process.pid}`;
}

const REPO_ROOT = path.resolve(__dirname, '..', '..');
const SETUP_SCRIPT = path.join(REPO_ROOT, 'scripts', 'e2e-setup.sh');

/** The tools the e2e suites need, and the Debian package that brings each. */
export const E2E_TOOLS: Readonly<Record<string, string>> = {
  'buildah': 'buildah',
  'runc': 'runc',
  'umoci': 'umoci',
  'skopeo': 'skopeo',
  'docker-registry': 'docker-registry',
  'qemu-aarch64-static': 'qemu-user-static',
  'go': 'golang-go',
};

// ---------------------------------------------------------------------------------------------
// Running commands
// ---------------------------------------------------------------------------------------------

/** A failed command, with what it printed. */
export class CommandError extends Error {
  public constructor(
    public readonly command: readonly string[],
    public readonly exitCode: number | null,
    public readonly stdout: string,
    public readonly stderr: string,
    cause?: string,
  ) {
    super(`\`${command.join(' ')}\` ${cause ?? `exited with ${exitCode}`}\n${tail(stderr || stdout, 40)}`);
    this.name = 'CommandError';
  }
}

/** Options of {@link run}. */
export interface RunOptions {
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** @default 10 minutes */
  readonly timeoutMs?: number;
  /** Resolve with the result instead of throwing when the exit code is not 0. @default false */
  readonly allowFailure?: boolean;
}

/** What a command printed and how it ended. */
export interface RunResult {
  readonly stdout: string;
  readonly stderr: string;
  readonly exitCode: number;
}

/** Runs a command without a shell; throws a {@link CommandError} (with its stderr) when it fails. */
export function run(file: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const command = [file, ...args];
  return new Promise((resolve, reject) => {
    execFile(file, [...args], {
      cwd: options.cwd,
      env: options.env ?? process.env,
      timeout: options.timeoutMs ?? 10 * 60 * 1000,
      maxBuffer: 64 * 1024 * 1024,
      encoding: 'utf8',
    }, (error, stdout, stderr) => {
      if (!error) {
        resolve({ stdout, stderr, exitCode: 0 });
        return;
      }
      const e = error as NodeJS.ErrnoException & { code?: number | string; killed?: boolean; signal?: string };
      if (typeof e.code === 'string') {
        reject(new CommandError(command, null, stdout, stderr, `could not start: ${e.message}`));
      } else if (e.killed || e.signal) {
        reject(new CommandError(command, null, stdout, stderr, `was killed (${e.signal ?? 'timeout'})`));
      } else if (options.allowFailure) {
        resolve({ stdout, stderr, exitCode: e.code ?? 1 });
      } else {
        reject(new CommandError(command, e.code ?? null, stdout, stderr));
      }
    });
  });
}

function tail(text: string, lines: number): string {
  const all = text.trimEnd().split('\n');
  return (all.length > lines ? ['…', ...all.slice(-lines)] : all).map((l) => `  | ${l}`).join('\n');
}

// ---------------------------------------------------------------------------------------------
// Prerequisites
// ---------------------------------------------------------------------------------------------

/** True when `CI=true`: then a missing prerequisite fails the suite instead of skipping it. */
export const IN_CI = process.env.CI === 'true';

function onPath(tool: string): boolean {
  try {
    which(tool);
    return true;
  } catch {
    return false;
  }
}

/**
 * Checks that the tools are on PATH and that we are root (buildah's vfs storage and runc need it).
 *
 * In CI (`CI=true`) anything missing throws, so the suite fails instead of passing silently.
 * Elsewhere it prints what is missing and returns false, so the caller can `describe.skip`.
 */
export function requireTools(tools: readonly string[] = Object.keys(E2E_TOOLS)): boolean {
  const problems: string[] = [];
  const missing = tools.filter((t) => !onPath(t));
  if (missing.length > 0) {
    const packages = [...new Set(missing.map((t) => E2E_TOOLS[t] ?? t))];
    problems.push(`missing on PATH: ${missing.join(', ')} (Debian packages: ${packages.join(' ')})`);
  }
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    problems.push('not root: buildah (vfs storage) and runc need root here');
  }
  if (problems.length === 0) {
    return true;
  }
  const message = `e2e prerequisites: ${problems.join('; ')}. Run \`sudo bash scripts/e2e-setup.sh\`.`;
  if (IN_CI) {
    throw new Error(message);
  }
  // eslint-disable-next-line no-console
  console.warn(`SKIPPING e2e suite — ${message}`);
  return false;
}

/** Whether buildah's storage lists `image`. */
export async function imageExists(image: string): Promise<boolean> {
  const { stdout } = await run('buildah', [...BUILDAH, 'images', '--format', '{{.Name}}:{{.Tag}}']);
  return stdout.split('\n').includes(image);
}

/**
 * Makes sure the local builder image exists, running `scripts/e2e-setup.sh` (debootstrap,
 * about two minutes) only when buildah's storage does not list it yet.
 */
export async function ensureBuilderImage(image: string = BUILDER_IMAGE): Promise<string> {
  if (await imageExists(image)) {
    return image;
  }
  await run('bash', [SETUP_SCRIPT], { env: { ...process.env, GOSHIP_BUILDER_IMAGE: image }, timeoutMs: 15 * 60 * 1000 });
  if (!(await imageExists(image))) {
    throw new Error(`${SETUP_SCRIPT} ran but buildah still does not list ${image}`);
  }
  return image;
}

/**
 * The builder image pinned by digest (`name:tag@sha256:…`), as a release should pin it; buildah
 * resolves that reference locally with `--pull=never`.
 */
export async function pinnedBuilderImage(image: string = BUILDER_IMAGE): Promise<string> {
  const { stdout } = await run('buildah', [...BUILDAH, 'images', '--format', '{{.Digest}}', image]);
  const digest = stdout.trim().split('\n')[0];
  if (!/^sha256:[0-9a-f]{64}$/.test(digest)) {
    throw new Error(`no digest for ${image} in buildah's storage (got '${stdout.trim()}')`);
  }
  return `${image}@${digest}`;
}

// ---------------------------------------------------------------------------------------------
// Clean-up
// ---------------------------------------------------------------------------------------------

/**
 * Clean-up actions, run last-in first-out. Every action runs even if an earlier one fails;
 * the failures are reported together.
 */
export class Cleanup {
  private readonly actions: Array<{ what: string; action: () => Promise<unknown> | unknown }> = [];

  /** Registers an action. */
  public add(what: string, action: () => Promise<unknown> | unknown): void {
    this.actions.push({ what, action });
  }

  /** A new temporary folder, removed at clean-up. */
  public tmpdir(prefix: string): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `goship-e2e-${prefix}-`));
    this.add(`remove ${dir}`, () => fs.rmSync(dir, { recursive: true, force: true }));
    return dir;
  }

  /** Runs every action, newest first. */
  public async run(): Promise<void> {
    const errors: string[] = [];
    while (this.actions.length > 0) {
      const { what, action } = this.actions.pop()!;
      try {
        await action();
      } catch (e) {
        errors.push(`${what}: ${(e as Error).message}`);
      }
    }
    if (errors.length > 0) {
      throw new Error(`clean-up failed:\n${errors.join('\n')}`);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Build and export
// ---------------------------------------------------------------------------------------------

/** Options of {@link buildahBuild}. */
export interface BuildahBuildOptions {
  readonly dockerfile: string;
  readonly context: string;
  /** Target platform, e.g. `linux/arm64`. */
  readonly platform: string;
  /** The image name to tag, e.g. `localhost/goship-e2e/hello:amd64`. */
  readonly tag: string;
  /** Build arguments; `BUILDPLATFORM` defaults to `linux/amd64` (buildah 1.28 does not set it). */
  readonly buildArgs?: Readonly<Record<string, string>>;
  /** An ignore file (buildah 1.28 does not read `<Dockerfile>.dockerignore` by itself). */
  readonly ignoreFile?: string;
}

/** What {@link buildahBuild} made. */
export interface BuiltImage {
  readonly tag: string;
  readonly platform: string;
  /** The image id buildah printed. */
  readonly id: string;
  /** buildah's output, for diagnostics. */
  readonly log: string;
  readonly seconds: number;
}

/**
 * `buildah build` with vfs storage, chroot isolation and no pulls: the builder image must be
 * local. The arm64 image is cross-compiled by an amd64 builder stage (`--platform=$BUILDPLATFORM`).
 */
export async function buildahBuild(options: BuildahBuildOptions, cleanup?: Cleanup): Promise<BuiltImage> {
  const buildArgs = { BUILDPLATFORM: 'linux/amd64', ...options.buildArgs };
  const iidFile = path.join(os.tmpdir(), `goship-e2e-iid-${process.pid}-${++containerSeq}`);
  const args = [
    ...BUILDAH, 'build',
    '--isolation', 'chroot',
    '--pull=never',
    '--platform', options.platform,
    ...Object.entries(buildArgs).flatMap(([k, v]) => ['--build-arg', `${k}=${v}`]),
    ...(options.ignoreFile ? ['--ignorefile', options.ignoreFile] : []),
    '--iidfile', iidFile,
    '-t', options.tag,
    '-f', options.dockerfile,
    options.context,
  ];
  cleanup?.add(`remove image ${options.tag}`, () => run('buildah', [...BUILDAH, 'rmi', '-f', options.tag], { allowFailure: true }));
  const started = Date.now();
  const { stdout, stderr } = await run('buildah', args);
  const id = fs.readFileSync(iidFile, 'utf8').trim();
  fs.rmSync(iidFile, { force: true });
  return { tag: options.tag, platform: options.platform, id, log: `${stdout}${stderr}`, seconds: (Date.now() - started) / 1000 };
}

/** The OCI image config of a local image (`architecture`, `os`, `config.User`, …). */
export async function imageConfig(tag: string): Promise<OciImageConfig> {
  const { stdout } = await run('buildah', [...BUILDAH, 'inspect', '--type', 'image', tag]);
  return (JSON.parse(stdout) as { OCIv1: OciImageConfig }).OCIv1;
}

/** The parts of an OCI image config the tests read. */
export interface OciImageConfig {
  readonly architecture: string;
  readonly os: string;
  readonly variant?: string;
  readonly config: {
    readonly User?: string;
    readonly Entrypoint?: string[];
    readonly ExposedPorts?: Record<string, unknown>;
    readonly Labels?: Record<string, string>;
  };
}

/** Writes a local image into an OCI layout (`dir`, tagged `ref`), e.g. for `goship verify` and umoci. */
export async function exportOciLayout(tag: string, dir: string, ref = 'latest'): Promise<string> {
  await run('buildah', [...BUILDAH, 'push', '--quiet', tag, `oci:${dir}:${ref}`]);
  return dir;
}

// ---------------------------------------------------------------------------------------------
// Run
// ---------------------------------------------------------------------------------------------

/** Options of {@link unpackBundle}. */
export interface UnpackOptions {
  /** Extra environment for the process (e.g. `PORT`). */
  readonly env?: Readonly<Record<string, string>>;
  /**
   * A static emulator (e.g. `/usr/bin/qemu-aarch64-static`) copied into the bundle's rootfs (not
   * the image) and put before the entrypoint, to start a foreign-architecture image.
   */
  readonly emulator?: string;
}

/** The parts of a runtime-spec config.json the tests change. */
interface RuntimeConfig {
  process: { terminal?: boolean; args: string[]; env?: string[]; user: { uid: number; gid: number } };
  linux: { namespaces: Array<{ type: string }> };
}

/**
 * `umoci unpack` an image of an OCI layout into a runtime bundle and makes it runnable here:
 * no terminal, and no network namespace, so a port the process listens on is reachable on the
 * host's loopback. The image's user (uid/gid) is kept as umoci wrote it.
 */
export async function unpackBundle(layout: string, ref: string, bundle: string, options: UnpackOptions = {}): Promise<string> {
  await run('umoci', ['unpack', '--image', `${layout}:${ref}`, bundle]);
  const file = path.join(bundle, 'config.json');
  const config = JSON.parse(fs.readFileSync(file, 'utf8')) as RuntimeConfig;
  config.process.terminal = false;
  config.process.env = [...(config.process.env ?? []), ...Object.entries(options.env ?? {}).map(([k, v]) => `${k}=${v}`)];
  config.linux.namespaces = config.linux.namespaces.filter((ns) => ns.type !== 'network');
  if (options.emulator) {
    const inside = `/.${path.basename(options.emulator)}`;
    fs.copyFileSync(options.emulator, path.join(bundle, 'rootfs', inside));
    fs.chmodSync(path.join(bundle, 'rootfs', inside), 0o755);
    config.process.args = [inside, ...config.process.args];
  }
  fs.writeFileSync(file, JSON.stringify(config, null, 2));
  return bundle;
}

/** The user a bundle's process runs as (from config.json). */
export function bundleUser(bundle: string): { uid: number; gid: number } {
  return (JSON.parse(fs.readFileSync(path.join(bundle, 'config.json'), 'utf8')) as RuntimeConfig).process.user;
}

/** A container started by {@link runcRun}. */
export interface RuncContainer {
  readonly id: string;
  /** The container's init process, as the host sees it. */
  readonly pid: number;
  /** What the process printed so far (stdout and stderr). */
  log(): string;
  /** runc's view: `running`, `stopped`, … (`gone` once deleted). */
  status(): Promise<string>;
  /** Sends a signal to the container's process (`runc kill`). */
  kill(signal: string): Promise<void>;
  /** Polls until the process has exited; false if it still runs after `timeoutMs`. */
  waitForExit(timeoutMs: number): Promise<boolean>;
  /** SIGTERM, then SIGKILL after `graceMs`, then `runc delete`. Idempotent. */
  stop(graceMs?: number): Promise<void>;
}

function containerId(prefix: string): string {
  return `goship-e2e-${prefix}-${process.pid}-${++containerSeq}`;
}

async function runcState(id: string): Promise<{ status: string; pid: number } | undefined> {
  const r = await run('runc', ['state', id], { allowFailure: true });
  return r.exitCode === 0 ? (JSON.parse(r.stdout) as { status: string; pid: number }) : undefined;
}

/**
 * `runc run -d`: starts the bundle in the background, its output going to a log file. Throws
 * (with that log) if the process is not running a moment later. Registered with `cleanup`.
 */
export async function runcRun(bundle: string, cleanup: Cleanup, name = 'app'): Promise<RuncContainer> {
  const id = containerId(name);
  const logFile = path.join(path.dirname(bundle), `${path.basename(bundle)}.${id}.log`);
  const fd = fs.openSync(logFile, 'w');
  let stopped = false;
  const readLog = () => (fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8') : '');
  const stop = async (graceMs = 5000) => {
    if (stopped) {
      return;
    }
    stopped = true;
    if ((await runcState(id))?.status === 'running') {
      await run('runc', ['kill', id, 'TERM'], { allowFailure: true });
      const until = Date.now() + graceMs;
      while (Date.now() < until && (await runcState(id))?.status === 'running') {
        await sleep(100);
      }
      await run('runc', ['kill', id, 'KILL'], { allowFailure: true });
    }
    await run('runc', ['delete', '--force', id], { allowFailure: true });
  };
  cleanup.add(`stop container ${id}`, () => stop(1000));
  try {
    // runc -d returns once the process started; it keeps our stdio, so give it the log file.
    const child = spawn('runc', ['run', '--detach', '--bundle', bundle, id], { stdio: ['ignore', fd, fd] });
    const code = await exited(child);
    if (code !== 0) {
      throw new Error(`\`runc run --detach --bundle ${bundle} ${id}\` exited with ${code}\n${tail(readLog(), 40)}`);
    }
  } finally {
    fs.closeSync(fd);
  }
  await sleep(200);
  const state = await runcState(id);
  if (state?.status !== 'running') {
    await stop();
    throw new Error(`container ${id} is ${state?.status ?? 'gone'} right after start:\n${tail(readLog(), 40)}`);
  }
  const status = async () => (await runcState(id))?.status ?? 'gone';
  const kill = async (signal: string) => {
    await run('runc', ['kill', id, signal]);
  };
  const waitForExit = async (timeoutMs: number) => {
    const until = Date.now() + timeoutMs;
    while ((await status()) === 'running') {
      if (Date.now() > until) {
        return false;
      }
      await sleep(100);
    }
    return true;
  };
  return { id, pid: state.pid, log: readLog, status, kill, waitForExit, stop };
}

/** `runc run` in the foreground until the process exits: its exit code and output. */
export async function runcRunToExit(bundle: string, cleanup: Cleanup, name = 'app', timeoutMs = 60_000): Promise<RunResult> {
  const id = containerId(name);
  cleanup.add(`delete container ${id}`, () => run('runc', ['delete', '--force', id], { allowFailure: true }));
  const result = await run('runc', ['run', '--bundle', bundle, id], { allowFailure: true, timeoutMs });
  await run('runc', ['delete', '--force', id], { allowFailure: true });
  return result;
}

/** The `Uid:` line of /proc/<pid>/status: real, effective, saved, filesystem. */
export function processUids(pid: number): number[] {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const line = /^Uid:\s+(.*)$/m.exec(status)?.[1];
  if (!line) {
    throw new Error(`no Uid line in /proc/${pid}/status`);
  }
  return line.trim().split(/\s+/).map(Number);
}

// ---------------------------------------------------------------------------------------------
// HTTP on loopback
// ---------------------------------------------------------------------------------------------

/** A TCP port that was free a moment ago on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** A response read whole. */
export interface HttpResponse {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

function assertLoopback(url: URL): void {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (!(host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host))) {
    throw new Error(`refusing to send e2e traffic to ${url.host}: loopback only`);
  }
}

/** One HTTP request to a loopback address, 5 s timeout. */
export function httpRequest(url: string, options: { method?: string; headers?: Record<string, string | string[]> } = {}): Promise<HttpResponse> {
  const target = new URL(url);
  assertLoopback(target);
  return new Promise((resolve, reject) => {
    const req = http.request(target, { method: options.method ?? 'GET', headers: options.headers, agent: false, timeout: 5000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`timeout after 5 s: ${url}`)));
    req.on('error', reject);
    req.end();
  });
}

/**
 * GETs `url` (loopback only) until it answers, at most `attempts` times, 250 ms apart. Returns
 * the first response (any status); throws with the last error when none came.
 */
export async function waitForHttp(url: string, attempts = 40, whileAlive?: () => Promise<boolean>): Promise<HttpResponse> {
  let last: unknown;
  for (let i = 0; i < attempts; i++) {
    try {
      return await httpRequest(url);
    } catch (e) {
      last = e;
    }
    if (whileAlive && !(await whileAlive())) {
      throw new Error(`gave up on ${url}: the server process is gone (last error: ${(last as Error).message})`);
    }
    await sleep(250);
  }
  throw new Error(`no answer from ${url} after ${attempts} attempts: ${(last as Error).message}`);
}

// ---------------------------------------------------------------------------------------------
// Registry
// ---------------------------------------------------------------------------------------------

/** A running `docker-registry` on 127.0.0.1. */
export interface LocalRegistry {
  /** `127.0.0.1:<port>`, to prefix image names with. */
  readonly host: string;
  stop(): Promise<void>;
}

/**
 * Starts Debian's `docker-registry serve` (distribution 2.8) on 127.0.0.1 at a free port, with
 * storage in a temporary folder; waits until `GET /v2/` answers 200. Registered with `cleanup`.
 */
export async function startRegistry(cleanup: Cleanup): Promise<LocalRegistry> {
  const dir = cleanup.tmpdir('registry');
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const host = `127.0.0.1:${port}`;
    const config = path.join(dir, `config-${port}.yml`);
    fs.writeFileSync(config, [
      'version: 0.1',
      'log:',
      '  level: warn',
      '  accesslog:',
      '    disabled: true',
      'storage:',
      '  filesystem:',
      `    rootdirectory: ${path.join(dir, 'data')}`,
      '  delete:',
      '    enabled: true',
      'http:',
      `  addr: ${host}`,
      '',
    ].join('\n'));
    const logFile = path.join(dir, `registry-${port}.log`);
    const fd = fs.openSync(logFile, 'w');
    const child = spawn('docker-registry', ['serve', config], { stdio: ['ignore', fd, fd] });
    fs.closeSync(fd);
    let alive = true;
    const exit = exited(child).catch(() => null).then(() => {
      alive = false;
    });
    const stop = async () => {
      if (alive) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exit;
        clearTimeout(timer);
      }
    };
    cleanup.add(`stop registry ${host}`, stop);
    try {
      const res = await waitForHttp(`http://${host}/v2/`, 40, async () => alive);
      if (res.status !== 200) {
        throw new Error(`GET /v2/ answered ${res.status}`);
      }
      return { host, stop };
    } catch (e) {
      await stop();
      const log = fs.readFileSync(logFile, 'utf8');
      if (attempt < 3 && /address already in use/.test(log)) {
        continue;
      }
      throw new Error(`docker-registry did not start on ${host}: ${(e as Error).message}\n${tail(log, 20)}`);
    }
  }
}

/** Options of {@link pushIndex}. */
export interface PushIndexOptions {
  /** Local images, one per platform (their configs carry os/architecture). */
  readonly images: readonly string[];
  /** `host/name:tag` in the registry. */
  readonly destination: string;
}

/**
 * Makes a manifest list of local images and pushes it with all its images as an OCI image
 * index (`buildah manifest push --all --format oci`, plain HTTP). Returns the index digest
 * buildah wrote.
 */
export async function pushIndex(options: PushIndexOptions, cleanup: Cleanup): Promise<string> {
  const list = `localhost/goship-e2e-index-${process.pid}-${++containerSeq}`;
  await run('buildah', [...BUILDAH, 'manifest', 'create', list]);
  cleanup.add(`remove manifest list ${list}`, () => run('buildah', [...BUILDAH, 'manifest', 'rm', list], { allowFailure: true }));
  for (const image of options.images) {
    await run('buildah', [...BUILDAH, 'manifest', 'add', list, `containers-storage:${image}`]);
  }
  const digestFile = path.join(cleanup.tmpdir('digest'), 'digest');
  await run('buildah', [
    ...BUILDAH, 'manifest', 'push', '--all', '--format', 'oci', '--tls-verify=false', '--quiet',
    '--digestfile', digestFile, list, `docker://${options.destination}`,
  ]);
  return fs.readFileSync(digestFile, 'utf8').trim();
}

/** The accept header a registry needs to answer with an index instead of converting. */
export const MANIFEST_ACCEPT = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
];

/** `HEAD /v2/<name>/manifests/<ref>`: the registry's `Docker-Content-Digest` and media type. */
export async function headManifest(host: string, name: string, ref: string): Promise<{ digest: string; mediaType: string }> {
  const res = await httpRequest(`http://${host}/v2/${name}/manifests/${ref}`, { method: 'HEAD', headers: { Accept: MANIFEST_ACCEPT } });
  if (res.status !== 200) {
    throw new Error(`HEAD ${host}/v2/${name}/manifests/${ref} answered ${res.status}`);
  }
  return { digest: String(res.headers['docker-content-digest']), mediaType: String(res.headers['content-type']) };
}

/** `skopeo inspect --raw`: the manifest bytes as stored, and their sha256 digest. */
export async function rawManifest(reference: string): Promise<{ raw: string; digest: string }> {
  const { stdout } = await run('skopeo', ['inspect', '--raw', '--tls-verify=false', reference]);
  return { raw: stdout, digest: `sha256:${createHash('sha256').update(stdout, 'utf8').digest('hex')}` };
}

/** `skopeo copy --all` from a registry into an OCI layout (`dir:ref`). */
export async function copyToOciLayout(reference: string, dir: string, ref: string): Promise<void> {
  await run('skopeo', ['copy', '--all', '--quiet', '--src-tls-verify=false', reference, `oci:${dir}:${ref}`]);
}

// ---------------------------------------------------------------------------------------------

/** The absolute path of a tool on PATH. */
export function which(tool: string): string {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, tool);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  throw new Error(`${tool} is not on PATH`);
}

/** `node bin/goship.js verify …`: exit code and output (does not throw on exit 1). */
export function goshipVerify(args: readonly string[]): Promise<RunResult> {
  return run(process.execPath, [path.join(REPO_ROOT, 'bin', 'goship.js'), 'verify', ...args], { allowFailure: true, timeoutMs: 120_000 });
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => resolve(code));
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
