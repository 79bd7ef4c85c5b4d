import * as fs from 'fs';
import type { PublishPlan } from '../image/publish-plan';
import { RegistryRepo, RegistryRepoOptions } from '../registry/push';
import { BuiltBinary } from './build';
import { buildLayer, folderEntries, Layer, LayerEntry, sha256 } from './layer';

/** Media types of what publish writes. */
export const OCI = {
  index: 'application/vnd.oci.image.index.v1+json',
  manifest: 'application/vnd.oci.image.manifest.v1+json',
  config: 'application/vnd.oci.image.config.v1+json',
  layer: 'application/vnd.oci.image.layer.v1.tar+gzip',
} as const;

/** A content descriptor, as manifests list layers and configs. */
export interface Descriptor {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
  readonly platform?: { readonly architecture: string; readonly os: string; readonly variant?: string };
}

/** A blob of an image: where its bytes come from when the registry lacks it. */
export interface ImageBlob {
  readonly descriptor: Descriptor;
  /** Its bytes: in memory for what publish made, fetched from the base's repository for a base layer. */
  readonly bytes: () => Buffer | Promise<Buffer>;
  /** Repository path (same registry) it may be mounted from. */
  readonly mountFrom?: { readonly host: string; readonly name: string };
}

/** One platform's image, ready to push: its blobs (layers then config) and manifest. */
export interface PlatformImage {
  readonly platform: string;
  readonly blobs: readonly ImageBlob[];
  readonly manifest: Buffer;
  readonly descriptor: Descriptor;
}

/** Where the runtime files come from on this machine (the Dockerfile path copies them from its builder image). */
export interface RuntimeFiles {
  /** @default '/etc/ssl/certs/ca-certificates.crt' */
  readonly caBundle?: string;
  /** @default '/usr/share/zoneinfo' */
  readonly zoneinfo?: string;
}

/** BuildKit's default PATH for an image whose base sets none (scratch). */
const DEFAULT_PATH = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const DOCKER_LAYER_TYPES = new Set(['application/vnd.docker.image.rootfs.diff.tar.gzip', OCI.layer]);

/** A registry base as its registry named it: repository, tag (or digest) and the digest it resolved to. */
export interface BaseRef {
  /** The base's repository, e.g. `127.0.0.1:5000/distroless/static`. */
  readonly repository: string;
  /** The tag or digest the runtime base names. */
  readonly reference: string;
  /** The digest the registry answered for it (an index or a manifest). */
  readonly digest: string;
}

/** The base of one platform: its layers (descriptors, as the manifest lists them) and config. */
export interface BaseImage {
  /** Its layers, as its manifest lists them. */
  readonly layers: readonly Descriptor[];
  /** Its config's `rootfs.diff_ids`. */
  readonly diffIds: readonly string[];
  /** Its config's `config` (env, working directory, labels…). */
  readonly config: Record<string, unknown>;
  /** Its config's `history`. */
  readonly history: readonly unknown[];
  /**
   * The repository its layers are fetched or mounted from (none for scratch).
   * @internal
   */
  readonly repo?: RegistryRepo;
  /** Where it was read from (none for scratch). */
  readonly ref?: BaseRef;
}

/**
 * The runtime files layer: what the Dockerfile's runtime stage copies from the builder stage
 * beside the binary, with the same paths, modes and owners: the CA bundle, zoneinfo when copied,
 * `/etc/passwd` and `/etc/group` for scratch. Undefined when the base already has everything.
 */
export async function runtimeLayer(plan: PublishPlan, epoch: number, files: RuntimeFiles = {}): Promise<Layer | undefined> {
  const entries = runtimeEntries(plan, files);
  return entries.length === 0 ? undefined : buildLayer(entries, epoch);
}

