/** buildah with vfs storage and chroot isolation, pulling only from the registry mirror: build, inspect, export. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Cleanup } from './cleanup';
import { REPO_ROOT, run, uniqueName } from './process';
import { headManifest } from './registry';

/** The registry mirror scripts/mirror.sh runs: it holds the builder images as library/golang. */
export const MIRROR = `127.0.0.1:${process.env.GOSHIP_MIRROR_PORT ?? '5100'}`;
const MIRROR_DIR = process.env.GOSHIP_MIRROR_DIR ?? '/var/tmp/goship-mirror';
// buildah and skopeo resolve `golang:<version>` through the mirror, as the Docker engine does.
process.env.CONTAINERS_REGISTRIES_CONF ??= path.join(MIRROR_DIR, 'registries.conf');

/** The Go releases scripts/e2e-setup.sh makes builder images of, newest first but for the oldest. */
export const GO_RELEASES = ['1.26.8', '1.27.3', '1.19.8'] as const;

/**
 * The builder image the examples' Dockerfiles name by default: their go.mod says `go 1.26.0`,
 * so goship writes `FROM golang:1.26`, the newest 1.26 patch (1.26.8 in the mirror).
 */
export const BUILDER_IMAGE = process.env.GOSHIP_BUILDER_IMAGE ?? 'golang:1.26';

/** Every buildah call uses the same storage driver (works on any filesystem, no fuse). */
export const BUILDAH = ['--storage-driver', 'vfs'];

const SETUP_SCRIPT = path.join(REPO_ROOT, 'scripts', 'e2e-setup.sh');
const MIRROR_SCRIPT = path.join(REPO_ROOT, 'scripts', 'mirror.sh');

/** A local image name unique to this process, so two runs on one machine do not collide. */
export function e2eImageTag(name: string, tag: string): string {
  return `localhost/goship-e2e/${name}:${tag}-${process.pid}`;
}

/** Whether buildah's storage lists `image`. */
export async function imageExists(image: string): Promise<boolean> {
  const { stdout } = await run('buildah', [...BUILDAH, 'images', '--format', '{{.Name}}:{{.Tag}}']);
  return stdout.split('\n').includes(image);
}

/** The mirror's digest of `golang:<tag>`, or undefined when it does not have it. */
async function mirrorDigest(image: string): Promise<string | undefined> {
  const tag = /^golang:([^@]+)$/.exec(image)?.[1];
  if (!tag) {
    throw new Error(`${image} is not a golang:<version> builder image`);
  }
  return (await headManifest(MIRROR, 'library/golang', tag).catch(() => undefined))?.digest;
}

/**
 * Makes sure the mirror runs and holds the builder image, running `scripts/e2e-setup.sh`
 * (debootstrap and the Go releases, a few minutes) only when it does not yet.
 */
export async function ensureBuilderImage(image: string = BUILDER_IMAGE): Promise<string> {
  await run('bash', [MIRROR_SCRIPT, 'start']);
  if (await mirrorDigest(image)) {
    return image;
  }
  await run('bash', [SETUP_SCRIPT], { timeoutMs: 30 * 60 * 1000 });
  if (!(await mirrorDigest(image))) {
    throw new Error(`${SETUP_SCRIPT} ran but the mirror ${MIRROR} still does not have ${image}`);
  }
  return image;
}

/**
 * The builder image pinned by the digest the mirror serves (`golang:1.26@sha256:…`), as a
 * release should pin it.
 */
export async function pinnedBuilderImage(image: string = BUILDER_IMAGE): Promise<string> {
  const digest = await mirrorDigest(image);
  if (!digest || !/^sha256:[0-9a-f]{64}$/.test(digest)) {
    throw new Error(`the mirror ${MIRROR} has no digest for ${image} (got '${digest}')`);
  }
  return `${image}@${digest}`;
}

/** A local image of buildah's storage pinned by its digest (`name:tag@sha256:…`). */
export async function pinnedLocalImage(image: string): Promise<string> {
  const { stdout } = await run('buildah', [...BUILDAH, 'images', '--format', '{{.Digest}}', image]);
  const digest = stdout.trim().split('\n')[0];
  if (!/^sha256:[0-9a-f]{64}$/.test(digest)) {
    throw new Error(`no digest for ${image} in buildah's storage (got '${stdout.trim()}')`);
  }
  return `${image}@${digest}`;
}

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
  /**
   * Build without any network: `--network none`, which buildah 1.28 allows only with OCI
   * isolation (`--isolation oci --runtime runc`). Proves a build downloads nothing.
   */
  readonly offline?: boolean;
  /** A bake target's `secret` entries (`id=netrc,env=GOSHIP_SECRET_NETRC`), passed as `--secret`. */
  readonly secrets?: readonly string[];
  /** Extra environment of buildah, e.g. the variables `env=` secrets read. */
  readonly env?: Readonly<Record<string, string>>;
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
 * `buildah build` with vfs storage and chroot isolation; images it does not have (the builder)
 * come from the registry mirror. The arm64 image is cross-compiled by an amd64 builder stage (`--platform=$BUILDPLATFORM`).
 */
export async function buildahBuild(options: BuildahBuildOptions, cleanup?: Cleanup): Promise<BuiltImage> {
  const buildArgs = { BUILDPLATFORM: 'linux/amd64', ...options.buildArgs };
  const iidFile = path.join(os.tmpdir(), uniqueName('goship-e2e-iid'));
  const args = [
    ...BUILDAH, 'build',
    ...(options.offline ? ['--isolation', 'oci', '--runtime', 'runc', '--network', 'none'] : ['--isolation', 'chroot']),
    ...(options.secrets ?? []).flatMap((entry) => ['--secret', entry]),
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
  const { stdout, stderr } = await run('buildah', args, options.env ? { env: { ...process.env, ...options.env } } : {});
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
