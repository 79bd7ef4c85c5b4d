import { Platform } from '../model/platform';

/**
 * An input that is not a well-formed ELF file: not ELF at all, truncated, or with headers
 * that point outside the file.
 */
export class ElfError extends Error {
  public constructor(message: string) {
    super(message);
    this.name = 'ElfError';
  }
}

/** A program header (segment): what the kernel maps or reads when it starts the binary. */
export interface ElfSegment {
  /** `p_type`, e.g. 1 (PT_LOAD), 2 (PT_DYNAMIC), 3 (PT_INTERP). */
  readonly type: number;
  /** `p_flags`: 1 execute, 2 write, 4 read. */
  readonly flags: number;
  /** File offset of the segment's bytes. */
  readonly offset: number;
  /** Virtual address it is mapped at. */
  readonly vaddr: number;
  /** Bytes in the file. */
  readonly filesz: number;
  /** Bytes in memory (more than `filesz` for zeroed data). */
  readonly memsz: number;
}

/** A section header, with its name resolved through the section-name string table. */
export interface ElfSection {
  /** e.g. `.go.buildinfo`, `.dynstr`; empty when the name table is missing. */
  readonly name: string;
  /** `sh_type`, e.g. 8 (SHT_NOBITS: no bytes in the file). */
  readonly type: number;
  /** Virtual address, 0 when not loaded. */
  readonly addr: number;
  /** File offset. */
  readonly offset: number;
  /** Size in bytes. */
  readonly size: number;
}

/** What an ELF file says about itself, read without running it. */
export interface ElfInfo {
  /** ELF class: 32 (arm/v7, 386, mips) or 64 bits. */
  readonly bits: 32 | 64;
  /** Byte order; big-endian for s390x, ppc64, mips, mips64. */
  readonly endian: 'little' | 'big';
  /** `EI_OSABI`: 0 (System V, what Go writes for Linux) or 3 (GNU/Linux); others are other systems. */
  readonly osAbi: number;
  /** False when `EI_OSABI` names another system (FreeBSD, Solaris, …). */
  readonly linuxCompatible: boolean;
  /** `e_machine`, e.g. 62 (x86-64), 183 (AArch64), 40 (ARM), 22 (S/390). */
  readonly machine: number;
  /** The GOARCH this machine, class and byte order mean, if Go targets it. */
  readonly arch?: string;
  /** `e_type`: EXEC (fixed address), DYN (position independent or shared object), REL, CORE. */
  readonly type: 'NONE' | 'REL' | 'EXEC' | 'DYN' | 'CORE' | 'OTHER';
  /**
   * True when starting it needs the dynamic loader: a PT_INTERP segment, or DT_NEEDED
   * libraries. A `-buildmode=pie` Go binary without cgo still names an interpreter, so it is
   * dynamic too.
   */
  readonly dynamic: boolean;
  /** The loader the kernel runs first (PT_INTERP), e.g. `/lib64/ld-linux-x86-64.so.2`. */
  readonly interpreter?: string;
  /** Shared libraries it needs (DT_NEEDED), in order, e.g. `['libc.so.6']`. */
  readonly needed: readonly string[];
  /** Program headers. */
  readonly segments: readonly ElfSegment[];
  /** Section headers; empty when the file has none (they are optional for execution). */
  readonly sections: readonly ElfSection[];
}

const PT_LOAD = 1;
const PT_DYNAMIC = 2;
const PT_INTERP = 3;
const DT_NULL = 0;
const DT_NEEDED = 1;
const DT_STRTAB = 5;
const DT_STRSZ = 10;
const SHT_NULL = 0;
const SHT_NOBITS = 8;
const SHN_XINDEX = 0xffff;
const TYPES = ['NONE', 'REL', 'EXEC', 'DYN', 'CORE'] as const;
/** Other systems' `EI_OSABI` values: HP-UX, NetBSD, Solaris, AIX, IRIX, FreeBSD, Tru64, Modesto, OpenBSD. */
const NON_LINUX_OSABI: Readonly<Record<number, string>> = {
  1: 'HP-UX', 2: 'NetBSD', 6: 'Solaris', 7: 'AIX', 8: 'IRIX', 9: 'FreeBSD', 10: 'Tru64', 11: 'Novell Modesto', 12: 'OpenBSD',
};
/** More headers or dynamic entries than any real binary has: a sign of garbage. */
const MAX_ENTRIES = 65536;
/** The longest section or library name read: a crafted file cannot make 65,536 names of a megabyte each. */
const MAX_NAME = 1024;
/** The most DT_NEEDED entries read. */
const MAX_NEEDED = 1024;

