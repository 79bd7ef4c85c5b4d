import { createHash } from 'crypto';
import { promises as fsp } from 'fs';
import * as path from 'path';
import { BOUNDS, BoundError } from '../bounds';
import { parseImageReference } from '../model/image-ref';
import { ResolveOptions, repositoryClient, RepositoryClient } from './distribution';
import { readResponse } from './http';

/**
 * Pulls an image from its registry into an OCI image layout directory, through goship's own
 * distribution client (the credentials of `goship pin`), so `goship verify` and `goship sbom`
 * read what CI pushed without `docker pull` and `docker save`. Every blob is checked against
 * its digest.
 */

/** Options of {@link pullImage}. */
export interface PullOptions extends ResolveOptions {
  /**
   * For a multi-platform image, the one platform to pull, e.g. `linux/arm64`.
   * @default - every platform of the index
   */
  readonly platform?: string;
}

const INDEX_TYPES = ['application/vnd.oci.image.index.v1+json', 'application/vnd.docker.distribution.manifest.list.v2+json'];

interface Descriptor {
  readonly mediaType?: string;
  readonly digest: string;
  readonly size?: number;
  readonly platform?: { readonly os?: string; readonly architecture?: string; readonly variant?: string };
  readonly annotations?: Readonly<Record<string, string>>;
}

/**
 * Pulls `reference` (`registry/repo:tag`, `…@sha256:…` or both) into the new layout `dir`,
 * whose `index.json` lists each platform's manifest, named by the reference.
 *
 * @returns the digest the reference points to (an index, for a multi-platform image)
 * @throws Error naming the reference: not found, refused, no such platform, a blob that does not match its digest
 */
export async function pullImage(reference: string, dir: string, options: PullOptions = {}): Promise<string> {
  const ref = parseImageReference('reference', reference);
  const client = repositoryClient(ref.repository, reference, options);
  await fsp.mkdir(path.join(dir, 'blobs', 'sha256'), { recursive: true });
  const top = await fetchManifest(client, reference, ref.digest ?? ref.tag!, ref.digest);
  let manifests: Descriptor[];
  if (INDEX_TYPES.includes(top.mediaType)) {
    const index = jsonObject(reference, `the index ${top.digest}`, top.bytes);
    const list = index.manifests ?? [];
    if (!Array.isArray(list)) {
      throw new Error(`${reference}: the index ${top.digest} has a manifests field that is not a list`);
    }
    if (list.length > BOUNDS.images) {
      throw new BoundError(reference, `the number of images in the index ${top.digest}`, BOUNDS.images);
    }
    const runnable = list.map((d, i) => descriptor(reference, `the index ${top.digest}: manifests[${i}]`, d)).filter((d) => d.platform?.os !== 'unknown' && d.annotations?.['vnd.docker.reference.type'] !== 'attestation-manifest');
    manifests = options.platform === undefined ? runnable : runnable.filter((d) => platformName(d.platform) === options.platform);
    if (manifests.length === 0) {
      throw new Error(`${reference}: has no image for ${options.platform ?? 'any platform'} (it has ${runnable.map((d) => platformName(d.platform)).join(', ') || 'none'})`);
    }
  } else {
    manifests = [{ mediaType: top.mediaType, digest: top.digest, size: top.bytes.length }];
  }
  const entries: Descriptor[] = [];
  for (const d of manifests) {
    if (d.digest !== top.digest && !/^sha256:[0-9a-f]{64}$/.test(d.digest)) {
      throw new Error(`${reference}: the index names the manifest '${d.digest.slice(0, 100)}', which is not a sha256 digest`);
    }
    const m = d.digest === top.digest ? top : await fetchManifest(client, reference, d.digest, d.digest);
    await writeBlob(dir, m.digest, m.bytes);
    const manifest = jsonObject(reference, `the manifest ${m.digest}`, m.bytes);
    const layers = manifest.layers ?? [];
    if (!Array.isArray(layers)) {
      throw new Error(`${reference}: the manifest ${m.digest} has a layers field that is not a list`);
    }
    if (layers.length > BOUNDS.layersPerImage) {
      throw new BoundError(reference, `the number of layers of ${m.digest}`, BOUNDS.layersPerImage);
    }
    const blobs = [...(manifest.config === undefined ? [] : [manifest.config]), ...layers].map((b, i) => descriptor(reference, `the manifest ${m.digest}: blob ${i}`, b));
    for (const blob of blobs) {
      await writeBlob(dir, blob.digest, await fetchBlob(client, reference, blob.digest));
    }
    entries.push({ mediaType: m.mediaType, digest: m.digest, size: m.bytes.length, ...(d.platform ? { platform: d.platform } : {}), annotations: { 'org.opencontainers.image.ref.name': reference } });
  }
  await fsp.writeFile(path.join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  await fsp.writeFile(path.join(dir, 'index.json'), JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: entries }));
  return top.digest;
}