/** The entries of {@link runtimeLayer}, read from this machine: empty when the base has everything. */
export function runtimeEntries(plan: PublishPlan, files: RuntimeFiles = {}): LayerEntry[] {
  const entries: LayerEntry[] = [];
  if (!plan.runtime.providesCaCertificates) {
    const caBundle = files.caBundle ?? '/etc/ssl/certs/ca-certificates.crt';
    if (!fs.existsSync(caBundle)) {
      throw new Error(`${plan.name} (${plan.origin}): the CA bundle ${caBundle} is missing on this machine — install ca-certificates, or use a runtime base that has one`);
    }
    entries.push({ path: 'etc/ssl/certs/ca-certificates.crt', type: 'file', mode: 0o644, content: fs.readFileSync(caBundle) });
  }
  if (plan.copyZoneinfo) {
    const zoneinfo = files.zoneinfo ?? '/usr/share/zoneinfo';
    if (!fs.existsSync(zoneinfo)) {
      throw new Error(`${plan.name} (${plan.origin}): ${zoneinfo} is missing on this machine — install tzdata, or embed time zone data (timeZoneData: 'embedded')`);
    }
    entries.push(...folderEntries(zoneinfo, 'usr/share/zoneinfo'));
  }
  if (plan.runtime.needsUserEntries) {
    entries.push(
      { path: 'etc/passwd', type: 'file', mode: 0o644, content: Buffer.from(`nonroot:x:${plan.uid}:${plan.gid}:nonroot:/nonexistent:/sbin/nologin\n`) },
      { path: 'etc/group', type: 'file', mode: 0o644, content: Buffer.from(`nonroot:x:${plan.gid}:\n`) },
    );
  }
  return entries;
}

/** The layer with the binary at `/app`, mode 0755. */
export function appLayer(binary: BuiltBinary, epoch: number): Promise<Layer> {
  return buildLayer([{ path: 'app', type: 'file', mode: 0o755, content: binary.content }], epoch);
}

/** Reads the runtime base of one platform from its registry (nothing for scratch). */
export async function loadBase(plan: PublishPlan, platform: string, options: RegistryRepoOptions = {}): Promise<BaseImage> {
  if (plan.runtime.kind === 'scratch') {
    return { layers: [], diffIds: [], config: {}, history: [] };
  }
  const image = plan.runtime.image;
  const at = image.lastIndexOf('@');
  const colon = image.lastIndexOf(':');
  const [repository, reference] = at > 0 ? [image.slice(0, at), image.slice(at + 1)]
    : colon > image.lastIndexOf('/') ? [image.slice(0, colon), image.slice(colon + 1)] : [image, 'latest'];
  const repo = new RegistryRepo(repository, options);
  const what = `${plan.name} (${plan.origin}): runtime base ${image}`;
  try {
    let manifest = await repo.getManifest(reference);
    const ref = { repository, reference, digest: manifest.digest };
    let json = JSON.parse(manifest.body.toString('utf8')) as { manifests?: Descriptor[]; config?: Descriptor; layers?: Descriptor[] };
    if (json.manifests) {
      const [os, architecture, variant] = platform.split('/');
      const match = json.manifests.find((m) => m.platform?.os === os && m.platform.architecture === architecture && (m.platform.variant ?? '') === (variant ?? ''))
        ?? json.manifests.find((m) => m.platform?.os === os && m.platform.architecture === architecture);
      if (!match) {
        throw new Error(`has no ${platform} image (it has ${json.manifests.map((m) => `${m.platform?.os}/${m.platform?.architecture}`).join(', ')})`);
      }
      manifest = await repo.getManifest(match.digest);
      json = JSON.parse(manifest.body.toString('utf8')) as typeof json;
    }
    const config = JSON.parse((await repo.getBlob(json.config!.digest)).toString('utf8')) as { config?: Record<string, unknown>; rootfs?: { diff_ids?: string[] }; history?: unknown[]; architecture?: string };
    const wanted = platform.split('/')[1];
    if (config.architecture && config.architecture !== wanted) {
      throw new Error(`is for ${config.architecture}, not ${platform}`);
    }
    for (const layer of json.layers ?? []) {
      if (!DOCKER_LAYER_TYPES.has(layer.mediaType)) {
        throw new Error(`has a layer of type ${layer.mediaType}; publish reads gzip layers only`);
      }
    }
    return {
      layers: (json.layers ?? []).map((l) => ({ mediaType: OCI.layer, digest: l.digest, size: l.size })),
      diffIds: config.rootfs?.diff_ids ?? [],
      config: config.config ?? {},
      history: config.history ?? [],
      repo,
      ref,
    };
  } catch (e) {
    throw new Error(`${what}: ${(e as Error).message.replace(`${repository}: `, '')} — push the base to its registry, or pick another runtime base`);
  }
}

