/**
 * Writes small ELF files for tests: only the headers and tables a loader (and goship's
 * reader) looks at, in either class and byte order.
 */
export interface ElfSpec {
  /** @default 64 */
  readonly bits?: 32 | 64;
  /** @default 'little' */
  readonly endian?: 'little' | 'big';
  /** `e_machine`. @default 62 (x86-64) */
  readonly machine?: number;
  /** `e_type`. @default 2 (EXEC) */
  readonly type?: number;
  /** `EI_OSABI`. @default 0 */
  readonly osAbi?: number;
  /** A PT_INTERP segment naming this loader. */
  readonly interpreter?: string;
  /** DT_NEEDED entries (a PT_DYNAMIC segment is written when set). */
  readonly needed?: readonly string[];
  /** Write a PT_DYNAMIC segment even without DT_NEEDED (a static-pie). @default - only with `needed` */
  readonly dynamicSegment?: boolean;
  /** Bytes placed 16-byte aligned in a `.go.buildinfo` section (or, without sections, just in the file). */
  readonly goBuildInfo?: Uint8Array;
  /** Write section headers (`.interp`, `.dynstr`, `.dynamic`, `.go.buildinfo`, `.shstrtab`). @default true */
  readonly sections?: boolean;
}

const BASE = 0x400000;
const PT_LOAD = 1;
const PT_DYNAMIC = 2;
const PT_INTERP = 3;

/** Builds the ELF file described by `spec`. */
export function buildElf(spec: ElfSpec = {}): Uint8Array {
  const bits = spec.bits ?? 64;
  const little = (spec.endian ?? 'little') === 'little';
  const ehsize = bits === 64 ? 64 : 52;
  const phentsize = bits === 64 ? 56 : 32;
  const shentsize = bits === 64 ? 64 : 40;
  const dynentsize = bits === 64 ? 16 : 8;
  const withDynamic = (spec.needed?.length ?? 0) > 0 || spec.dynamicSegment === true;
  const phnum = 1 + (spec.interpreter !== undefined ? 1 : 0) + (withDynamic ? 1 : 0);

  // Lay the pieces out one after another.
  let cursor = ehsize + phnum * phentsize;
  const place = (size: number, align = 1): number => {
    cursor = Math.ceil(cursor / align) * align;
    const at = cursor;
    cursor += size;
    return at;
  };
  const interp = spec.interpreter !== undefined ? Buffer.from(`${spec.interpreter}\0`) : undefined;
  const interpAt = interp ? place(interp.length) : 0;
  const needed = spec.needed ?? [];
  const dynstr = Buffer.from(`\0${needed.map((n) => `${n}\0`).join('')}`);
  const dynstrAt = withDynamic ? place(dynstr.length) : 0;
  const dynEntries: Array<[number, number]> = [];
  if (withDynamic) {
    let off = 1;
    for (const n of needed) {
      dynEntries.push([1, off]);
      off += n.length + 1;
    }
    dynEntries.push([5, BASE + dynstrAt], [10, dynstr.length], [0, 0]);
  }
  const dynamicAt = withDynamic ? place(dynEntries.length * dynentsize, 8) : 0;
  const bi = spec.goBuildInfo;
  const biAt = bi ? place(bi.length, 16) : 0;
  const withSections = spec.sections ?? true;
  const sectionList: Array<{ name: string; type: number; at: number; size: number }> = [];
  if (withSections) {
    if (interp) {
      sectionList.push({ name: '.interp', type: 1, at: interpAt, size: interp.length });
    }
    if (withDynamic) {
      sectionList.push({ name: '.dynstr', type: 3, at: dynstrAt, size: dynstr.length });
      sectionList.push({ name: '.dynamic', type: 6, at: dynamicAt, size: dynEntries.length * dynentsize });
    }
    if (bi) {
      sectionList.push({ name: '.go.buildinfo', type: 1, at: biAt, size: bi.length });
    }
  }
  const shstr = Buffer.from(`\0${[...sectionList.map((s) => s.name), '.shstrtab'].map((n) => `${n}\0`).join('')}`);
  const shstrAt = withSections ? place(shstr.length) : 0;
  if (withSections) {
    sectionList.push({ name: '.shstrtab', type: 3, at: shstrAt, size: shstr.length });
  }
  const shoff = withSections ? place((sectionList.length + 1) * shentsize, 8) : 0;
  const size = cursor;

  const buf = new Uint8Array(size);
  const view = new DataView(buf.buffer);
  const u16 = (o: number, v: number): void => view.setUint16(o, v, little);
  const u32 = (o: number, v: number): void => view.setUint32(o, v, little);
  const word = (o: number, v: number): void => (bits === 64 ? view.setBigUint64(o, BigInt(v), little) : view.setUint32(o, v, little));

  buf.set([0x7f, 0x45, 0x4c, 0x46, bits === 64 ? 2 : 1, little ? 1 : 2, 1, spec.osAbi ?? 0]);
  u16(16, spec.type ?? 2);
  u16(18, spec.machine ?? 62);
  u32(20, 1);
  word(24, BASE + size); // e_entry: anywhere plausible
  word(bits === 64 ? 32 : 28, ehsize); // e_phoff
  word(bits === 64 ? 40 : 32, shoff);
  const at = bits === 64 ? 52 : 40;
  u16(at, ehsize);
  u16(at + 2, phentsize);
  u16(at + 4, phnum);
  u16(at + 6, withSections ? shentsize : 0);
  u16(at + 8, withSections ? sectionList.length + 1 : 0);
  u16(at + 10, withSections ? sectionList.length : 0);

  let ph = ehsize;
  const segment = (type: number, flags: number, offset: number, filesz: number): void => {
    if (bits === 64) {
      u32(ph, type);
      u32(ph + 4, flags);
      word(ph + 8, offset);
      word(ph + 16, BASE + offset);
      word(ph + 24, BASE + offset);
      word(ph + 32, filesz);
      word(ph + 40, filesz);
      word(ph + 48, type === PT_LOAD ? 0x1000 : 8);
    } else {
      u32(ph, type);
      u32(ph + 4, offset);
      u32(ph + 8, BASE + offset);
      u32(ph + 12, BASE + offset);
      u32(ph + 16, filesz);
      u32(ph + 20, filesz);
      u32(ph + 24, flags);
      u32(ph + 28, type === PT_LOAD ? 0x1000 : 4);
    }
    ph += phentsize;
  };
  if (interp) {
    segment(PT_INTERP, 4, interpAt, interp.length);
    buf.set(interp, interpAt);
  }
  segment(PT_LOAD, 5, 0, size);
  if (withDynamic) {
    segment(PT_DYNAMIC, 6, dynamicAt, dynEntries.length * dynentsize);
    buf.set(dynstr, dynstrAt);
    dynEntries.forEach(([tag, val], i) => {
      word(dynamicAt + i * dynentsize, tag);
      word(dynamicAt + i * dynentsize + dynentsize / 2, val);
    });
  }
  if (bi) {
    buf.set(bi, biAt);
  }
  if (withSections) {
    buf.set(shstr, shstrAt);
    let nameOff = 1;
    sectionList.forEach((s, i) => {
      const o = shoff + (i + 1) * shentsize;
      u32(o, nameOff);
      u32(o + 4, s.type);
      if (bits === 64) {
        word(o + 16, s.name === '.shstrtab' ? 0 : BASE + s.at);
        word(o + 24, s.at);
        word(o + 32, s.size);
      } else {
        u32(o + 12, s.name === '.shstrtab' ? 0 : BASE + s.at);
        u32(o + 16, s.at);
        u32(o + 20, s.size);
      }
      nameOff += s.name.length + 1;
    });
  }
  return buf;
}

