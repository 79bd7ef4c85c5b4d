import { Platform } from '../model/platform';
import { GoBuildSpec, goBuildCommand, linkBuildArgs } from './go-build';

/** How the builder stage reaches modules: the `go env` settings of module download. */
export interface GoModuleEnv {
  /** `GOPROXY`: proxy URLs, `direct` or `off`, joined by `,` or `|`. */
  readonly GOPROXY?: string;
  /** `GOPRIVATE`: module path patterns fetched directly and not checked against the checksum database. */
  readonly GOPRIVATE?: string;
  /** `GONOSUMDB`: module path patterns not checked against the checksum database. */
  readonly GONOSUMDB?: string;
  /** `GOFLAGS`: flags every go command in the builder stage gets. */
  readonly GOFLAGS?: string;
}


/** A credential the module download mounts: a secret file, or the build machine's SSH agent. */
export interface SecretMountSpec {
  /** `file`: a BuildKit secret mount; `ssh`: the SSH agent. */
  readonly kind: 'file' | 'ssh';
  /** The id of the mount. */
  readonly id: string;
  /** Where a file secret is mounted in the builder stage. */
  readonly target?: string;
}

/** The runtime stage: its base image and what that base already carries. */
export interface RuntimeStageSpec {
  /** The `FROM` of the runtime stage. */
  readonly image: string;
  /** The base already has a CA bundle. */
  readonly providesCaCertificates: boolean;
  /** The base already has `/usr/share/zoneinfo`. */
  readonly providesZoneinfo: boolean;
  /** The builder writes `/etc/passwd` and `/etc/group` for the user. */
  readonly needsUserEntries: boolean;
}

/** The Dockerfile frontend: the image of the `# syntax=` directive, or none for the built-in one. */
export interface DockerfileFrontendSpec {
  /** The frontend image; undefined writes no directive. */
  readonly frontend: string | undefined;
}

/** The frontend of `# syntax=docker/dockerfile:1`, written when a spec names none. */
export const DEFAULT_FRONTEND = 'docker/dockerfile:1';

/** Where the time zone database comes from in the runtime image. */
export type TimeZoneData = 'embedded' | 'copied' | 'none';

/** Everything the Dockerfile depends on. Same spec, same bytes. */
export interface DockerfileSpec {
  /** Shown in the header so a reader finds the code that wrote it, e.g. `hello/image`. */
  readonly origin: string;
  /** Builder stage base, e.g. `golang:1.22`. */
  readonly builderImage: string;
  /**
   * Files copied before the sources, relative to the context: `go.mod`, and `go.sum` when it
   * exists; with local replacements or a workspace also theirs, and `go.work`.
   */
  readonly moduleFiles: readonly string[];
  /**
   * The module directory relative to the context, where go runs.
   * @default '.'
   */
  readonly moduleDir?: string;
  /**
   * The module is built in a go.work workspace. `go mod download` is unreliable there (it
   * tries to fetch the workspace modules' own `v0.0.0` requirements, golang/go#51946), so go
   * build downloads into the cache mount itself, with the secrets mounted for it.
   * @default false
   */
  readonly workspace?: boolean;
  /**
   * GOPROXY, GOPRIVATE, GONOSUMDB and GOFLAGS of the builder stage.
   * @default - none: Go's defaults
   */
  readonly goEnv?: GoModuleEnv;
  /**
   * Credentials the module download mounts (secret files, SSH agent); never in a layer.
   * @default - none
   */
  readonly secrets?: readonly SecretMountSpec[];
  /** The go build. */
  readonly build: GoBuildSpec;
  /** Platforms the image is built for (decides which variant variables are set). */
  readonly platforms: readonly Platform[];
  /** The runtime stage. */
  readonly runtime: RuntimeStageSpec;
  /** How time zone data reaches the binary. `embedded` adds the `timetzdata` build tag. */
  readonly timeZoneData: TimeZoneData;
  /** Numeric user and group. */
  readonly uid: number;
  readonly gid: number;
  /** Port the service listens on. */
  readonly port: number;
  /** Default for `ARG VERSION` (the image tag). */
  readonly version: string;
  /** Default for `ARG REVISION` (the full git commit), if known. */
  readonly revision?: string;
  /** Default for `ARG COMMIT_DATE` (ISO 8601, UTC), if known; declared only when a link value reads it. */
  readonly commitDate?: string;
  /** `org.opencontainers.image.source`, if known. */
  readonly source?: string;
  /**
   * The `# syntax=` directive.
   * @default - `# syntax=docker/dockerfile:1`
   */
  readonly syntax?: DockerfileFrontendSpec;
}

const MOD_CACHE = '/go/pkg/mod';
const BUILD_CACHE = '/root/.cache/go-build';
/**
 * The cache mounts, with fixed ids: every image of every module built on one builder shares
 * one module cache and one build cache (go locks both, so concurrent builds are safe), and a
 * module several services need is downloaded once.
 */
