import { hasUrlCredentials, redactCredentials, ValidationError } from '../model/errors';
import { buildTags, GoBuildSpec, goVersion as checkGoVersion, LinkValue, ldflags, linkValues as checkLinkValues, mainPackage, versionVariable as checkVersionVariable } from '../model/go-build';
import { GoModuleEnv } from '../model/go-env';
import { imageRepository, parseImageReference } from '../model/image-ref';
import { PropNames, rejectUnknownProps } from '../model/known-props';
import { dns1123Label, portNumber, toDns1123Label } from '../model/names';
import { Platform } from '../model/platform';
import { renderDockerignore, TimeZoneData } from '../render/dockerfile';
import { BuildSecret } from './build-secret';
import { DockerfileSyntax } from './dockerfile-syntax';
import { contextIgnorePatterns, DockerIgnore } from './dockerignore';
import { GitState, gitState } from './git';
import { compareGoVersions, GoModInfo, goMinor, goVersionOf } from './go-mod';
import { inspectMainPackage, readGoModule } from './go-module';
import { ImageTag } from './image-tag';
import { inputDigest } from './input-digest';
import { MODULE_ACCESS_PROPS, ModuleAccessProps, resolveModuleAccess } from './module-access';
import { ModuleLayout, moduleLayout } from './module-layout';
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

/** The props of a GoStaticImage, validated and defaulted. */
export interface ResolvedImage {
  readonly name: string;
  readonly repository: string;
  readonly tag: string;
  readonly revision?: string;
  readonly commitDate?: string;
  readonly source?: string;
  readonly layout: ModuleLayout;
  readonly goEnv: GoModuleEnv;
  readonly secrets: readonly BuildSecret[];
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
  /** The patterns of the context's own `.dockerignore`. */
  readonly contextIgnore: readonly string[];
}