/** JSON text from the registry as an object, or an error naming the reference (never the text). */
function jsonObject(reference: string, what: string, bytes: Buffer): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new Error(`${reference}: ${what} is not valid JSON`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error(`${reference}: ${what} is not a JSON object`);
  }
  return value as Record<string, unknown>;
}

/** A descriptor from the registry, each field of its type. */
function descriptor(reference: string, what: string, value: unknown): Descriptor {
  const fail = (field: string): never => {
    throw new Error(`${reference}: ${what}${field} is not what a descriptor holds`);
  };
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  const optionalString = (v: unknown, field: string): string | undefined => (v === undefined || typeof v === 'string' ? v : fail(field));
  if (!isObject(value)) {
    return fail('');
  }
  if (typeof value.digest !== 'string') {
    return fail('.digest');
  }
  const p = value.platform;
  if (p !== undefined && !isObject(p)) {
    fail('.platform');
  }
  const a = value.annotations;
  if (a !== undefined && (!isObject(a) || Object.values(a).some((v) => typeof v !== 'string'))) {
    fail('.annotations');
  }
  return {
    mediaType: optionalString(value.mediaType, '.mediaType'),
    digest: value.digest,
    size: typeof value.size === 'number' ? value.size : undefined,
    platform: isObject(p) ? { os: optionalString(p.os, '.platform.os'), architecture: optionalString(p.architecture, '.platform.architecture'), variant: optionalString(p.variant, '.platform.variant') } : undefined,
    annotations: a as Descriptor['annotations'],
  };
}

function platformName(p: Descriptor['platform']): string {
  const defaults: Record<string, string> = { arm64: 'v8', amd64: 'v1' };
  const variant = p?.variant && p.variant !== defaults[p.architecture ?? ''] ? `/${p.variant}` : '';
  return `${p?.os ?? 'unknown'}/${p?.architecture ?? 'unknown'}${variant}`;
}

async function fetchManifest(client: RepositoryClient, reference: string, tagOrDigest: string, expected?: string): Promise<{ bytes: Buffer; mediaType: string; digest: string }> {
  const res = await client.get(`/manifests/${tagOrDigest}`);
  if (res.status === 404) {
    throw new Error(`${reference}: ${tagOrDigest} not found in ${client.host} (404) — check the tag, or push it first`);
  }
  if (res.status !== 200) {
    throw new Error(`${reference}: ${client.host} answered ${res.status} to GET manifests/${tagOrDigest}`);
  }
  const bytes = await readResponse(reference, res, BOUNDS.jsonBlobBytes);
  const digest = `sha256:${sha256(bytes)}`;
  if (expected !== undefined && expected !== digest) {
    throw new Error(`${reference}: the manifest ${client.host} served for ${expected} hashes to ${digest}`);
  }
  return { bytes, mediaType: (res.headers.get('content-type') ?? '').split(';')[0].trim() || mediaTypeOf(bytes), digest };
}

async function fetchBlob(client: RepositoryClient, reference: string, digest: string): Promise<Buffer> {
  if (!/^sha256:[0-9a-f]{64}$/.test(digest)) {
    throw new Error(`${reference}: a manifest names the blob '${digest}', which is not a sha256 digest`);
  }
  const res = await client.get(`/blobs/${digest}`);
  if (res.status !== 200) {
    throw new Error(`${reference}: ${client.host} answered ${res.status} to GET blobs/${digest}`);
  }
  const bytes = await readResponse(reference, res, BOUNDS.layerBytes);
  if (`sha256:${sha256(bytes)}` !== digest) {
    throw new Error(`${reference}: the blob ${client.host} served for ${digest} does not match its digest`);
  }
  return bytes;
}

async function writeBlob(dir: string, digest: string, bytes: Buffer): Promise<void> {
  await fsp.writeFile(path.join(dir, 'blobs', 'sha256', digest.slice('sha256:'.length)), bytes);
}

function mediaTypeOf(bytes: Buffer): string {
  try {
    return String((JSON.parse(bytes.toString('utf8')) as { mediaType?: string }).mediaType ?? '');
  } catch {
    return '';
  }
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
