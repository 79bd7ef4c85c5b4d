import { Construct } from 'constructs';
import { DeployableImage } from '../model/deployable-image';
import { DockerfileSyntax, dockerfileSyntax } from '../model/dockerfile-syntax';
import { ValidationError, validating } from '../model/errors';
import { buildTags, GoBuildSpec, goVersion as checkGoVersion, goVersionOf, ldflags, mainPackage, versionVariable as checkVersionVariable } from '../model/go-build';
import { imageRepository, parseImageReference } from '../model/image-ref';
import { ImageTag } from '../model/image-tag';
import { PropNames, rejectUnknownProps } from '../model/known-props';
import { dns1123Label, portNumber, toDns1123Label } from '../model/names';
import { Platform } from '../model/platform';
import { RuntimeBase } from '../model/runtime-base';
import { renderDockerfile, renderDockerignore, TimeZoneData } from '../render/dockerfile';
import { gitState } from './git';
import { inspectMainPackage, readGoModule } from './go-module';

const IMAGE_SYMBOL = Symbol.for('goship.GoStaticImage');

/** Props of {@link GoStaticImage}. */
export interface GoStaticImageProps {
  /** The Go module directory (with `go.mod`): the build context. Relative paths are resolved from the working directory. */
  readonly context: string;
  /**
   * The package to build, relative to the module root.
   * @default '.'
   */
  readonly main?: string;
  /**
   * The image name: its folder under `images/` in the output and its bake target.
   * @default - the last path component of `repository`, else derived from the construct path
   */
  readonly name?: string;
  /**
   * Where the image is pushed, without tag: `registry.example.com/team/hello`.
   * @default - the image name alone (a local image; pushing needs a repository)
   */
  readonly repository?: string;
  /**
   * The image tag. Never `latest`.
   * @default ImageTag.gitCommit() — the short commit, `-dirty` with uncommitted changes
   */
  readonly tag?: ImageTag | string;
  /**
   * Platforms to build. Each is cross-compiled natively by the builder stage.
   * @default [Platform.LINUX_AMD64]
   */
  readonly platforms?: readonly Platform[];
  /**
   * Go version of the builder.
   * @default - the `toolchain` line of go.mod, else its `go` line
   */
  readonly goVersion?: string;
  /**
   * The builder stage's image; it must have Go, `/bin/sh` and a CA bundle. Pin it by digest for
   * reproducible builds.
   * @default `golang:<goVersion>`
   */
  readonly builderImage?: string;
  /**
   * Go build tags.
   * @default - none (plus `timetzdata` when time zone data is embedded)
   */
  readonly buildTags?: readonly string[];
  /**
   * Extra linker flags.
   * @default - none
   */
  readonly ldflags?: readonly string[];
  /**
   * The string variable `-X` sets to the tag; `false` sets none.
   * @default 'main.version' when the main package declares `var version`, else none
   */
  readonly versionVariable?: string | false;
  /**
   * Strip the symbol table and debug information (`-ldflags "-s -w"`).
   * @default true
   */
  readonly stripSymbols?: boolean;
  /**
   * The runtime stage.
   * @default RuntimeBase.scratch()
   */
  readonly runtime?: RuntimeBase;
  /**
   * How the time zone database reaches the program: `embedded` in the binary (`-tags timetzdata`,
   * about 450 KB), `copied` from the builder (`/usr/share/zoneinfo`, about 4 MB) or `none`.
   * @default 'embedded', or 'none' when the runtime base has zoneinfo
   */
  readonly timeZoneData?: TimeZoneData;
  /**
   * The port the service listens on: `EXPOSE`d, and used by a deployment of this image.
   * @default 8080
   */
  readonly port?: number;
  /**
   * The numeric user the process runs as, `uid` or `uid:gid`. Never root.
   * @default '65532:65532'
   */
  readonly user?: string;
  /**
   * `org.opencontainers.image.source`.
   * @default - the git remote `origin` as https, if any
   */
  readonly source?: string;
  /**
   * Extra ignore patterns for the build context.
   * @default - none beyond goship's (.git, node_modules, tests, Dockerfiles)
   */
  readonly dockerignore?: readonly string[];
  /**
   * The Dockerfile's `# syntax=` directive: the frontend BuildKit pulls to parse it, or none.
   * Use `DockerfileSyntax.mirror(…)` or `.builtIn()` where Docker Hub cannot be reached.
   * @default - the GoshipApp's `dockerfileSyntax`, else DockerfileSyntax.dockerfile1()
   */
  readonly dockerfileSyntax?: DockerfileSyntax;
}

