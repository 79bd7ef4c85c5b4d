import { Construct } from 'constructs';
import { DeployableImage } from '../model/deployable-image';
import { validating } from '../model/errors';
import { Platform } from '../model/platform';
import { GoModuleEnv, renderDockerfile, renderDockerignore, TimeZoneData } from '../render/dockerfile';
import { GoBuildSpec } from '../render/go-build';
import { BuildSecret } from './build-secret';
import { DockerfileSyntax } from './dockerfile-syntax';
import { GoStaticImageProps } from './go-static-image-props';
import { ModuleLayout } from './module-layout';
import { ImageSpec, resolveImage } from './resolve-image';
import { RuntimeBase } from './runtime-base';

export type { GoStaticImageProps } from './go-static-image-props';

const IMAGE_SYMBOL = Symbol.for('goship.GoStaticImage');

/** The context key under which a GoshipApp hands its `dockerfileSyntax` to its images. */
export const DOCKERFILE_SYNTAX_CONTEXT = 'goship:dockerfileSyntax';

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
  /** Full hash of the last commit that changed the image's inputs, when known (the `org.opencontainers.image.revision` label). */
  public readonly revision?: string;
  /** Commit time of `revision`, ISO 8601 in UTC, when known. */
  public readonly commitDate?: string;
  /** Absolute path of the build context. */
  public readonly contextDir: string;
  /**
   * What the build reads from the disk: context, module files, vendoring, inputs.
   * @internal
   */
  public readonly layout: ModuleLayout;
  /**
   * GOPROXY, GOPRIVATE, GONOSUMDB and GOFLAGS of the build.
   * @internal
   */
  public readonly goEnv: GoModuleEnv;
  /** Credentials the module download mounts. */
  public readonly secrets: readonly BuildSecret[];
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
  /**
   * The go build.
   * @internal
   */
  public readonly build: GoBuildSpec;
  /** Time zone data source. */
  public readonly timeZoneData: TimeZoneData;
  /** `org.opencontainers.image.source`, if known. */
  public readonly source?: string;
  /** The Dockerfile's `# syntax=` directive. */
  public readonly dockerfileSyntax: DockerfileSyntax;
  /**
   * The plain data the Dockerfile, its ignore file and the bake target are rendered from.
   * @internal
   */
  public readonly spec: ImageSpec;
  private readonly digestOfInputs: (memoized?: boolean) => string;
  private inputs?: string;

  public constructor(scope: Construct, id: string, props: GoStaticImageProps) {
    super(scope, id);
    Object.defineProperty(this, IMAGE_SYMBOL, { value: true });
    const resolved = validating(this.node.path, () => resolveImage(this.node.path, props, this.node.tryGetContext(DOCKERFILE_SYNTAX_CONTEXT)));
    this.name = resolved.name;
    this.repository = resolved.repository;
    this.tag = resolved.tag;
    this.imageRef = `${resolved.repository}:${resolved.tag}`;
    this.version = resolved.tag;
    this.revision = resolved.revision;
    this.commitDate = resolved.commitDate;
    this.contextDir = resolved.layout.contextDir;
    this.layout = resolved.layout;
    this.goEnv = resolved.goEnv;
    this.secrets = resolved.secrets;
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
    this.dockerfileSyntax = resolved.dockerfileSyntax;
    this.spec = resolved.spec;
    this.digestOfInputs = resolved.inputDigest;
  }

  /**
   * The hex sha256 of what the image's build reads: every context file the `.dockerignore`
   * leaves in (path, executable bit, content) and the build settings (builder, platforms,
   * flags, runtime base, user, port). `ImageTag.inputDigest()` tags with its first 16
   * characters; `goship publish` keys its no-change skip on it. Reads the context's files on
   * this image's first call, so a file changed before the image was constructed is seen even
   * in a long-lived process.
   */
  public inputDigest(): string {
    this.inputs ??= this.digestOfInputs(false);
    return this.inputs;
  }

  /** The Dockerfile text. */
  public renderDockerfile(): string {
    return renderDockerfile(this.spec.dockerfile);
  }

  /** The `.dockerignore` text for the build context: goship's patterns merged with the context's own `.dockerignore`. */
  public renderDockerignore(): string {
    const { extra, inputs, contextPatterns } = this.spec.dockerignore;
    return renderDockerignore(extra, inputs, contextPatterns);
  }

  /** OCI labels, with their values (the Dockerfile sets the same ones from build args). */
  public get labels(): Record<string, string> {
    return { ...this.spec.bake.labels };
  }

  /** Build arguments that reproduce this image (their defaults are already in the Dockerfile). */
  public get buildArgs(): Record<string, string> {
    return { ...this.spec.bake.args };
  }
}