/** The system an `EI_OSABI` value names, when it is not Linux. */
export function nonLinuxOsAbi(osAbi: number): string | undefined {
  return NON_LINUX_OSABI[osAbi];
}

/**
 * Reads an ELF file's identity, segments and sections, and whether it is dynamically
 * linked, from its bytes. It never executes anything.
 *
 * @throws ElfError if the input is not ELF, is truncated, or its headers point outside it
 * @example
 * const elf = readElf(fs.readFileSync('app'));
 * if (elf.dynamic) console.log(`needs ${elf.interpreter}`);
 */
export function readElf(buf: Uint8Array): ElfInfo {
  if (buf.length < 4 || buf[0] !== 0x7f || buf[1] !== 0x45 || buf[2] !== 0x4c || buf[3] !== 0x46) {
    throw new ElfError(`not an ELF file: ${describeMagic(buf)}`);
  }
  if (buf.length < 16) {
    throw new ElfError(`truncated ELF file: ${buf.length} bytes, shorter than the 16-byte identification`);
  }
  const bits = buf[4] === 1 ? 32 : buf[4] === 2 ? 64 : undefined;
  if (!bits) {
    throw new ElfError(`invalid ELF class ${buf[4]} (expected 1 for 32-bit or 2 for 64-bit)`);
  }
  const endian = buf[5] === 1 ? 'little' : buf[5] === 2 ? 'big' : undefined;
  if (!endian) {
    throw new ElfError(`invalid ELF byte order ${buf[5]} (expected 1 for little-endian or 2 for big-endian)`);
  }
  const r = new Reader(buf, bits, endian);
  const headerSize = bits === 64 ? 64 : 52;
  r.need(0, headerSize, 'the ELF header');
  const osAbi = buf[7];
  const typeCode = r.u16(16);
  const machine = r.u16(18);
  const phoff = r.word(bits === 64 ? 32 : 28);
  const shoff = r.word(bits === 64 ? 40 : 32);
  const at = bits === 64 ? 54 : 42;
  const phentsize = r.u16(at);
  const phnum = r.u16(at + 2);
  const shentsize = r.u16(at + 4);
  const shnum = r.u16(at + 6);
  const shstrndx = r.u16(at + 8);

  const segments = readSegments(r, phoff, phentsize, phnum);
  const sections = readSections(r, shoff, shentsize, shnum, shstrndx);
  const interp = segments.find((s) => s.type === PT_INTERP);
  const interpreter = interp ? r.cstring(interp.offset, interp.filesz, 'the PT_INTERP segment') : undefined;
  const needed = readNeeded(r, segments);

  return {
    bits,
    endian,
    osAbi,
    linuxCompatible: nonLinuxOsAbi(osAbi) === undefined,
    machine,
    arch: Platform.archForElf(machine, bits, endian),
    type: TYPES[typeCode] ?? 'OTHER',
    dynamic: interpreter !== undefined || needed.length > 0,
    interpreter,
    needed,
    segments,
    sections,
  };
}

/** The section with this name, if the file has section headers and one of them is it. */
export function findSection(elf: ElfInfo, name: string): ElfSection | undefined {
  return elf.sections.find((s) => s.name === name);
}

/**
 * Maps a virtual address to a file offset through the PT_LOAD segments.
 *
 * @returns the offset and how many bytes of the file follow it in that segment, or undefined
 */
export function fileRangeAt(elf: ElfInfo, vaddr: number): { offset: number; length: number } | undefined {
  for (const s of elf.segments) {
    if (s.type === PT_LOAD && vaddr >= s.vaddr && vaddr < s.vaddr + s.filesz) {
      return { offset: s.offset + (vaddr - s.vaddr), length: s.filesz - (vaddr - s.vaddr) };
    }
  }
  return undefined;
}

/** The first writable, non-executable PT_LOAD segment: where Go's linker puts data. */
export function firstDataSegment(elf: ElfInfo): ElfSegment | undefined {
  return elf.segments.find((s) => s.type === PT_LOAD && (s.flags & 3) === 2);
}