/** The context key under which a GoshipApp hands its `dockerfileSyntax` to its images. */
export const DOCKERFILE_SYNTAX_CONTEXT = 'goship:dockerfileSyntax';

/** Every prop of GoStaticImage: the compiler keeps this list and the interface in step. */
const GO_STATIC_IMAGE_PROPS: PropNames<GoStaticImageProps> = {
  context: true,
  main: true,
  name: true,
  repository: true,
  tag: true,
  platforms: true,
  goVersion: true,
  builderImage: true,
  buildTags: true,
  ldflags: true,
  versionVariable: true,
  stripSymbols: true,
  runtime: true,
  timeZoneData: true,
  port: true,
  user: true,
  source: true,
  dockerignore: true,
  dockerfileSyntax: true,
};

/**
 * A Go service as a static, non-root, multi-platform container image.
 *
 * Declares the build and renders its Dockerfile; constructing or synthesizing it never runs
 * `go`, `docker` or the network. The binary is always built with `CGO_ENABLED=0`, so the image
 * cannot fail with `exec /app: no such file or directory`.
 *
 * @example
 * const image = new GoStaticImage(chart, 'image', {
 *   context: 'services/hello',
 *   repository: 'ghcr.io/acme/hello',
 *   platforms: [Platform.LINUX_AMD64, Platform.LINUX_ARM64],
 * });
 */
export class GoStaticImage extends Construct implements DeployableImage {
  /** True for any GoStaticImage, even from another copy of this library. */
  public static isGoStaticImage(x: unknown): x is GoStaticImage {
    return typeof x === 'object' && x !== null && IMAGE_SYMBOL in x;
  }

  /** Image name (folder under `images/`, bake target). */
  public readonly name: string;
  /** Repository without tag. */
  public readonly repository: string;
  /** The tag, resolved. */
  public readonly tag: string;
  /** `repository:tag`: what the deployment pulls. */
  public readonly imageRef: string;
  /** The tag, as the version the binary reports and the `app.kubernetes.io/version` label. */
  public readonly version: string;
  /** Full git commit, when known (the `org.opencontainers.image.revision` label). */
  public readonly revision?: string;
  /** Absolute path of the build context. */
  public readonly contextDir: string;
  /** Platforms built. */
  public readonly platforms: readonly Platform[];
  /** Go version of the builder. */
  public readonly goVersion: string;
  /** Builder stage image. */
  public readonly builderImage: string;
  /** The runtime stage. */
  public readonly runtime: RuntimeBase;
  /** Port the service listens on. */
  public readonly port: number;
  /** User id. */
  public readonly uid: number;
  /** Group id. */
  public readonly gid: number;
  /** The go build. */
  public readonly build: GoBuildSpec;
  /** Time zone data source. */
  public readonly timeZoneData: TimeZoneData;
  /** `org.opencontainers.image.source`, if known. */
  public readonly source?: string;
  /** The Dockerfile's `# syntax=` directive. */
  public readonly dockerfileSyntax: DockerfileSyntax;
  private readonly moduleFiles: readonly string[];
  private readonly ignoreExtra: readonly string[];

  public constructor(scope: Construct, id: string, props: GoStaticImageProps) {
    super(scope, id);
    Object.defineProperty(this, IMAGE_SYMBOL, { value: true });
    const resolved = validating(this.node.path, () => resolveProps(this.node.path, props));
    this.name = resolved.name;
    this.repository = resolved.repository;
    this.tag = resolved.tag;
    this.imageRef = `${resolved.repository}:${resolved.tag}`;
    this.version = resolved.tag;
    this.revision = resolved.revision;
    this.contextDir = resolved.contextDir;
    this.platforms = resolved.platforms;
    this.goVersion = resolved.goVersion;
    this.builderImage = resolved.builderImage;
    this.runtime = resolved.runtime;
    this.port = resolved.port;
    this.uid = resolved.uid;
    this.gid = resolved.gid;
    this.build = resolved.build;
    this.timeZoneData = resolved.timeZoneData;
    this.source = resolved.source;
    this.moduleFiles = resolved.moduleFiles;
    this.ignoreExtra = resolved.ignoreExtra;
    this.dockerfileSyntax = validating(this.node.path, () => dockerfileSyntax('dockerfileSyntax',
      props.dockerfileSyntax ?? this.node.tryGetContext(DOCKERFILE_SYNTAX_CONTEXT) ?? DockerfileSyntax.dockerfile1()));
  }

