import * as fs from 'fs';

/**
 * The limits goship puts on what it reads. Every reader of untrusted input (manifests,
 * binaries, images, layers, registry answers, Docker config files, bake and metadata files)
 * stops at one of these with an error naming the input and the limit, never with an
 * out-of-memory crash or a hang. The README's threat model lists them.
 */
export const BOUNDS = {
  /** The most bytes read from one text file: a manifest, Dockerfile, bake, pins, metadata or Docker config file. */
  textFileBytes: 64 * 1024 * 1024,
  /** The most bytes read from one binary given to `verify` or `sbom`. */
  binaryBytes: 256 * 1024 * 1024,
  /** The most bytes one layer expands to when decompressed. */
  layerBytes: 2 * 1024 * 1024 * 1024,
  /** The most bytes of one file read out of a layer. */
  layerFileBytes: 256 * 1024 * 1024,
  /** The most bytes of a JSON blob: manifest, index, config (OCI layout or registry). */
  jsonBlobBytes: 8 * 1024 * 1024,
  /** The most bytes of any one registry answer other than a blob streamed to disk. */
  registryAnswerBytes: 8 * 1024 * 1024,
  /** The one overall deadline of a registry operation, in milliseconds (every request, redirect and retry of it). */
  registryOperationMs: 120_000,
  /** The most YAML documents in one file. */
  yamlDocuments: 250_000,
  /** The most images one index (with its nested indexes) may name. */
  images: 1_024,
  /** The most layers of one image (Docker's own limit is 125). */
  layersPerImage: 256,
  /** The deepest nesting of indexes in indexes. */
  indexNesting: 4,
  /** The most entries in one ELF table (program headers, sections, dynamic entries). */
  elfEntries: 65_536,
} as const;

/** Thrown when an input passes one of {@link BOUNDS}. */
export class BoundError extends Error {
  public constructor(input: string, what: string, limit: number | string) {
    super(`${input}: ${what} is over goship's limit of ${limit} — this is not an input goship reads; check where it came from`);
    this.name = 'BoundError';
  }
}

/**
 * Reads a regular file, at most `max` bytes. Refuses what is not a regular file (a FIFO, a
 * device such as /dev/zero, a folder) before opening it for reading, and never reads more
 * than `max + 1` bytes, so an endless or growing file cannot take the memory.
 *
 * @throws BoundError past the limit; Error for a file that is not regular
 */
export function readFileBounded(file: string, max: number = BOUNDS.textFileBytes): Buffer {
  const st = fs.statSync(file);
  if (!st.isFile()) {
    throw new Error(`${file}: not a regular file (${kindOf(st)}) — give a file`);
  }
  const fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  try {
    const opened = fs.fstatSync(fd);
    if (!opened.isFile()) {
      throw new Error(`${file}: not a regular file (${kindOf(opened)}) — give a file`);
    }
    const chunks: Buffer[] = [];
    let total = 0;
    const buf = Buffer.alloc(Math.min(1024 * 1024, max + 1));
    for (;;) {
      const n = fs.readSync(fd, buf, 0, Math.min(buf.length, max + 1 - total), null);
      if (n === 0) {
        break;
      }
      chunks.push(Buffer.from(buf.subarray(0, n)));
      total += n;
      if (total > max) {
        throw new BoundError(file, 'the file', `${max} bytes`);
      }
    }
    return Buffer.concat(chunks, total);
  } finally {
    fs.closeSync(fd);
  }
}

/** {@link readFileBounded} as UTF-8 text. */
export function readTextBounded(file: string, max: number = BOUNDS.textFileBytes): string {
  return readFileBounded(file, max).toString('utf8');
}

function kindOf(st: fs.Stats): string {
  return st.isDirectory() ? 'a folder' : st.isFIFO() ? 'a FIFO' : st.isCharacterDevice() ? 'a character device' : st.isBlockDevice() ? 'a block device'
    : st.isSocket() ? 'a socket' : 'not a file';
}
