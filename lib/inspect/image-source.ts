import { promises as fsp } from 'fs';
import * as path from 'path';
import { BOUNDS, BoundError } from '../bounds';
import { object, optionalList, optionalObject, optionalString, optionalStringMap, optionalStrings } from './image-json';
import { ByteRange, cleanPath, ImageError, indexTar, looksLikeTar, readHead } from './tar-index';

/** How an image is stored on disk. */
export type ImageFormat = 'oci-layout' | 'oci-archive' | 'docker-archive';

/** The parts of an image config (`docker inspect`'s `Config`) that decide how it starts. */
export interface ImageConfig {
  readonly architecture?: string;
  readonly os?: string;
  readonly variant?: string;
  readonly config?: {
    readonly User?: string;
    readonly Entrypoint?: readonly string[] | null;
    readonly Cmd?: readonly string[] | null;
    readonly Env?: readonly string[] | null;
    readonly WorkingDir?: string;
  };
}

/** One runnable image: its config and its layers, bottom first. */
export interface ImageCandidate {
  /** The manifest digest (OCI), or the config file name (docker-archive). */
  readonly id: string;
  /** `os/arch[/variant]` from the index entry, else from the config. */
  readonly platform: string;
  /** Tags or reference names recorded for it. */
  readonly names: readonly string[];
  readonly config: ImageConfig;
  readonly layers: readonly ByteRange[];
}

/** An opened image directory or tarball. */
export interface ImageSource {
  readonly format: ImageFormat;
  /** Every image in it (several for a multi-platform index), attestations left out. */
  readonly images: readonly ImageCandidate[];
}

interface Store {
  /** The bytes of a member, by its path inside the layout or archive. */
  range(name: string): Promise<ByteRange | undefined>;
}

interface Descriptor {
  readonly mediaType?: string;
  readonly digest: string;
  readonly platform?: { readonly os?: string; readonly architecture?: string; readonly variant?: string };
  readonly annotations?: Readonly<Record<string, string>>;
}

const INDEX_TYPES = ['application/vnd.oci.image.index.v1+json', 'application/vnd.docker.distribution.manifest.list.v2+json'];
const MAX_JSON = 16 * 1024 * 1024;
const DIGEST = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;

/**
 * Opens an OCI image layout directory, an OCI archive (`oci-archive:`), or a `docker save`
 * tarball (`docker-archive:`), and lists the images in it.
 *
 * @throws ImageError if it is none of these, or is incomplete
 */
export async function openImage(location: string): Promise<ImageSource> {
  const stat = await fsp.stat(location).catch(() => {
    throw new ImageError(`${location}: no such file or directory`);
  });
  let store: Store;
  if (stat.isDirectory()) {
    store = dirStore(location);
  } else {
    const head = await readHead({ file: location, start: 0, size: stat.size }, 512);
    if (head[0] === 0x1f && head[1] === 0x8b) {
      throw new ImageError(`${location}: a gzip-compressed file; an image tarball is read uncompressed (gunzip it first)`);
    }
    if (!looksLikeTar(head)) {
      throw new ImageError(`${location}: neither an ELF binary, an OCI layout directory nor an image tarball`);
    }
    const members = await indexTar(location);
    store = { range: async (name) => members.get(cleanPath(name)) };
  }
  const manifest = await store.range('manifest.json');
  const index = await store.range('index.json');
  try {
    if (manifest) {
      return { format: 'docker-archive', images: await dockerImages(store, manifest) };
    }
    if (index) {
      return { format: stat.isDirectory() ? 'oci-layout' : 'oci-archive', images: await ociImages(store, index) };
    }
  } catch (e) {
    // Name the image: the readers below name only the file or digest inside it.
    if (e instanceof ImageError && !e.message.startsWith(location)) {
      throw new ImageError(`${location}: ${e.message}`);
    }
    throw e;
  }
  throw new ImageError(`${location}: has neither index.json (an OCI image layout) nor manifest.json (a docker save archive)`);
}