  /** The Dockerfile text. */
  public renderDockerfile(): string {
    return renderDockerfile({
      origin: this.node.path,
      builderImage: this.builderImage,
      moduleFiles: this.moduleFiles,
      build: this.build,
      platforms: this.platforms,
      runtime: this.runtime,
      timeZoneData: this.timeZoneData,
      uid: this.uid,
      gid: this.gid,
      port: this.port,
      version: this.version,
      revision: this.revision,
      source: this.source,
      syntax: this.dockerfileSyntax,
    });
  }

  /** The `.dockerignore` text for the build context. */
  public renderDockerignore(): string {
    return renderDockerignore(this.ignoreExtra);
  }

  /** OCI labels, with their values (the Dockerfile sets the same ones from build args). */
  public get labels(): Record<string, string> {
    return {
      ...(this.revision ? { 'org.opencontainers.image.revision': this.revision } : {}),
      ...(this.source ? { 'org.opencontainers.image.source': this.source } : {}),
      'org.opencontainers.image.version': this.version,
    };
  }

  /** Build arguments that reproduce this image (their defaults are already in the Dockerfile). */
  public get buildArgs(): Record<string, string> {
    return { VERSION: this.version, ...(this.revision ? { REVISION: this.revision } : {}) };
  }
}

interface ResolvedImage {
  readonly name: string;
  readonly repository: string;
  readonly tag: string;
  readonly revision?: string;
  readonly source?: string;
  readonly contextDir: string;
  readonly moduleFiles: readonly string[];
  readonly platforms: readonly Platform[];
  readonly goVersion: string;
  readonly builderImage: string;
  readonly runtime: RuntimeBase;
  readonly timeZoneData: TimeZoneData;
  readonly port: number;
  readonly uid: number;
  readonly gid: number;
  readonly build: GoBuildSpec;
  readonly ignoreExtra: readonly string[];
}

