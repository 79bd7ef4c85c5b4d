import { promises as fsp } from 'fs';
import * as posix from 'path/posix';

/** A byte range of a file on disk: a blob in an OCI layout directory, or a member of a tarball. */
export interface ByteRange {
  /** The file that holds the bytes. */
  readonly file: string;
  /** Offset of the first byte. */
  readonly start: number;
  /** Length in bytes. */
  readonly size: number;
}

/** An image (or image tarball) that cannot be read: missing files, bad JSON, a corrupt tar. */
export class ImageError extends Error {
  public constructor(message: string) {
    super(message);
    this.name = 'ImageError';
  }
}

const BLOCK = 512;

/** `./a//b/../c/` → `/a/c`: the absolute, clean form used for every path inside archives and images. */
export function cleanPath(p: string): string {
  return posix.normalize(`/${p}`).replace(/\/+$/, '') || '/';
}

/** True when the first block of `head` is a tar header (its checksum matches). */
export function looksLikeTar(head: Uint8Array): boolean {
  return head.length >= BLOCK && checksumOk(Buffer.from(head.buffer, head.byteOffset, BLOCK));
}

/**
 * Lists the regular files of an uncompressed tar file with where their bytes are, so that
 * members can be read in any order without reading the whole archive (an image tarball can
 * be gigabytes; only its JSON files and one or two layers are needed).
 *
 * Understands ustar names with prefix, GNU long names and pax `path`/`size` records.
 *
 * @throws ImageError if the file is not a tar archive or is truncated
 */
export async function indexTar(file: string): Promise<Map<string, ByteRange>> {
  const out = new Map<string, ByteRange>();
  const handle = await fsp.open(file, 'r');
  try {
    const { size: total } = await handle.stat();
    const header = Buffer.alloc(BLOCK);
    let offset = 0;
    let longName: string | undefined;
    let pax: Record<string, string> = {};
    while (offset + BLOCK <= total) {
      await readExactly(handle, header, offset, file);
      if (header.every((b) => b === 0)) {
        break;
      }
      if (!checksumOk(header)) {
        throw new ImageError(`${file}: not a tar archive, or corrupt at byte ${offset} (bad header checksum)`);
      }
      const type = String.fromCharCode(header[156] || 0x30);
      const size = pax.size !== undefined ? Number(pax.size) : parseNumber(header.subarray(124, 136));
      const dataStart = offset + BLOCK;
      if (!Number.isSafeInteger(size) || size < 0 || dataStart + size > total) {
        throw new ImageError(`${file}: truncated tar archive (a member at byte ${offset} needs ${size} bytes, the file ends at ${total})`);
      }
      const next = dataStart + Math.ceil(size / BLOCK) * BLOCK;
      if (type === 'L' || type === 'x') {
        const body = Buffer.alloc(size);
        await readExactly(handle, body, dataStart, file);
        if (type === 'L') {
          longName = body.toString('utf8').replace(/\0.*$/s, '');
        } else {
          pax = parsePax(body);
        }
        offset = next;
        continue;
      }
      const name = pax.path ?? longName ?? ustarName(header);
      if (type === '0' || type === '7') {
        out.set(cleanPath(name), { file, start: dataStart, size });
      }
      longName = undefined;
      pax = {};
      offset = next;
    }
    return out;
  } finally {
    await handle.close();
  }
}

/** Reads the first `n` bytes of a range (fewer if it is shorter). */
export async function readHead(range: ByteRange, n: number): Promise<Buffer> {
  const handle = await fsp.open(range.file, 'r');
  try {
    const buf = Buffer.alloc(Math.min(n, range.size));
    const { bytesRead } = await handle.read(buf, 0, buf.length, range.start);
    return buf.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

async function readExactly(handle: fsp.FileHandle, buf: Buffer, position: number, file: string): Promise<void> {
  const { bytesRead } = await handle.read(buf, 0, buf.length, position);
  if (bytesRead !== buf.length) {
    throw new ImageError(`${file}: truncated tar archive at byte ${position}`);
  }
}

function checksumOk(header: Buffer): boolean {
  const stored = parseNumber(header.subarray(148, 156));
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) {
    sum += i >= 148 && i < 156 ? 0x20 : header[i];
  }
  return stored === sum;
}

/** Octal, NUL/space padded; or GNU base-256 when the high bit of the first byte is set. */
function parseNumber(field: Buffer): number {
  if (field[0] & 0x80) {
    let n = field[0] & 0x7f;
    for (let i = 1; i < field.length; i++) {
      n = n * 256 + field[i];
    }
    return n;
  }
  const text = field.toString('latin1').replace(/[\0 ].*$/s, '').trim();
  return text === '' ? 0 : parseInt(text, 8);
}

function ustarName(header: Buffer): string {
  const str = (a: number, b: number): string => header.subarray(a, b).toString('utf8').replace(/\0.*$/s, '');
  const name = str(0, 100);
  // POSIX ustar ("ustar\0") has a name prefix; old GNU headers ("ustar  ") keep other fields there.
  const prefix = header.subarray(257, 263).toString('latin1') === 'ustar\0' ? str(345, 500) : '';
  return prefix ? `${prefix}/${name}` : name;
}

/** pax records: `<length> <key>=<value>\n`, the length counting the whole record. */
function parsePax(body: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  let i = 0;
  while (i < body.length) {
    const space = body.indexOf(0x20, i);
    const len = space > i ? parseInt(body.subarray(i, space).toString('latin1'), 10) : NaN;
    if (!Number.isSafeInteger(len) || len <= 0 || i + len > body.length) {
      break;
    }
    const record = body.subarray(space + 1, i + len - 1).toString('utf8');
    const eq = record.indexOf('=');
    if (eq > 0) {
      out[record.slice(0, eq)] = record.slice(eq + 1);
    }
    i += len;
  }
  return out;
}
