import { createReadStream } from 'fs';
import * as posix from 'path/posix';
import { Readable, Transform } from 'stream';
import { pipeline } from 'stream/promises';
import * as zlib from 'zlib';
import * as tarStream from 'tar-stream';
import { BOUNDS, BoundError } from '../bounds';
import { ByteRange, cleanPath, ImageError, readHead } from './tar-index';

/** The bytes of one layer member, to consume or skip (`resume()`). */
type LayerEntryBody = AsyncIterable<unknown> & { resume(): unknown };

/** A file in an image's merged filesystem. */
export interface ImageFile {
  readonly type: 'file' | 'directory' | 'symlink' | 'other';
  /** Symlink target, as written. */
  readonly linkname?: string;
  readonly size: number;
  readonly mode: number;
  /** Index of the layer that holds its bytes (bottom layer is 0). */
  readonly layer: number;
  /** Path of the bytes inside that layer: itself, or a hard link's target. */
  readonly contentPath: string;
}

/** An image's filesystem as the container sees it: every layer applied in order, whiteouts honoured. */
export class ImageFs {
  /**
   * Reads every layer's file list (not the file contents) and merges them.
   *
   * @throws ImageError for a corrupt or unsupported layer
   */
  public static async read(layers: readonly ByteRange[]): Promise<ImageFs> {
    const files = new Map<string, ImageFile>();
    for (let i = 0; i < layers.length; i++) {
      const own = new Map<string, ImageFile>();
      const hidden: string[] = [];
      await walkLayer(layers[i], async (header, body) => {
        body.resume();
        const p = cleanPath(header.name);
        const base = posix.basename(p);
        if (base === '.wh..wh..opq') {
          hidden.push(`${posix.dirname(p)}/`);
        } else if (base.startsWith('.wh.')) {
          hidden.push(posix.join(posix.dirname(p), base.slice(4)));
        } else {
          own.set(p, toImageFile(header, p, i, own));
        }
      });
      // Whiteouts hide what lower layers have; this layer's own entries stay.
      for (const h of hidden) {
        for (const key of [...files.keys()]) {
          if (h.endsWith('/') ? key.startsWith(h) : key === h || key.startsWith(`${h}/`)) {
            files.delete(key);
          }
        }
      }
      own.forEach((f, p) => files.set(p, f));
    }
    return new ImageFs(files, layers);
  }

  private readonly libraries: Set<string>;