function resolveProps(path: string, props: GoStaticImageProps): ResolvedImage {
  if (typeof props !== 'object' || props === null || typeof props.context !== 'string') {
    throw ValidationError.invalid('context', props?.context, 'is required: the Go module directory', "set context, e.g. context: 'services/hello'");
  }
  rejectUnknownProps(props, GO_STATIC_IMAGE_PROPS, 'GoStaticImage');
  const mod = readGoModule(props.context);
  const main = mainPackage('main', props.main ?? '.');
  const { declaresVersion } = inspectMainPackage(mod.dir, main);

  const repository = props.repository === undefined ? undefined : imageRepository('repository', props.repository);
  const name = dns1123Label('name', props.name ?? (repository ? repository.split('/').pop() : toDns1123Label(path.replace(/\//g, '-'))));
  const tagChoice = resolveTagChoice(props.tag);
  const tag = tagChoice.resolve(() => gitState(mod.dir));
  const git = tagChoice.fromGit ? gitState(mod.dir) : tryGitState(mod.dir);

  const platforms = resolvePlatforms(props.platforms);
  const goVersion = checkGoVersion('goVersion', props.goVersion ?? goVersionOf(mod) ?? missingGoVersion());
  const builderImage = props.builderImage ?? `golang:${goVersion}`;
  parseImageReference('builderImage', builderImage);

  const runtime = props.runtime ?? RuntimeBase.scratch();
  if (!(runtime instanceof RuntimeBase)) {
    throw ValidationError.invalid('runtime', runtime, 'not a RuntimeBase', 'use RuntimeBase.scratch(), .distrolessStatic(), .alpine() or .custom(image)');
  }
  const timeZoneData = props.timeZoneData ?? (runtime.providesZoneinfo ? 'none' : 'embedded');
  if (!['embedded', 'copied', 'none'].includes(timeZoneData)) {
    throw ValidationError.invalid('timeZoneData', timeZoneData, 'not a time zone data source', "use 'embedded', 'copied' or 'none'");
  }

  const { uid, gid } = parseUser(props.user ?? '65532:65532');
  const versionVar = props.versionVariable === undefined
    ? (declaresVersion ? 'main.version' : undefined)
    : props.versionVariable === false ? undefined : checkVersionVariable('versionVariable', props.versionVariable);
  if (props.stripSymbols !== undefined && typeof props.stripSymbols !== 'boolean') {
    throw ValidationError.invalid('stripSymbols', props.stripSymbols, 'must be true or false', 'leave it unset for true');
  }
  const source = props.source ?? git?.sourceUrl;
  if (source !== undefined && (typeof source !== 'string' || /["\n\\$]/.test(source))) {
    throw ValidationError.invalid('source', source, 'not a plain URL', "use e.g. 'https://github.com/acme/hello'");
  }
  const ignoreExtra = props.dockerignore ?? [];
  if (!Array.isArray(ignoreExtra) || ignoreExtra.some((p) => typeof p !== 'string' || p.includes('\n') || p.length === 0)) {
    throw ValidationError.invalid('dockerignore', ignoreExtra, 'must be a list of one-line patterns', "use e.g. ['docs/', '*.md']");
  }

  return {
    name,
    repository: repository ?? name,
    tag,
    revision: git?.commit,
    source,
    contextDir: mod.dir,
    moduleFiles: mod.moduleFiles,
    platforms,
    goVersion,
    builderImage,
    runtime,
    timeZoneData,
    port: portNumber('port', props.port ?? 8080),
    uid,
    gid,
    build: {
      main,
      tags: buildTags('buildTags', props.buildTags ?? []),
      ldflags: ldflags('ldflags', props.ldflags ?? []),
      versionVariable: versionVar,
      stripSymbols: props.stripSymbols ?? true,
    },
    ignoreExtra,
  };
}

function resolveTagChoice(tag: unknown): ImageTag {
  if (tag === undefined) {
    return ImageTag.gitCommit();
  }
  if (typeof tag === 'string') {
    return ImageTag.of(tag);
  }
  if (tag instanceof ImageTag) {
    return tag;
  }
  throw ValidationError.invalid('tag', tag, 'must be a string or an ImageTag known at synth time (not a Pulumi Output, token or other value)', "use e.g. 'v1.4.2' or ImageTag.gitCommit()");
}

function tryGitState(dir: string) {
  try {
    return gitState(dir);
  } catch {
    return undefined;
  }
}

function missingGoVersion(): never {
  throw ValidationError.invalid('goVersion', undefined, "go.mod has no 'go' line to read the Go version from", "add 'go 1.22' to go.mod, or set goVersion");
}

function resolvePlatforms(platforms: readonly Platform[] | undefined): Platform[] {
  if (platforms === undefined) {
    return [Platform.LINUX_AMD64];
  }
  if (!Array.isArray(platforms) || platforms.length === 0) {
    throw ValidationError.invalid('platforms', platforms, 'must list at least one platform', 'use e.g. [Platform.LINUX_AMD64, Platform.LINUX_ARM64]');
  }
  const out: Platform[] = [];
  for (const p of platforms) {
    const platform = p instanceof Platform ? p : Platform.parse(p as unknown as string);
    if (out.some((q) => q.equals(platform))) {
      throw ValidationError.invalid('platforms', platform.toString(), 'is listed twice', 'list each platform once');
    }
    out.push(platform);
  }
  return out;
}

/** Parses `uid` or `uid:gid`; names are refused (Kubernetes' runAsNonRoot needs numbers), and so is root. */
export function parseUser(user: unknown): { uid: number; gid: number } {
  const m = typeof user === 'string' ? /^(\d{1,10})(?::(\d{1,10}))?$/.exec(user) : typeof user === 'number' ? [String(user), String(user)] : null;
  if (!m) {
    throw ValidationError.invalid('user', user, "must be numeric 'uid' or 'uid:gid' (the kubelet cannot check runAsNonRoot against a user name)", "use e.g. '65532:65532'");
  }
  const uid = Number(m[1]);
  const gid = m[2] === undefined ? uid : Number(m[2]);
  if (uid === 0 || gid === 0) {
    throw ValidationError.invalid('user', user, 'runs as root (uid or gid 0): a container escape would own the node, and the restricted Pod Security profile rejects it', "use a non-root id such as '65532:65532'");
  }
  if (uid > 2147483647 || gid > 2147483647) {
    throw ValidationError.invalid('user', user, 'is out of range', 'use ids below 2^31');
  }
  return { uid, gid };
}
