import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { gzipSync } from 'zlib';
import * as tarStream from 'tar-stream';

/** A member of a layer. */
export interface LayerFile {
  readonly path: string;
  readonly content?: Uint8Array | string;
  /** @default 'file' */
  readonly type?: 'file' | 'directory' | 'symlink' | 'link';
  readonly linkname?: string;
  /** @default 0o755 */
  readonly mode?: number;
}

/** An image to write: its platform, the config fields that matter, and its layers (bottom first). */
export interface TestImage {
  readonly platform: { readonly os: string; readonly architecture: string; readonly variant?: string };
  readonly config?: { User?: string; Entrypoint?: string[]; Cmd?: string[]; Env?: string[]; WorkingDir?: string };
  readonly layers: readonly Buffer[];
}

/** Writes a tar of `files`, gzip'd if asked. */
export async function layerTar(files: readonly LayerFile[], opts: { gzip?: boolean } = {}): Promise<Buffer> {
  const tar = await packTar(files.map((f) => ({
    header: { name: f.path, type: f.type ?? 'file', linkname: f.linkname, mode: f.mode ?? 0o755 },
    body: f.content !== undefined ? Buffer.from(f.content) : (f.type ?? 'file') === 'file' ? Buffer.alloc(0) : undefined,
  })));
  return opts.gzip ? gzipSync(tar) : tar;
}

/** The files of an OCI image layout holding `images` in one index (or an index inside the index). */
export function ociLayout(images: readonly TestImage[], opts: { nested?: boolean; attestation?: boolean } = {}): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  const blob = (data: Buffer, mediaType: string): { mediaType: string; digest: string; size: number } => {
    const digest = `sha256:${createHash('sha256').update(data).digest('hex')}`;
    files.set(`blobs/sha256/${digest.slice(7)}`, data);
    return { mediaType, digest, size: data.length };
  };
  const json = (v: unknown): Buffer => Buffer.from(JSON.stringify(v));
  const manifests = images.map((image) => {
    const config = blob(json({ ...image.platform, config: image.config ?? {}, rootfs: { type: 'layers', diff_ids: [] } }), 'application/vnd.oci.image.config.v1+json');
    const layers = image.layers.map((l) => blob(l, l[0] === 0x1f ? 'application/vnd.oci.image.layer.v1.tar+gzip' : 'application/vnd.oci.image.layer.v1.tar'));
    const manifest = blob(json({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config, layers }), 'application/vnd.oci.image.manifest.v1+json');
    return { ...manifest, platform: image.platform };
  });
  if (opts.attestation) {
    const att = blob(json({ schemaVersion: 2, config: blob(json({}), 'application/vnd.oci.image.config.v1+json'), layers: [] }), 'application/vnd.oci.image.manifest.v1+json');
    manifests.push({ ...att, platform: { os: 'unknown', architecture: 'unknown' }, annotations: { 'vnd.docker.reference.type': 'attestation-manifest' } } as (typeof manifests)[number]);
  }
  let top: object[] = manifests;
  if (opts.nested) {
    top = [blob(json({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests }), 'application/vnd.oci.image.index.v1+json')];
  }
  files.set('oci-layout', json({ imageLayoutVersion: '1.0.0' }));
  files.set('index.json', json({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: top }));
  return files;
}

/** The files of a `docker save` tarball (legacy layout: `<id>.json`, `<id>/layer.tar`, manifest.json). */
export function dockerArchive(images: readonly TestImage[]): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  const hash = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
  const manifest = images.map((image, i) => {
    const config = Buffer.from(JSON.stringify({ ...image.platform, config: image.config ?? {} }));
    files.set(`${hash(config)}.json`, config);
    const layers = image.layers.map((l) => {
      files.set(`${hash(l)}/layer.tar`, l);
      return `${hash(l)}/layer.tar`;
    });
    return { Config: `${hash(config)}.json`, RepoTags: [`localhost/test-${i}:latest`], Layers: layers };
  });
  files.set('manifest.json', Buffer.from(JSON.stringify(manifest)));
  return files;
}

/** Writes `files` under `dir`. */
export function writeDir(dir: string, files: ReadonlyMap<string, Buffer>): string {
  files.forEach((data, name) => {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), data);
  });
  return dir;
}

/** Writes `files` as one uncompressed tar (as `skopeo copy … oci-archive:` and `docker save` do). */
export async function writeTar(file: string, files: ReadonlyMap<string, Buffer>): Promise<string> {
  const dirs = new Set<string>();
  for (const name of files.keys()) {
    for (let d = path.posix.dirname(name); d !== '.'; d = path.posix.dirname(d)) {
      dirs.add(d);
    }
  }
  const entries = [
    ...[...dirs].sort().map((d) => ({ header: { name: `${d}/`, type: 'directory' as const, mode: 0o755 }, body: undefined })),
    ...[...files].map(([name, body]) => ({ header: { name, type: 'file' as const, mode: 0o644 }, body })),
  ];
  fs.writeFileSync(file, await packTar(entries));
  return file;
}

async function packTar(entries: ReadonlyArray<{ header: tarStream.Header | Partial<tarStream.Header> & { name: string }; body?: Buffer }>): Promise<Buffer> {
  const pack = tarStream.pack();
  const chunks: Buffer[] = [];
  const done = (async () => {
    for await (const chunk of pack) {
      chunks.push(Buffer.from(chunk as Uint8Array));
    }
  })();
  for (const e of entries) {
    await new Promise<void>((resolve, reject) => {
      const cb = (err?: Error | null): void => (err ? reject(err) : resolve());
      if (e.body) {
        pack.entry({ ...e.header, size: e.body.length }, e.body, cb);
      } else {
        pack.entry(e.header, cb);
      }
    });
  }
  pack.finalize();
  await done;
  return Buffer.concat(chunks);
}