function readSegments(r: Reader, phoff: number, entsize: number, num: number): ElfSegment[] {
  if (num === 0) {
    return [];
  }
  const min = r.bits === 64 ? 56 : 32;
  if (entsize < min) {
    throw new ElfError(`invalid program header size ${entsize} (at least ${min} expected)`);
  }
  r.need(phoff, entsize * num, `${num} program headers`);
  const out: ElfSegment[] = [];
  for (let i = 0; i < num; i++) {
    const o = phoff + i * entsize;
    const seg = r.bits === 64
      ? { type: r.u32(o), flags: r.u32(o + 4), offset: r.word(o + 8), vaddr: r.word(o + 16), filesz: r.word(o + 32), memsz: r.word(o + 40) }
      : { type: r.u32(o), offset: r.u32(o + 4), vaddr: r.u32(o + 8), filesz: r.u32(o + 16), memsz: r.u32(o + 20), flags: r.u32(o + 24) };
    if (seg.type === PT_INTERP || seg.type === PT_DYNAMIC) {
      r.need(seg.offset, seg.filesz, `the ${seg.type === PT_INTERP ? 'PT_INTERP' : 'PT_DYNAMIC'} segment`);
    }
    out.push(seg);
  }
  return out;
}

function readSections(r: Reader, shoff: number, entsize: number, shnum: number, shstrndx: number): ElfSection[] {
  if (shoff === 0) {
    return [];
  }
  const min = r.bits === 64 ? 64 : 40;
  if (entsize < min) {
    throw new ElfError(`invalid section header size ${entsize} (at least ${min} expected)`);
  }
  const raw = (i: number): { nameOff: number; type: number; addr: number; offset: number; size: number; link: number } => {
    const o = shoff + i * entsize;
    r.need(o, entsize, `section header ${i}`);
    return r.bits === 64
      ? { nameOff: r.u32(o), type: r.u32(o + 4), addr: r.word(o + 16), offset: r.word(o + 24), size: r.word(o + 32), link: r.u32(o + 40) }
      : { nameOff: r.u32(o), type: r.u32(o + 4), addr: r.u32(o + 12), offset: r.u32(o + 16), size: r.u32(o + 20), link: r.u32(o + 24) };
  };
  // With more than 0xff00 sections, the count and the name-table index live in section 0.
  const count = shnum === 0 ? raw(0).size : shnum;
  const nameIndex = shstrndx === SHN_XINDEX ? raw(0).link : shstrndx;
  if (count > MAX_ENTRIES) {
    throw new ElfError(`implausible section count ${count}`);
  }
  const headers = Array.from({ length: count }, (_, i) => raw(i));
  const names = headers[nameIndex];
  if (names && names.type !== SHT_NOBITS) {
    r.need(names.offset, names.size, 'the section name table');
  }
  return headers.map((h) => {
    if (h.type !== SHT_NOBITS && h.type !== SHT_NULL && h.size > 0) {
      r.need(h.offset, h.size, `section ${h.nameOff}`);
    }
    const name = names && names.type !== SHT_NOBITS && h.nameOff < names.size
      ? r.cstring(names.offset + h.nameOff, names.size - h.nameOff, 'a section name')
      : '';
    return { name, type: h.type, addr: h.addr, offset: h.offset, size: h.type === SHT_NOBITS ? 0 : h.size };
  });
}

/** DT_NEEDED names, read through DT_STRTAB, which is mapped to the file by the PT_LOAD segments. */
function readNeeded(r: Reader, segments: readonly ElfSegment[]): string[] {
  const dyn = segments.find((s) => s.type === PT_DYNAMIC);
  if (!dyn) {
    return [];
  }
  const size = r.bits === 64 ? 16 : 8;
  const count = Math.min(Math.floor(dyn.filesz / size), MAX_ENTRIES);
  const neededOffsets: number[] = [];
  let strtab: number | undefined;
  let strsz: number | undefined;
  for (let i = 0; i < count; i++) {
    const o = dyn.offset + i * size;
    const tag = r.word(o);
    const val = r.word(o + size / 2);
    if (tag === DT_NULL) {
      break;
    }
    if (tag === DT_NEEDED) {
      if (neededOffsets.length >= MAX_NEEDED) {
        throw new ElfError(`more than ${MAX_NEEDED} needed libraries (DT_NEEDED): over goship's limit, not a binary goship reads`);
      }
      neededOffsets.push(val);
    } else if (tag === DT_STRTAB) {
      strtab = val;
    } else if (tag === DT_STRSZ) {
      strsz = val;
    }
  }
  if (neededOffsets.length === 0) {
    return [];
  }
  if (strtab === undefined) {
    throw new ElfError('the dynamic section lists needed libraries (DT_NEEDED) but has no string table (DT_STRTAB)');
  }
  const range = fileRangeAt({ segments } as ElfInfo, strtab);
  if (!range) {
    throw new ElfError(`the dynamic string table address 0x${strtab.toString(16)} is not in any loaded segment`);
  }
  const limit = Math.min(range.length, strsz ?? range.length);
  return neededOffsets.map((off) => {
    if (off >= limit) {
      throw new ElfError(`a needed library name (offset ${off}) lies outside the dynamic string table (${limit} bytes)`);
    }
    return r.cstring(range.offset + off, limit - off, 'a needed library name');
  });
}

