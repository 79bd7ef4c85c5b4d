import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';
import { extract } from 'tar-stream';

/** One file in an image layer. */
export interface LayerEntry {
  readonly name: string;
  readonly type: string;
  readonly size: number;
}

/** The layers of one image, as a registry would store them. */
export interface ImageLayers {
  /** Uncompressed layer tar sizes (what `docker images` adds up). */
  readonly tarBytes: number[];
  /** The same layers gzipped (level 6, as pushed to a registry). */
  readonly gzipBytes: number[];
  /** Every entry of every layer. */
  readonly entries: LayerEntry[];
  /** The bytes of `/app`, if the image has it. */
  readonly app?: Buffer;
}

/** Reads the single image of an OCI layout folder whose layers were pushed uncompressed. */
export async function readOciImage(dir: string): Promise<ImageLayers> {
  const blob = (digest: string) => path.join(dir, 'blobs', ...digest.split(':'));
  const index = JSON.parse(fs.readFileSync(path.join(dir, 'index.json'), 'utf8'));
  const manifest = JSON.parse(fs.readFileSync(blob(index.manifests[0].digest), 'utf8'));
  const tarBytes: number[] = [];
  const gzipBytes: number[] = [];
  const entries: LayerEntry[] = [];
  let app: Buffer | undefined;
  for (const layer of manifest.layers as Array<{ digest: string; mediaType: string }>) {
    let data = fs.readFileSync(blob(layer.digest));
    if (layer.mediaType.endsWith('gzip')) {
      data = zlib.gunzipSync(data);
    }
    tarBytes.push(data.length);
    gzipBytes.push(zlib.gzipSync(data, { level: 6 }).length);
    for (const e of await tarEntries(data)) {
      entries.push({ name: e.name, type: e.type, size: e.size });
      if (e.name === 'app' && e.data) {
        app = e.data;
      }
    }
  }
  return { tarBytes, gzipBytes, entries, app };
}

function tarEntries(data: Buffer): Promise<Array<LayerEntry & { data?: Buffer }>> {
  return new Promise((resolve, reject) => {
    const out: Array<LayerEntry & { data?: Buffer }> = [];
    const ex = extract();
    ex.on('entry', (header, stream, next) => {
      const name = header.name.replace(/^\.?\//, '').replace(/\/$/, '');
      const chunks: Buffer[] = [];
      stream.on('data', (c: unknown) => { if (name === 'app') chunks.push(c as Buffer); });
      stream.on('end', () => {
        out.push({ name, type: header.type ?? 'file', size: header.size ?? 0, data: name === 'app' ? Buffer.concat(chunks) : undefined });
        next();
      });
      stream.resume();
    });
    ex.on('finish', () => resolve(out));
    ex.on('error', reject);
    ex.end(data);
  });
}

/** The ELF machine of a binary: `x86-64`, `aarch64`, … */
export function elfMachine(binary: Buffer): string {
  if (binary.length < 20 || binary.readUInt32BE(0) !== 0x7f454c46) {
    return 'not ELF';
  }
  const machine = binary[5] === 2 ? binary.readUInt16BE(18) : binary.readUInt16LE(18);
  return ({ 0x3e: 'x86-64', 0xb7: 'aarch64', 0x28: 'arm', 0x03: 'i386', 0xf3: 'riscv64', 0x15: 'ppc64', 0x16: 's390x' } as Record<number, string>)[machine] ?? `machine ${machine}`;
}

/** True when the binary has no program interpreter (PT_INTERP): statically linked. */
export function elfIsStatic(binary: Buffer): boolean {
  if (binary.length < 64 || binary[4] !== 2) {
    return false; // only 64-bit ELF is read here
  }
  const le = binary[5] === 1;
  const u16 = (o: number) => (le ? binary.readUInt16LE(o) : binary.readUInt16BE(o));
  const u32 = (o: number) => (le ? binary.readUInt32LE(o) : binary.readUInt32BE(o));
  const phoff = Number(le ? binary.readBigUInt64LE(32) : binary.readBigUInt64BE(32));
  const phentsize = u16(54);
  const phnum = u16(56);
  for (let i = 0; i < phnum; i++) {
    if (u32(phoff + i * phentsize) === 3) {
      return false;
    }
  }
  return true;
}
