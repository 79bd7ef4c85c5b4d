/** buildah with vfs storage, chroot isolation and no pulls: build, inspect, export. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Cleanup } from './cleanup';
import { REPO_ROOT, run, uniqueName } from './process';

/** The builder image `scripts/e2e-setup.sh` makes (no registry can be pulled from here). */
export const BUILDER_IMAGE = process.env.GOSHIP_BUILDER_IMAGE ?? 'localhost/golang:1.19-local';

/** Every buildah call uses the same storage driver (works on any filesystem, no fuse). */
export const BUILDAH = ['--storage-driver', 'vfs'];

const SETUP_SCRIPT = path.join(REPO_ROOT, 'scripts', 'e2e-setup.sh');

/** A local image name unique to this process, so two runs on one machine do not collide. */
export function e2eImageTag(name: string, tag: string): string {
  return `localhost/goship-e2e/${name}:${tag}-${process.pid}`;
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
 * `buildah build` with vfs storage, chroot isolation and no pulls: the builder image must be
 * local. The arm64 image is cross-compiled by an amd64 builder stage (`--platform=$BUILDPLATFORM`).
 */
export async function buildahBuild(options: BuildahBuildOptions, cleanup?: Cleanup): Promise<BuiltImage> {
  const buildArgs = { BUILDPLATFORM: 'linux/amd64', ...options.buildArgs };
  const iidFile = path.join(os.tmpdir(), uniqueName('goship-e2e-iid'));
  const args = [
    ...BUILDAH, 'build',
    ...(options.offline ? ['--isolation', 'oci', '--runtime', 'runc', '--network', 'none'] : ['--isolation', 'chroot']),
    '--pull=never',
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
