import { hasUrlCredentials, redactCredentials, ValidationError } from '../model/errors';
import { imageRepository, imageTag, parseImageReference } from '../model/image-ref';
import { rejectUnknownProps } from '../model/known-props';
import { dns1123Label, portNumber, toDns1123Label } from '../model/names';
import { Platform } from '../model/platform';
import { BakeTarget } from '../render/bake';
import { dockerfileBuildArgs, dockerfileLabels, DockerfileSpec, GoModuleEnv, renderDockerignore, TimeZoneData } from '../render/dockerfile';
import { GoBuildSpec, LinkValueSpec } from '../render/go-build';
import { BuildSecret } from './build-secret';
import { DockerfileSyntax, dockerfileSyntax } from './dockerfile-syntax';
import { contextIgnorePatterns, DockerIgnore } from './dockerignore';
import { GitState, gitState } from './git';
import { buildTags, goVersion as checkGoVersion, LinkValue, ldflags, linkValues as checkLinkValues, mainPackage, versionVariable as checkVersionVariable } from './go-build';
import { compareGoVersions, GoModInfo, goMinor, goVersionOf } from './go-mod';
import { inspectMainPackage, readGoModule } from './go-module';
import { GO_STATIC_IMAGE_PROPS, GoStaticImageProps } from './go-static-image-props';
import { ImageTag } from './image-tag';
import { inputDigest } from './input-digest';
import { resolveModuleAccess } from './module-access';
import { ModuleLayout, moduleLayout } from './module-layout';
import { RuntimeBase } from './runtime-base';

/**
 * What a GoStaticImage's build files are rendered from: plain data, no classes. The Dockerfile,
 * its ignore file and the image's bake target (without the paths, which depend on where bake
 * runs) all come from here, for the cdk8s synth and the Pulumi build alike.
 */
export interface ImageSpec {
  readonly dockerfile: DockerfileSpec;
  /** The arguments of `renderDockerignore`. */
  readonly dockerignore: {
    readonly extra: readonly string[];
    readonly inputs: readonly string[];
    readonly contextPatterns: readonly string[];
  };
  /** The image's bake target, but for `context` and `dockerfile`. */
  readonly bake: Omit<BakeTarget, 'context' | 'dockerfile'>;
}

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
  /** The hex sha256 of the build's inputs (what `ImageTag.inputDigest()` tags with), computed when asked. */
  readonly inputDigest: (memoized?: boolean) => string;
  readonly dockerfileSyntax: DockerfileSyntax;
  /** The plain data the build files are rendered from. */
  readonly spec: ImageSpec;
}

/**
 * Validates and defaults the props of the GoStaticImage at construct path `path`, and resolves
 * them to the plain {@link ImageSpec} its build files are rendered from; reads go.mod, go.work
 * and git. `inheritedSyntax` is the app's `dockerfileSyntax`, if it set one.
 */
export function resolveImage(path: string, props: GoStaticImageProps, inheritedSyntax?: unknown): ResolvedImage {
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
  const git = tagChoice.kind === 'gitCommit' || tagChoice.kind === 'gitCommitDated' ? gitOfInputs() : tryGitState(gitOfInputs);
  const links = plainLinkValues(props.linkValues === undefined ? {} : checkLinkValues('linkValues', props.linkValues));
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
  const digestOfInputs = (memoized = true) => inputDigest(
    layout.contextDir,
    DockerIgnore.parse(renderDockerignore(ignoreExtra, layout.inputs, contextIgnore)),
    JSON.stringify({ moduleDir: layout.moduleDir, builderImage, platforms: platforms.map(String), build, runtime, timeZoneData, uid, gid, port, access }),
    memoized,
  );
  const tag = tagText(tagChoice, gitOfInputs, () => digestOfInputs());

  const syntax = dockerfileSyntax('dockerfileSyntax', props.dockerfileSyntax ?? inheritedSyntax ?? DockerfileSyntax.dockerfile1());

  const resolved = {
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
    inputDigest: digestOfInputs,
    dockerfileSyntax: syntax,
  };
  return { ...resolved, spec: imageSpec(path, resolved) };
}

/** The plain data of an image's build files, from its resolved props. */
function imageSpec(origin: string, image: Omit<ResolvedImage, 'spec'>): ImageSpec {
  const dockerfile: DockerfileSpec = {
    origin,
    builderImage: image.builderImage,
    moduleFiles: [...image.layout.moduleFiles],
    moduleDir: image.layout.moduleDir,
    workspace: image.layout.workspace !== undefined,
    goEnv: { ...image.goEnv },
    secrets: image.secrets.map((s) => ({ kind: s.kind, id: s.id, ...(s.target !== undefined ? { target: s.target } : {}) })),
    build: image.build,
    platforms: image.platforms,
    runtime: {
      image: image.runtime.image,
      providesCaCertificates: image.runtime.providesCaCertificates,
      providesZoneinfo: image.runtime.providesZoneinfo,
      needsUserEntries: image.runtime.needsUserEntries,
    },
    timeZoneData: image.timeZoneData,
    uid: image.uid,
    gid: image.gid,
    port: image.port,
    version: image.tag,
    revision: image.revision,
    commitDate: image.commitDate,
    source: image.source,
    syntax: { frontend: image.dockerfileSyntax.frontend },
  };
  const files = image.secrets.filter((s) => s.kind === 'file');
  return {
    dockerfile,
    dockerignore: { extra: image.ignoreExtra, inputs: image.layout.inputs, contextPatterns: image.contextIgnore },
    bake: {
      name: image.name,
      platforms: image.platforms.map(String),
      tags: [`${image.repository}:${image.tag}`],
      labels: dockerfileLabels(dockerfile),
      args: dockerfileBuildArgs(dockerfile),
      secrets: files.map((s) => ({ id: s.id, ...(s.source.src !== undefined ? { src: s.source.src } : { env: s.source.env }) })),
      ssh: image.secrets.filter((s) => s.kind === 'ssh').map((s) => s.id),
    },
  };
}

/** Each LinkValue as plain data: its build arg or its literal. */
function plainLinkValues(links: Readonly<Record<string, LinkValue>>): Record<string, LinkValueSpec> {
  return Object.fromEntries(Object.entries(links).map(([variable, v]) => [variable, v.buildArg !== undefined ? { buildArg: v.buildArg } : { literal: v.literal! }]));
}

/**
 * The tag text. `git` is called only for git-derived tags, `digest` (the hex sha256 of the
 * build's inputs) only for {@link ImageTag.inputDigest}.
 */
export function tagText(choice: ImageTag, git: () => GitState, digest: () => string): string {
  switch (choice.kind) {
    case 'fixed':
      return choice.fixed!;
    case 'gitCommit': {
      const g = git();
      return imageTag('tag', `${g.commit.slice(0, 7)}${g.dirty ? '-dirty' : ''}`);
    }
    case 'gitCommitDated': {
      const g = git();
      return imageTag('tag', `build-${g.commit.slice(0, 8)}-${g.commitDate}${g.dirty ? '-dirty' : ''}`);
    }
    case 'inputDigest':
      return imageTag('tag', `inputs-${digest().slice(0, 16)}`);
  }
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
