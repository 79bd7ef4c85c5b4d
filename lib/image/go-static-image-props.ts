import { PropNames } from '../model/known-props';
import { Platform } from '../model/platform';
import { TimeZoneData } from '../render/dockerfile';
import { DockerfileSyntax } from './dockerfile-syntax';
import { LinkValue } from './go-build';
import { ImageTag } from './image-tag';
import { MODULE_ACCESS_PROPS, ModuleAccessProps } from './module-access';
import { RuntimeBase } from './runtime-base';

/** Props of {@link GoStaticImage}. */
export interface GoStaticImageProps extends ModuleAccessProps {
  /**
   * The Go module directory (with `go.mod`). Relative paths are resolved from the working
   * directory. It is the build context, unless the module replaces modules with directories
   * outside it or is in a `go.work` workspace: then the context is the smallest directory that
   * holds them all, and the ignore file lets only those modules through.
   */
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
   * The image tag. Never `latest`. `ImageTag.inputDigest()` needs no git history (a digest of
   * the files the build reads and its settings). A git tag in a shallow clone whose history
   * ends before the inputs' last change fails synth with the fix (fetch the history).
   * @default ImageTag.gitCommit() — the short hash of the last commit that changed the image's
   * inputs (its module, and the replaced and workspace modules it builds from), `-dirty` when
   * those have uncommitted changes
   */
  readonly tag?: ImageTag | string;
  /**
   * Platforms to build. Each is cross-compiled natively by the builder stage.
   * @default [Platform.LINUX_AMD64]
   */
  readonly platforms?: readonly Platform[];
  /**
   * Go version of the builder. It may not be older than go.mod's `go` line: the go command
   * refuses such a build, and the builder stage never downloads another toolchain
   * (`GOTOOLCHAIN=local`).
   * @default - exactly the `toolchain` line of go.mod; else the newest patch of the `go` line's
   * minor (`go 1.25.0` gives `1.25`, so the builder gets every security release)
   */
  readonly goVersion?: string;
  /**
   * The builder stage's image; it must have Go, `/bin/sh` and a CA bundle. Pin it by digest for
   * reproducible builds (`golang:1.26@sha256:…`). The tag of a `golang` image may not name a Go
   * older than go.mod's `go` line.
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
   * More string variables the linker sets (`-X`), each to a fact of the build or a literal.
   * @default - none
   * @example { 'example.com/api/internal/build.Commit': LinkValue.revision(), 'main.date': LinkValue.commitDate() }
   */
  readonly linkValues?: Readonly<Record<string, LinkValue | string>>;
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

/** Every prop of GoStaticImage: the compiler keeps this list and the interface in step. */
export const GO_STATIC_IMAGE_PROPS: PropNames<GoStaticImageProps> = {
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
  linkValues: true,
  stripSymbols: true,
  runtime: true,
  timeZoneData: true,
  port: true,
  user: true,
  source: true,
  dockerignore: true,
  dockerfileSyntax: true,
  ...MODULE_ACCESS_PROPS,
};