/** `os/arch[/variant]`, the variant left out when it is the architecture's default. */
export function platformOf(p: { readonly os?: string; readonly architecture?: string; readonly variant?: string }): string {
  const defaults: Record<string, string> = { arm64: 'v8', amd64: 'v1' };
  const variant = p.variant && p.variant !== defaults[p.architecture ?? ''] ? `/${p.variant}` : '';
  return `${p.os ?? 'unknown'}/${p.architecture ?? 'unknown'}${variant}`;
}

function dirStore(dir: string): Store {
  return {
    range: async (name) => {
      const file = path.join(dir, cleanPath(name));
      const st = await fsp.stat(file).catch(() => undefined);
      if (!st?.isFile()) {
        return undefined;
      }
      // A link may point anywhere on this machine: only files inside the layout are read.
      const [real, root] = await Promise.all([fsp.realpath(file), fsp.realpath(dir)]);
      if (!real.startsWith(root + path.sep)) {
        throw new ImageError(`${dir}: ${cleanPath(name)} is a link out of the image layout — goship reads only files inside it`);
      }
      return { file, start: 0, size: st.size };
    },
  };
}

async function readJson(range: ByteRange, what: string): Promise<unknown> {
  if (range.size > MAX_JSON) {
    throw new ImageError(`${what} is ${range.size} bytes, too large for JSON metadata`);
  }
  const text = (await readHead(range, range.size)).toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    // The parser's message quotes the text: only the position is told.
    const at = /position (\d+)/.exec((e as Error).message)?.[1];
    throw new ImageError(`${what} is not valid JSON${at === undefined ? '' : ` (at byte ${at})`}`);
  }
}

async function member(store: Store, name: string, what: string): Promise<ByteRange> {
  const range = await store.range(name);
  if (!range) {
    throw new ImageError(`incomplete image: ${what} (${name}) is missing`);
  }
  return range;
}

function blobPath(digest: unknown): string {
  if (typeof digest !== 'string' || !DIGEST.test(digest)) {
    // Only a short string is shown: a value from the file may be megabytes, or nested too deep to print.
    const shown = typeof digest === 'string' ? JSON.stringify(digest.slice(0, 100)) : `(${digest === null ? 'null' : Array.isArray(digest) ? 'a list' : `a ${typeof digest}`})`;
    throw new ImageError(`invalid digest ${shown}`);
  }
  const [alg, hex] = digest.split(':');
  return `blobs/${alg}/${hex}`;
}

async function dockerImages(store: Store, manifest: ByteRange): Promise<ImageCandidate[]> {
  const entries = await readJson(manifest, 'manifest.json');
  if (!Array.isArray(entries)) {
    throw new ImageError('manifest.json is not a list of images');
  }
  if (entries.length > BOUNDS.images) {
    throw new BoundError('manifest.json', 'the number of images', BOUNDS.images);
  }
  return Promise.all(entries.map(async (entry: unknown, i) => {
    const what = `manifest.json entry ${i}`;
    const e = object(entry, what);
    const configName = optionalString(e, 'Config', what);
    const layerNames = optionalStrings(e, 'Layers', what);
    if (configName === undefined || layerNames === undefined) {
      throw new ImageError(`${what} has no Config or Layers`);
    }
    const config = imageConfig(await readJson(await member(store, configName, 'the image config'), configName), configName);
    if (layerNames.length > BOUNDS.layersPerImage) {
      throw new BoundError(what, 'the number of layers', BOUNDS.layersPerImage);
    }
    const layers = await Promise.all(layerNames.map((l) => member(store, l, 'a layer')));
    return { id: configName, platform: platformOf(config), names: optionalStrings(e, 'RepoTags', what) ?? [], config, layers };
  }));
}