/** Validates and defaults the props of the GoStaticImage at construct path `path`; reads go.mod, go.work and git. */
export function resolveImageProps(path: string, props: GoStaticImageProps): ResolvedImage {
  if (typeof props !== 'object' || props === null || typeof props.context !== 'string') {
    throw ValidationError.invalid('context', props?.context, 'is required: the Go module directory', "set context, e.g. context: 'services/hello'");
  }
  rejectUnknownProps(props, GO_STATIC_IMAGE_PROPS, 'GoStaticImage');
  const layout = moduleLayout(props.context);
  const mod = readGoModule(props.context);
  const main = mainPackage('main', props.main ?? '.');
  const { declaresVersion } = inspectMainPackage(mod.dir, main);
  const access = resolveModuleAccess(props, layout);

  const repository = props.repository === undefined ? undefined : imageRepository('repository', props.repository);
  const name = dns1123Label('name', props.name ?? (repository ? repository.split('/').pop() : toDns1123Label(path.replace(/\//g, '-'))));
  const tagChoice = resolveTagChoice(props.tag);
  const gitOfInputs = () => gitState(layout.contextDir, layout.inputs);
  const git = tagChoice.fromGit ? gitOfInputs() : tryGitState(gitOfInputs);
  const links = props.linkValues === undefined ? {} : checkLinkValues('linkValues', props.linkValues);
  const needsGit = Object.values(links).find((v) => v.buildArg === 'REVISION' || v.buildArg === 'COMMIT_DATE');
  if (needsGit && !git) {
    throw ValidationError.invalid('linkValues', props.linkValues, `${needsGit.buildArg === 'REVISION' ? 'LinkValue.revision()' : 'LinkValue.commitDate()'} needs git, and ${layout.contextDir} is not in a git work tree with a commit`, 'commit the code, or use a literal');
  }

  const platforms = resolvePlatforms(props.platforms);
  const goVersion = checkGoVersion('goVersion', props.goVersion ?? goVersionOf(mod) ?? missingGoVersion());
  const builderImage = props.builderImage ?? `golang:${goVersion}`;
  const builderTag = parseImageReference('builderImage', builderImage);
  refuseOlderThanGoMod(mod, 'goVersion', props.goVersion, goVersion);
  if (props.builderImage !== undefined) {
    refuseOlderThanGoMod(mod, 'builderImage', props.builderImage, golangTagVersion(builderTag));
  }

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
  if (typeof props.source === 'string' && hasUrlCredentials(props.source)) {
    throw ValidationError.invalid('source', props.source, 'holds a user or token (user:token@), which would be written into the image label and the bake file',
      "use the URL without it, e.g. 'https://github.com/acme/hello'");
  }
  // A clone's remote may carry a CI token: the label gets the URL without it.
  const source = props.source ?? (git?.sourceUrl === undefined ? undefined : redactCredentials(git.sourceUrl).replace(/\/\/\*\*\*@/, '//'));
  // Written in double quotes into a LABEL: quotes, backslashes, `$` and control characters would not read back.
  if (source !== undefined && (typeof source !== 'string' || /["\\$\u0000-\u001f\u007f-\u009f]/.test(source))) {
    throw ValidationError.invalid('source', source, 'not a plain URL (no quotes, backslashes, $ or control characters)', "use e.g. 'https://github.com/acme/hello'");
  }
  const ignoreExtra = props.dockerignore ?? [];
  if (!Array.isArray(ignoreExtra) || ignoreExtra.some((p) => typeof p !== 'string' || p.includes('\n') || p.length === 0)) {
    throw ValidationError.invalid('dockerignore', ignoreExtra, 'must be a list of one-line patterns', "use e.g. ['docs/', '*.md']");
  }
  const contextIgnore = contextIgnorePatterns(layout.contextDir);
  const port = portNumber('port', props.port ?? 8080);
  const build: GoBuildSpec = {
    main,
    tags: buildTags('buildTags', props.buildTags ?? []),
    ldflags: ldflags('ldflags', props.ldflags ?? []),
    versionVariable: versionVar,
    linkValues: links,
    stripSymbols: props.stripSymbols ?? true,
    vendor: layout.vendored,
  };
  const tag = tagChoice.resolve(gitOfInputs, () => inputDigest(
    layout.contextDir,
    DockerIgnore.parse(renderDockerignore(ignoreExtra, layout.inputs, contextIgnore)),
    JSON.stringify({ moduleDir: layout.moduleDir, builderImage, platforms: platforms.map(String), build, runtime, timeZoneData, uid, gid, port, access }),
  ));

  return {
    name,
    repository: repository ?? name,
    tag,
    revision: git?.commit,
    commitDate: git?.commitTime,
    source,
    layout,
    ...access,
    platforms,
    goVersion,
    builderImage,
    runtime,
    timeZoneData,
    port,
    uid,
    gid,
    build,
    ignoreExtra,
    contextIgnore,
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

function tryGitState(read: () => GitState): GitState | undefined {
  try {
    return read();
  } catch {
    return undefined;
  }
}

/**
 * Refuses a builder Go older than go.mod asks for: its `go` line (the go command refuses to
 * build), or its `toolchain` line (the build would silently use another Go than the team
 * chose). A bare minor (`1.25`) stands for its newest patch, so it satisfies that minor.
 */
function refuseOlderThanGoMod(mod: Pick<GoModInfo, 'go' | 'toolchain'>, prop: string, value: unknown, version: string | undefined): void {
  if (version === undefined) {
    return;
  }
  const bareMinor = goMinor(version) === version;
  const older = (wanted: string) => (bareMinor ? compareGoVersions(version, goMinor(wanted)) : compareGoVersions(version, wanted)) < 0;
  const fix = (wanted: string) => `use Go ${wanted} or newer (goVersion: '${wanted}', or a golang:${wanted} builder), or leave goVersion and builderImage unset to follow go.mod`;
  if (mod.go !== undefined && older(mod.go)) {
    throw ValidationError.invalid(prop, value ?? version, `builds with Go ${version}, older than go.mod's 'go ${mod.go}': the go command refuses to build it, and the builder stage never downloads another toolchain (GOTOOLCHAIN=local)`, fix(goMinor(mod.go)));
  }
  if (mod.toolchain !== undefined && older(mod.toolchain)) {
    throw ValidationError.invalid(prop, value ?? version, `builds with Go ${version}, older than go.mod's 'toolchain go${mod.toolchain}': the image would be built by another Go than the module names`, fix(mod.toolchain));
  }
}

/** The Go version a `golang` image's tag names (`golang:1.25.3-bookworm` gives `1.25.3`), if any. */
function golangTagVersion(ref: { repository: string; tag?: string }): string | undefined {
  if (ref.repository.split('/').pop() !== 'golang' || ref.tag === undefined) {
    return undefined;
  }
  return /^(\d+\.\d+(?:\.\d+|(?:rc|beta)\d+)?)(?:-|$)/.exec(ref.tag)?.[1];
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