  private constructor(private readonly files: ReadonlyMap<string, ImageFile>, private readonly layers: readonly ByteRange[]) {
    this.libraries = new Set([...files.keys()].filter((p) => /\/lib[^/]*\//.test(p)).map((p) => posix.basename(p)));
  }

  /**
   * Follows symlinks (absolute ones from the image root, relative ones from their directory)
   * to the real path of `p`.
   *
   * @returns the resolved path and its entry, or undefined when it does not exist or loops
   */
  public resolve(p: string): { path: string; file: ImageFile } | undefined {
    let parts = cleanPath(p).split('/').filter(Boolean);
    let current = '';
    for (let hops = 0, i = 0; i < parts.length; i++) {
      const next = `${current}/${parts[i]}`;
      const entry = this.files.get(next);
      if (entry?.type === 'symlink') {
        if (++hops > 40) {
          return undefined;
        }
        const target = entry.linkname!.startsWith('/') ? entry.linkname! : `${current}/${entry.linkname}`;
        parts = cleanPath([target, ...parts.slice(i + 1)].join('/')).split('/').filter(Boolean);
        current = '';
        i = -1;
        continue;
      }
      current = next;
    }
    const file = this.files.get(current || '/');
    return file ? { path: current || '/', file } : undefined;
  }

  /** True when `p` resolves to a regular file. */
  public hasFile(p: string): boolean {
    return this.resolve(p)?.file.type === 'file';
  }

  /** The paths of the regular files at or under `dir` (e.g. `/usr/share/zoneinfo`; `/` for all), sorted. */
  public filesUnder(dir: string): string[] {
    const root = cleanPath(dir);
    const under = (p: string) => root === '/' || p === root || p.startsWith(`${root}/`);
    return [...this.files].filter(([p, f]) => f.type === 'file' && under(p)).map(([p]) => p).sort();
  }

  /** True when a file with this name sits in some `lib*` directory (where the loader looks). */
  public hasLibrary(name: string): boolean {
    return this.libraries.has(name);
  }

  /** Reads the bytes of a regular file (after {@link resolve}). */
  public async readFile(file: ImageFile): Promise<Buffer> {
    return (await this.readFiles([file]))[0];
  }

  /**
   * Reads the bytes of several regular files (after {@link resolve}), in their order, with one
   * pass over each layer that holds some of them.
   */
  public async readFiles(files: readonly ImageFile[]): Promise<Buffer[]> {
    const wantedByLayer = new Map<number, Map<string, number[]>>();
    files.forEach((file, i) => {
      const wanted = wantedByLayer.get(file.layer) ?? new Map<string, number[]>();
      wanted.set(file.contentPath, [...(wanted.get(file.contentPath) ?? []), i]);
      wantedByLayer.set(file.layer, wanted);
    });
    const found: (Buffer | undefined)[] = files.map(() => undefined);
    let total = 0;
    for (const [layer, wanted] of wantedByLayer) {
      await walkLayer(this.layers[layer], async (header, body) => {
        const indexes = header.type === 'file' ? wanted.get(cleanPath(header.name)) : undefined;
        if (indexes === undefined || found[indexes[0]] !== undefined) {
          body.resume();
          return;
        }
        if ((header.size ?? 0) > BOUNDS.layerFileBytes || total + (header.size ?? 0) > BOUNDS.layerFileBytes) {
          throw new BoundError(`layer ${layer}: ${cleanPath(header.name)}`, 'the file (with the others read with it)', `${BOUNDS.layerFileBytes} bytes`);
        }
        // One buffer of the size the header gives, filled in place: the file is held once, not twice.
        const bytes = Buffer.alloc(header.size ?? 0);
        let size = 0;
        for await (const chunk of body) {
          const part = chunk as Uint8Array;
          if (size + part.length > bytes.length) {
            throw new ImageError(`layer ${layer}: ${cleanPath(header.name)} holds more bytes than its tar header says`);
          }
          bytes.set(part, size);
          size += part.length;
        }
        if (size !== bytes.length) {
          throw new ImageError(`layer ${layer}: ${cleanPath(header.name)} holds fewer bytes than its tar header says`);
        }
        total += size;
        indexes.forEach((i) => { found[i] = bytes; });
      });
    }
    const missing = files.findIndex((_, i) => found[i] === undefined);
    if (missing >= 0) {
      throw new ImageError(`layer ${files[missing].layer} does not hold ${files[missing].contentPath}`);
    }
    return found as Buffer[];
  }
}

function toImageFile(h: tarStream.Header, p: string, layer: number, own: ReadonlyMap<string, ImageFile>): ImageFile {
  const base = { size: h.size ?? 0, mode: h.mode ?? 0, layer, contentPath: p };
  switch (h.type) {
    case 'file':
    case 'contiguous-file':
      return { ...base, type: 'file' };
    case 'directory':
      return { ...base, type: 'directory' };
    case 'symlink':
      return { ...base, type: 'symlink', linkname: h.linkname ?? '' };
    case 'link': {
      // A hard link shares the bytes of an earlier member of the same layer.
      const target = own.get(cleanPath(h.linkname ?? ''));
      return target ? { ...target, mode: h.mode ?? target.mode } : { ...base, type: 'other' };
    }
    default:
      return { ...base, type: 'other' };
  }
}

/**
 * Streams one layer (plain, gzip or, where Node has it, zstd) through a tar parser, calling
 * `onEntry` for every member in order. The handler must consume or resume `body`.
 */
async function walkLayer(range: ByteRange, onEntry: (header: tarStream.Header, body: LayerEntryBody) => Promise<void>): Promise<void> {
  const magic = await readHead(range, 4);
  const streams: Array<Readable | Transform> = [range.size > 0 ? createReadStream(range.file, { start: range.start, end: range.start + range.size - 1 }) : Readable.from([])];
  if (magic[0] === 0x1f && magic[1] === 0x8b) {
    streams.push(zlib.createGunzip(), expansionLimit(range));
  } else if (magic.length === 4 && magic.readUInt32LE(0) === 0xfd2fb528) {
    const zstd = (zlib as unknown as { createZstdDecompress?: () => Transform }).createZstdDecompress;
    if (!zstd) {
      throw new ImageError(`a zstd-compressed layer needs Node.js ≥ 22.15 to be read (this is ${process.version})`);
    }
    streams.push(zstd(), expansionLimit(range));
  }
  const extract = tarStream.extract();
  const consume = async (): Promise<void> => {
    for await (const entry of extract) {
      await onEntry(entry.header, entry);
    }
  };
  try {
    await Promise.all([pipeline([...streams, extract]), consume()]);
  } catch (e) {
    throw e instanceof ImageError || e instanceof BoundError ? e : new ImageError(`cannot read layer ${range.file}@${range.start}: ${(e as Error).message}`);
  }
}

/** Passes a decompressed layer through, failing once it expands past {@link BOUNDS.layerBytes}. */
function expansionLimit(range: ByteRange): Transform {
  let total = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      total += chunk.length;
      if (total > BOUNDS.layerBytes) {
        done(new BoundError(`layer ${range.file}@${range.start}`, 'the decompressed layer', `${BOUNDS.layerBytes} bytes`));
      } else {
        done(null, chunk);
      }
    },
  });
}