const MOD_CACHE_MOUNT = `--mount=type=cache,id=goship-gomod,sharing=shared,target=${MOD_CACHE}`;
const BUILD_CACHE_MOUNT = `--mount=type=cache,id=goship-gobuild,sharing=shared,target=${BUILD_CACHE}`;

/**
 * Renders a two-stage Dockerfile: a builder stage that runs on the build platform and
 * cross-compiles a static binary, and a small runtime stage.
 *
 * Pure: no I/O, deterministic, no timestamps.
 */
export function renderDockerfile(spec: DockerfileSpec): string {
  const tags = spec.timeZoneData === 'embedded' && !spec.build.tags.includes('timetzdata')
    ? [...spec.build.tags, 'timetzdata'] : spec.build.tags;
  const build = goBuildCommand({ ...spec.build, tags });
  const vendored = spec.build.vendor === true;
  const download = !vendored && spec.workspace !== true;
  const buildSecrets = vendored || download ? [] : (spec.secrets ?? []).map(secretMount);
  const cacheMounts = [...(vendored ? [] : [MOD_CACHE_MOUNT]), BUILD_CACHE_MOUNT, ...buildSecrets].join(' ');
  const user = `${spec.uid}:${spec.gid}`;
  const variants = variantExports(spec.platforms);
  const buildArgs = ['VERSION', ...linkBuildArgs(spec.build).filter((a) => a !== 'VERSION')];
  const moduleDir = spec.moduleDir ?? '.';

  const frontend = spec.syntax === undefined ? DEFAULT_FRONTEND : spec.syntax.frontend;
  const directive = frontend === undefined ? undefined : `# syntax=${frontend}`;
  const lines = [
    ...(directive ? [directive] : []),
    `# Generated by goship from ${spec.origin}. Do not edit: change the app and synthesize again.`,
    `ARG VERSION=${spec.version}`,
    ...(spec.revision ? [`ARG REVISION=${spec.revision}`] : []),
    ...(buildArgs.includes('COMMIT_DATE') && spec.commitDate ? [`ARG COMMIT_DATE=${spec.commitDate}`] : []),
    '',
    '# Build stage: runs on the build machine and cross-compiles a static binary for each target.',
    `FROM --platform=$BUILDPLATFORM ${spec.builderImage} AS build`,
    `ARG TARGETOS TARGETARCH${variants.length > 0 ? ' TARGETVARIANT' : ''}`,
    `ENV CGO_ENABLED=0 GOTOOLCHAIN=local GOMODCACHE=${MOD_CACHE} GOCACHE=${BUILD_CACHE}`,
    ...goEnvLine(spec.goEnv),
    'WORKDIR /src',
    ...(download ? downloadStep(spec.moduleFiles, moduleDir, spec.secrets ?? []) : []),
    moduleDir === '.' ? 'COPY . .' : 'COPY . /src/',
    ...(!download && moduleDir !== '.' ? [`WORKDIR /src/${moduleDir}`] : []),
    `ARG ${buildArgs.join(' ')}`,
    `RUN ${cacheMounts} \\`,
    ...variants,
    `    GOOS=$TARGETOS GOARCH=$TARGETARCH ${build}`,
  ];
  if (spec.runtime.needsUserEntries) {
    lines.push(
      'RUN mkdir -p /out/etc \\',
      `    && echo 'nonroot:x:${spec.uid}:${spec.gid}:nonroot:/nonexistent:/sbin/nologin' > /out/etc/passwd \\`,
      `    && echo 'nonroot:x:${spec.gid}:' > /out/etc/group`,
    );
  }

  lines.push(
    '',
    '# Runtime stage: the binary and what a Go program expects at run time, nothing else.',
    `FROM ${spec.runtime.image}`,
    'ARG VERSION',
    ...(spec.revision ? ['ARG REVISION'] : []),
  );
  if (!spec.runtime.providesCaCertificates) {
    lines.push('COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt');
  }
  if (spec.timeZoneData === 'copied' && !spec.runtime.providesZoneinfo) {
    lines.push('COPY --from=build /usr/share/zoneinfo /usr/share/zoneinfo');
  }
  if (spec.runtime.needsUserEntries) {
    lines.push('COPY --from=build /out/etc/passwd /out/etc/group /etc/');
  }
  lines.push(
    'COPY --from=build /out/app /app',
    `USER ${user}`,
    `EXPOSE ${spec.port}`,
    `LABEL ${ociLabels(spec).join(' \\\n      ')}`,
    'ENTRYPOINT ["/app"]',
    '',
  );
  return lines.join('\n');
}

/**
 * Copies the module files (grouped by folder, paths kept) and downloads every module into the
 * cache mount, with the secrets mounted for this one command.
 */