/**
 * One platform's image: the base's layers, the runtime files layer, the binary's layer, and a
 * config with the user, entrypoint, exposed port, env and labels the Dockerfile gives.
 */
export function assemble(plan: PublishPlan, platform: string, base: BaseImage, layers: readonly Layer[], epoch: number): PlatformImage {
  const [os, architecture, variant] = platform.split('/');
  const created = new Date(epoch * 1000).toISOString().replace('.000Z', 'Z');
  const baseEnv = base.config.Env as string[] | undefined;
  const config = {
    architecture,
    os,
    ...(variant ? { variant } : {}),
    created,
    config: {
      User: `${plan.uid}:${plan.gid}`,
      ExposedPorts: { [`${plan.port}/tcp`]: {} },
      Env: baseEnv && baseEnv.length > 0 ? baseEnv : [DEFAULT_PATH],
      Entrypoint: ['/app'],
      ...(base.config.WorkingDir ? { WorkingDir: base.config.WorkingDir } : {}),
      Labels: sortedObject({ ...(base.config.Labels as Record<string, string> | undefined ?? {}), ...plan.labels }),
    },
    rootfs: { type: 'layers', diff_ids: [...base.diffIds, ...layers.map((l) => l.diffId)] },
    history: [...base.history, ...layers.map(() => ({ created, created_by: 'goship publish', comment: plan.origin }))],
  };
  const configBytes = Buffer.from(JSON.stringify(config));
  const configDescriptor = { mediaType: OCI.config, digest: sha256(configBytes), size: configBytes.length };
  const own = layers.map((l) => ({ mediaType: OCI.layer, digest: l.digest, size: l.blob.length }));
  const manifest = Buffer.from(JSON.stringify({
    schemaVersion: 2,
    mediaType: OCI.manifest,
    config: configDescriptor,
    layers: [...base.layers, ...own],
  }));
  const mountFrom = base.repo ? { host: base.repo.host, name: base.repo.name } : undefined;
  const baseRepo = base.repo;
  return {
    platform,
    blobs: [
      ...base.layers.map((d) => ({ descriptor: d, bytes: () => baseRepo!.getBlob(d.digest), mountFrom })),
      ...layers.map((l, i) => ({ descriptor: own[i], bytes: () => l.blob })),
      { descriptor: configDescriptor, bytes: () => configBytes },
    ],
    manifest,
    descriptor: {
      mediaType: OCI.manifest,
      digest: sha256(manifest),
      size: manifest.length,
      platform: { architecture, os, ...(variant ? { variant } : {}) },
    },
  };
}

/** The OCI index of several platform images. */
export function indexOf(images: readonly PlatformImage[]): Buffer {
  return Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI.index, manifests: images.map((i) => i.descriptor) }));
}

/** SOURCE_DATE_EPOCH: the commit date of the image's inputs, else the environment's, else 0. */
export function sourceDateEpoch(plan: PublishPlan, env: NodeJS.ProcessEnv = process.env): number {
  if (plan.commitDate) {
    return Math.floor(Date.parse(plan.commitDate) / 1000);
  }
  const fromEnv = Number(env.SOURCE_DATE_EPOCH);
  return Number.isInteger(fromEnv) && fromEnv >= 0 ? fromEnv : 0;
}

function sortedObject(o: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.keys(o).sort().map((k) => [k, o[k]]));
}
