import * as path from 'path';
import { GoModuleEnv } from '../render/dockerfile';
import { ldflagWords } from '../render/go-build';
import { GoStaticImage } from './go-static-image';

export type { GoModuleEnv } from '../render/dockerfile';

/**
 * Everything `goship publish` needs to build and assemble one image without a Dockerfile:
 * the image's resolved build settings as plain JSON data, so a CLI can read them from an app
 * it ran in another process. The values are the ones the Dockerfile path passes as build args
 * (`VERSION`, `REVISION`, `COMMIT_DATE`), already substituted.
 */
export interface PublishPlan {
  /** Image name (the bake target, the key in the pin file). */
  readonly name: string;
  /** The construct path, for messages. */
  readonly origin: string;
  /** Repository without tag. */
  readonly repository: string;
  /** `repository:tag`. */
  readonly ref: string;
  /** Absolute folder `go build` runs in (the module directory). */
  readonly moduleDir: string;
  /** The main package, relative to the module: `.` or `./cmd/x`. */
  readonly main: string;
  /** Build tags, `timetzdata` included when zoneinfo is embedded. */
  readonly tags: readonly string[];
  /** The `-ldflags` value, with the version, revision and commit date written in. */
  readonly ldflags: string;
  /** Build from `vendor/` (`-mod=vendor`). */
  readonly vendor: boolean;
  /** GOPROXY, GOPRIVATE, GONOSUMDB, GOFLAGS the image sets; others come from the environment. */
  readonly goEnv: GoModuleEnv;
  /** The `go` line of go.mod: the oldest Go that builds the module. */
  readonly goVersion: string;
  /** OCI platforms, e.g. `linux/arm/v7`. */
  readonly platforms: readonly string[];
  /** The runtime base. */
  readonly runtime: {
    readonly kind: 'scratch' | 'distroless' | 'alpine' | 'custom';
    readonly image: string;
    readonly providesCaCertificates: boolean;
    readonly providesZoneinfo: boolean;
    readonly needsUserEntries: boolean;
  };
  /** Whether `/usr/share/zoneinfo` is copied into the image. */
  readonly copyZoneinfo: boolean;
  readonly uid: number;
  readonly gid: number;
  readonly port: number;
  /** OCI labels, as the Dockerfile sets them. */
  readonly labels: Readonly<Record<string, string>>;
  /** Commit time (ISO 8601, UTC) of the image's inputs, when known: the source of SOURCE_DATE_EPOCH. */
  readonly commitDate?: string;
  /**
   * The hex sha256 of the image's context files and build settings ({@link GoStaticImage.inputDigest}):
   * what publish's no-change skip is keyed on.
   * @default - none: the image is always built
   */
  readonly inputDigest?: string;
}

/**
 * The publish plan of one image: the same flags, tags, link values, module settings, base,
 * user, port and labels its Dockerfile carries.
 */
export function publishPlan(image: GoStaticImage): PublishPlan {
  const spec = image.build;
  const tags = image.timeZoneData === 'embedded' && !spec.tags.includes('timetzdata') ? [...spec.tags, 'timetzdata'] : [...spec.tags];
  const args = { VERSION: image.version, REVISION: image.revision ?? '', COMMIT_DATE: image.commitDate ?? '' };
  const ldflags = ldflagWords(spec, (arg) => args[arg]).join(' ');
  const runtime = image.runtime;
  return {
    name: image.name,
    origin: image.node.path,
    repository: image.repository,
    ref: image.imageRef,
    moduleDir: path.resolve(image.contextDir, image.layout.moduleDir),
    main: spec.main,
    tags,
    ldflags,
    vendor: spec.vendor === true,
    goEnv: { ...image.goEnv },
    goVersion: image.goVersion,
    platforms: image.platforms.map(String),
    runtime: {
      kind: runtime.kind,
      image: runtime.image,
      providesCaCertificates: runtime.providesCaCertificates,
      providesZoneinfo: runtime.providesZoneinfo,
      needsUserEntries: runtime.needsUserEntries,
    },
    copyZoneinfo: image.timeZoneData === 'copied' && !runtime.providesZoneinfo,
    uid: image.uid,
    gid: image.gid,
    port: image.port,
    labels: image.labels,
    commitDate: image.commitDate,
    inputDigest: image.inputDigest(),
  };
}