/** Bounds-checked reads: every read past the end becomes an ElfError, never a RangeError. */
class Reader {
  private readonly view: DataView;
  private readonly little: boolean;

  public constructor(private readonly buf: Uint8Array, public readonly bits: 32 | 64, endian: 'little' | 'big') {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    this.little = endian === 'little';
  }

  public need(offset: number, length: number, what: string): void {
    if (offset < 0 || length < 0 || offset + length > this.buf.length) {
      throw new ElfError(`truncated or corrupt ELF file: ${what} (bytes ${offset}..${offset + length}) lies beyond its end (${this.buf.length} bytes)`);
    }
  }

  public u16(offset: number): number {
    this.need(offset, 2, 'a 16-bit field');
    return this.view.getUint16(offset, this.little);
  }

  public u32(offset: number): number {
    this.need(offset, 4, 'a 32-bit field');
    return this.view.getUint32(offset, this.little);
  }

  /** An address, offset or size: 4 bytes in ELF32, 8 in ELF64. */
  public word(offset: number): number {
    if (this.bits === 32) {
      return this.u32(offset);
    }
    this.need(offset, 8, 'a 64-bit field');
    const v = this.view.getBigUint64(offset, this.little);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new ElfError(`corrupt ELF file: value 0x${v.toString(16)} at offset ${offset} is too large to be an offset or size`);
    }
    return Number(v);
  }

  /** A NUL-terminated string within `[offset, offset + max)`. */
  public cstring(offset: number, max: number, what: string): string {
    this.need(offset, Math.min(max, 1), what);
    const end = Math.min(offset + max, this.buf.length);
    let i = offset;
    while (i < end && this.buf[i] !== 0) {
      if (i - offset >= MAX_NAME) {
        throw new ElfError(`${what} at offset ${offset} is longer than ${MAX_NAME} bytes: over goship's limit, not a binary goship reads`);
      }
      i++;
    }
    return Buffer.from(this.buf.buffer, this.buf.byteOffset + offset, i - offset).toString('utf8');
  }
}

/** Names what a non-ELF file probably is, so the message says more than "bad magic". */
export function describeMagic(buf: Uint8Array): string {
  const starts = (...bytes: number[]): boolean => bytes.every((b, i) => buf[i] === b);
  if (buf.length === 0) {
    return 'the file is empty';
  }
  if (starts(0x23, 0x21)) {
    const line = Buffer.from(buf.subarray(0, Math.min(buf.length, 80))).toString('utf8').split('\n')[0];
    return `it is a script (${line}), which needs its interpreter in the image`;
  }
  if (starts(0x4d, 0x5a)) {
    return 'it is a Windows PE executable (build with GOOS=linux)';
  }
  if (starts(0xcf, 0xfa, 0xed, 0xfe) || starts(0xce, 0xfa, 0xed, 0xfe) || starts(0xca, 0xfe, 0xba, 0xbe)) {
    return 'it is a macOS Mach-O executable (build with GOOS=linux)';
  }
  if (starts(0x1f, 0x8b)) {
    return 'it is gzip-compressed data';
  }
  if (buf.length >= 262 && Buffer.from(buf.subarray(257, 262)).toString('latin1') === 'ustar') {
    return 'it is a tar archive';
  }
  const hex = Buffer.from(buf.subarray(0, 4)).toString('hex');
  return `it starts with 0x${hex}, not the ELF magic 0x7f454c46`;
}