/** Go ≥ 1.18's inline build-info blob: the 32-byte header, then the two varint-prefixed strings. */
export function goBuildInfoBlob(goVersion: string, modinfo: string, opts: { inline?: boolean; ptrSize?: 4 | 8 } = {}): Uint8Array {
  const header = Buffer.alloc(32);
  header.write('\xff Go buildinf:', 0, 'latin1');
  header[14] = opts.ptrSize ?? 8;
  header[15] = (opts.inline ?? true) ? 2 : 0;
  if (opts.inline === false) {
    return header;
  }
  const sentinel = Buffer.alloc(16, 0xa5);
  const framed = modinfo ? Buffer.concat([sentinel, Buffer.from(modinfo), sentinel]) : Buffer.alloc(0);
  return Buffer.concat([header, varString(Buffer.from(goVersion)), varString(framed)]);
}

function varString(b: Buffer): Buffer {
  const len: number[] = [];
  let n = b.length;
  while (n >= 0x80) {
    len.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  len.push(n);
  return Buffer.concat([Buffer.from(len), b]);
}

/** Module info as `go version -m` shows it, for a main module with one dependency. */
export function sampleModInfo(settings: Readonly<Record<string, string>>): string {
  return [
    'path\texample.com/hello',
    'mod\texample.com/hello\t(devel)\t',
    'dep\tgolang.org/x/sys\tv0.1.0\th1:abc=',
    ...Object.entries(settings).map(([k, v]) => `build\t${k}=${v}`),
    '',
  ].join('\n');
}