/** The image config's fields that goship reads, each of its type. */
function imageConfig(value: unknown, what: string): ImageConfig {
  const c = object(value, what);
  const inner = optionalObject(c, 'config', what);
  const field = `${what}: config`;
  return {
    architecture: optionalString(c, 'architecture', what),
    os: optionalString(c, 'os', what),
    variant: optionalString(c, 'variant', what),
    config: inner && {
      User: optionalString(inner, 'User', field),
      Entrypoint: optionalStrings(inner, 'Entrypoint', field),
      Cmd: optionalStrings(inner, 'Cmd', field),
      Env: optionalStrings(inner, 'Env', field),
      WorkingDir: optionalString(inner, 'WorkingDir', field),
    },
  };
}

/** The descriptors of an index (`manifests`), each of its type. */
function descriptorsOf(value: unknown, what: string): Descriptor[] {
  return (optionalList(object(value, what), 'manifests', what) ?? []).map((item, i) => {
    const at = `${what}: manifests[${i}]`;
    const d = object(item, at);
    const p = optionalObject(d, 'platform', at);
    return {
      mediaType: optionalString(d, 'mediaType', at),
      digest: d.digest as string,
      platform: p && { os: optionalString(p, 'os', `${at}.platform`), architecture: optionalString(p, 'architecture', `${at}.platform`), variant: optionalString(p, 'variant', `${at}.platform`) },
      annotations: optionalStringMap(d, 'annotations', at),
    };
  });
}

/** The config and layer digests of an image manifest. */
function manifestOf(value: unknown, what: string): { config: Record<string, unknown>; layers: Array<Record<string, unknown>> } {
  const m = object(value, what);
  const config = optionalObject(m, 'config', what);
  const layers = optionalList(m, 'layers', what);
  if (!config || !layers) {
    throw new ImageError(`${what} is not an image manifest (no config or layers)`);
  }
  return { config, layers: layers.map((l, i) => object(l, `${what}: layers[${i}]`)) };
}

async function ociImages(store: Store, index: ByteRange): Promise<ImageCandidate[]> {
  const root = descriptorsOf(await readJson(index, 'index.json'), 'index.json');
  const leaves: Descriptor[] = [];
  let descriptors = 0;
  const visit = async (list: readonly Descriptor[], depth: number, inherited?: Descriptor): Promise<void> => {
    for (const d of list) {
      if (++descriptors > BOUNDS.images) {
        throw new BoundError('index.json', 'the number of images and indexes it names (nested indexes included)', BOUNDS.images);
      }
      if (d.annotations?.['vnd.docker.reference.type'] === 'attestation-manifest' || d.platform?.os === 'unknown') {
        continue;
      }
      const desc = { ...d, platform: d.platform ?? inherited?.platform, annotations: { ...inherited?.annotations, ...d.annotations } };
      if (INDEX_TYPES.includes(d.mediaType ?? '')) {
        if (depth >= BOUNDS.indexNesting) {
          throw new ImageError('image indexes nested too deeply');
        }
        const nested = descriptorsOf(await readJson(await member(store, blobPath(d.digest), 'an image index'), d.digest), d.digest);
        await visit(nested, depth + 1, desc);
      } else {
        leaves.push(desc);
      }
    }
  };
  await visit(root, 0);
  return Promise.all(leaves.map(async (d) => {
    const manifest = manifestOf(await readJson(await member(store, blobPath(d.digest), 'an image manifest'), d.digest), d.digest);
    const configDigest = blobPath(manifest.config.digest);
    const config = imageConfig(await readJson(await member(store, configDigest, 'the image config'), String(manifest.config.digest)), String(manifest.config.digest));
    if (manifest.layers.length > BOUNDS.layersPerImage) {
      throw new BoundError(`image ${d.digest}`, 'the number of layers', BOUNDS.layersPerImage);
    }
    const layers = await Promise.all(manifest.layers.map((l) => member(store, blobPath(l.digest), 'a layer')));
    const name = d.annotations?.['org.opencontainers.image.ref.name'] ?? d.annotations?.['io.containerd.image.name'];
    return { id: d.digest, platform: platformOf(d.platform ?? config), names: name ? [name] : [], config, layers };
  }));
}