function downloadStep(moduleFiles: readonly string[], moduleDir: string, secrets: readonly SecretMountSpec[]): string[] {
  const byFolder = new Map<string, string[]>();
  for (const file of moduleFiles) {
    const folder = file.includes('/') ? file.slice(0, file.lastIndexOf('/')) : '.';
    byFolder.set(folder, [...(byFolder.get(folder) ?? []), file]);
  }
  const copies = [...byFolder].map(([folder, files]) => `COPY ${files.join(' ')} ${folder === '.' ? './' : `./${folder}/`}`);
  const mounts = [MOD_CACHE_MOUNT, ...secrets.map(secretMount)];
  return [
    ...copies,
    ...(moduleDir === '.' ? [] : [`WORKDIR /src/${moduleDir}`]),
    `RUN ${mounts.join(' ')} go mod download`,
  ];
}

/** The `--mount=…` flag that makes a secret readable by one RUN command. */
function secretMount(s: SecretMountSpec): string {
  return s.kind === 'ssh'
    ? `--mount=type=ssh,id=${s.id},required=true`
    : `--mount=type=secret,id=${s.id},target=${s.target},required=true`;
}

/** `ENV GOPROXY=… GOFLAGS=…` for the settings that are set, in Go's order; none when none is. */
function goEnvLine(env: GoModuleEnv | undefined): string[] {
  const entries = (['GOPROXY', 'GOPRIVATE', 'GONOSUMDB', 'GOFLAGS'] as const)
    .filter((k) => env?.[k] !== undefined)
    .map((k) => `${k}=${/\s/.test(env![k]!) ? JSON.stringify(env![k]) : env![k]}`);
  return entries.length > 0 ? [`ENV ${entries.join(' ')}`] : [];
}

const REVISION_LABEL = 'org.opencontainers.image.revision';
const SOURCE_LABEL = 'org.opencontainers.image.source';
const VERSION_LABEL = 'org.opencontainers.image.version';

/** The OCI labels of the image, as `key=value` Dockerfile words (values may reference ARGs). */
function ociLabels(spec: DockerfileSpec): string[] {
  return [
    ...(spec.revision ? [`${REVISION_LABEL}=$REVISION`] : []),
    ...(spec.source ? [`${SOURCE_LABEL}=${JSON.stringify(spec.source)}`] : []),
    `${VERSION_LABEL}=$VERSION`,
  ];
}

/** The OCI labels the Dockerfile sets, with their values: what a build of it (bake, Pulumi) labels the image with. */
export function dockerfileLabels(spec: DockerfileSpec): Record<string, string> {
  return {
    ...(spec.revision ? { [REVISION_LABEL]: spec.revision } : {}),
    ...(spec.source ? { [SOURCE_LABEL]: spec.source } : {}),
    [VERSION_LABEL]: spec.version,
  };
}

/** The build args that reproduce the Dockerfile's defaults (`VERSION`, `REVISION`, and `COMMIT_DATE` when a link value reads it). */
export function dockerfileBuildArgs(spec: DockerfileSpec): Record<string, string> {
  return {
    VERSION: spec.version,
    ...(spec.revision ? { REVISION: spec.revision } : {}),
    ...(spec.commitDate && linkBuildArgs(spec.build).includes('COMMIT_DATE') ? { COMMIT_DATE: spec.commitDate } : {}),
  };
}

/**
 * Go reads the architecture variant from GOARM (32-bit arm) and GOAMD64 (amd64 levels); the
 * OCI variant arrives as TARGETVARIANT (`v7`, `v3`). Set them only for the platforms that
 * have variants, so the other targets build with Go's defaults.
 */
function variantExports(platforms: readonly Platform[]): string[] {
  const out: string[] = [];
  if (platforms.some((p) => p.arch === 'arm')) {
    out.push('    if [ "$TARGETARCH" = arm ]; then export GOARM="${TARGETVARIANT#v}"; fi; \\');
  }
  if (platforms.some((p) => p.arch === 'amd64' && p.variant)) {
    out.push('    if [ "$TARGETARCH" = amd64 ] && [ -n "$TARGETVARIANT" ]; then export GOAMD64="$TARGETVARIANT"; fi; \\');
  }
  return out;
}

/**
 * The ignore file for the build context: nothing the Go build does not read, so that edits to
 * docs, tests or the deployment code do not invalidate the build cache.
 *
 * `inputs` (relative to the context) are what the build reads when the context is wider than
 * the module (a replaced directory outside it, a workspace): then everything else is left out.
 * `contextPatterns` are the context's own `.dockerignore` lines: BuildKit reads only the file
 * beside the Dockerfile, so goship's file carries them, before its own patterns (the last
 * match wins, so a `!` there cannot bring `.git` or tests back).
 */
export function renderDockerignore(extra: readonly string[] = [], inputs: readonly string[] = ['.'], contextPatterns: readonly string[] = []): string {
  const only = inputs.length === 1 && inputs[0] === '.' ? [] : ['*', ...inputs.map((i) => `!${i}`)];
  return [
    '# Generated by goship. Do not edit.',
    ...only,
    ...(contextPatterns.length > 0 ? ["# The context's own .dockerignore:", ...contextPatterns, '# goship:'] : []),
    '.git',
    '**/.git',
    '**/node_modules',
    '**/*_test.go',
    '**/Dockerfile*',
    '**/*.dockerignore',
    ...extra,
    '',
  ].join('\n');
}
