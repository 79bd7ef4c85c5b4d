import { createHash } from 'crypto';
import { promises as fsp } from 'fs';
import * as path from 'path';
import { BOUNDS } from '../bounds';
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
    const index = JSON.parse(top.bytes.toString('utf8')) as { manifests?: Descriptor[] };
    const runnable = (index.manifests ?? []).filter((d) => d.platform?.os !== 'unknown' && d.annotations?.['vnd.docker.reference.type'] !== 'attestation-manifest');
    manifests = options.platform === undefined ? runnable : runnable.filter((d) => platformName(d.platform) === options.platform);
    if (manifests.length === 0) {
      throw new Error(`${reference}: has no image for ${options.platform ?? 'any platform'} (it has ${runnable.map((d) => platformName(d.platform)).join(', ') || 'none'})`);
    }
  } else {
    manifests = [{ mediaType: top.mediaType, digest: top.digest, size: top.bytes.length }];
  }
  const entries: Descriptor[] = [];
  for (const d of manifests) {
    const m = d.digest === top.digest ? top : await fetchManifest(client, reference, d.digest, d.digest);
    await writeBlob(dir, m.digest, m.bytes);
    const manifest = JSON.parse(m.bytes.toString('utf8')) as { config?: Descriptor; layers?: Descriptor[] };
    for (const blob of [...(manifest.config ? [manifest.config] : []), ...(manifest.layers ?? [])]) {
      await writeBlob(dir, blob.digest, await fetchBlob(client, reference, blob.digest));
    }
    entries.push({ mediaType: m.mediaType, digest: m.digest, size: m.bytes.length, ...(d.platform ? { platform: d.platform } : {}), annotations: { 'org.opencontainers.image.ref.name': reference } });
  }
  await fsp.writeFile(path.join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  await fsp.writeFile(path.join(dir, 'index.json'), JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: entries }));
  return top.digest;
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
