import * as fs from 'fs';
import * as fc from 'fast-check';
import { ElfError, findSection, readElf } from '../../lib/inspect/elf';
import { describeWithGo, GoBinaries, goBinaries } from '../verify/go-binaries';
import { buildElf } from './elf-builder';

describe('readElf on crafted headers', () => {
  test.each([
    [64, 'little', 62, 'amd64'],
    [64, 'little', 183, 'arm64'],
    [32, 'little', 40, 'arm'],
    [32, 'little', 3, '386'],
    [64, 'big', 22, 's390x'],
    [64, 'big', 21, 'ppc64'],
    [64, 'little', 21, 'ppc64le'],
    [32, 'big', 8, 'mips'],
    [64, 'little', 243, 'riscv64'],
  ] as const)('GIVEN a static %i-bit %s-endian machine %i WHEN read THEN it is %s and static', (bits, endian, machine, arch) => {
    const elf = readElf(buildElf({ bits, endian, machine }));

    expect(elf).toMatchObject({ bits, endian, machine, arch, type: 'EXEC', dynamic: false, needed: [] });
    expect(elf.interpreter).toBeUndefined();
  });

  test.each([[32, 'little'], [32, 'big'], [64, 'little'], [64, 'big']] as const)(
    'GIVEN a %i-bit %s-endian binary with PT_INTERP and DT_NEEDED WHEN read THEN both are reported', (bits, endian) => {
      const elf = readElf(buildElf({ bits, endian, machine: bits === 64 ? 62 : 40, interpreter: '/lib/ld-linux.so.3', needed: ['libc.so.6', 'libm.so.6'] }));

      expect(elf.dynamic).toBe(true);
      expect(elf.interpreter).toBe('/lib/ld-linux.so.3');
      expect(elf.needed).toEqual(['libc.so.6', 'libm.so.6']);
    });

  it('GIVEN no section headers WHEN read THEN DT_NEEDED is still found through the loaded segments', () => {
    const elf = readElf(buildElf({ needed: ['libc.so.6'], sections: false }));

    expect(elf.sections).toEqual([]);
    expect(elf.needed).toEqual(['libc.so.6']);
    expect(elf.dynamic).toBe(true);
  });

  it('GIVEN only PT_INTERP (a -buildmode=pie binary without cgo) WHEN read THEN it is dynamic', () => {
    const elf = readElf(buildElf({ type: 3, interpreter: '/lib64/ld-linux-x86-64.so.2', dynamicSegment: true }));

    expect(elf).toMatchObject({ type: 'DYN', dynamic: true, needed: [], interpreter: '/lib64/ld-linux-x86-64.so.2' });
  });

  it('GIVEN PT_DYNAMIC without PT_INTERP or DT_NEEDED (a static-pie) WHEN read THEN it is static', () => {
    const elf = readElf(buildElf({ type: 3, dynamicSegment: true }));

    expect(elf).toMatchObject({ type: 'DYN', dynamic: false });
  });

  it('GIVEN section headers WHEN read THEN sections are named', () => {
    const elf = readElf(buildElf({ needed: ['libc.so.6'], goBuildInfo: new Uint8Array(32) }));

    expect(elf.sections.map((s) => s.name)).toEqual(['', '.dynstr', '.dynamic', '.go.buildinfo', '.shstrtab']);
    expect(findSection(elf, '.go.buildinfo')?.size).toBe(32);
  });

  it('GIVEN a FreeBSD OS/ABI WHEN read THEN it is not Linux-compatible', () => {
    expect(readElf(buildElf({ osAbi: 9 })).linuxCompatible).toBe(false);
    expect(readElf(buildElf({ osAbi: 3 })).linuxCompatible).toBe(true);
  });
});

describe('readElf on bad input', () => {
  const good = buildElf({ interpreter: '/lib64/ld-linux-x86-64.so.2', needed: ['libc.so.6'] });

  test.each([
    ['empty', new Uint8Array(0), /not an ELF file: the file is empty/],
    ['a shell script', Buffer.from('#!/bin/sh\necho hi\n'), /not an ELF file: it is a script \(#!\/bin\/sh\)/],
    ['a Windows binary', Buffer.from('MZ\x90\x00'), /Windows PE executable/],
    ['a Mach-O binary', Buffer.from([0xcf, 0xfa, 0xed, 0xfe, 7, 0, 0, 1]), /macOS Mach-O/],
    ['random text', Buffer.from('hello world'), /starts with 0x68656c6c/],
    ['only the magic', Buffer.from([0x7f, 0x45, 0x4c, 0x46]), /truncated ELF file: 4 bytes/],
    ['a bad class', Buffer.from([0x7f, 0x45, 0x4c, 0x46, 9, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0]), /invalid ELF class 9/],
    ['a bad byte order', Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 7, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0]), /invalid ELF byte order 7/],
    ['a header cut short', good.subarray(0, 40), /the ELF header .* lies beyond its end \(40 bytes\)/],
    ['program headers cut short', good.subarray(0, 100), /program headers .* beyond its end/],
  ])('fails if the input is %s, with an ElfError', (_, input, message) => {
    expect(() => readElf(input)).toThrow(ElfError);
    expect(() => readElf(input)).toThrow(message);
  });

  it('fails if a program header points past the end, with an ElfError', () => {
    const bad = Buffer.from(good);
    bad.writeBigUInt64LE(0xffffffffn, 64 + 8); // PT_INTERP p_offset
    expect(() => readElf(bad)).toThrow(/PT_INTERP segment .* beyond its end/);
  });

  it('fails if an offset is larger than any file, with an ElfError', () => {
    const bad = Buffer.from(good);
    bad.writeBigUInt64LE(0xffffffffffffffffn, 32); // e_phoff
    expect(() => readElf(bad)).toThrow(/too large to be an offset/);
  });

  it('fails if DT_STRTAB is outside every loaded segment, with an ElfError', () => {
    const elf = buildElf({ needed: ['libc.so.6'], sections: false });
    const buf = Buffer.from(elf);
    const info = readElf(elf);
    const dyn = info.segments.find((s) => s.type === 2)!;
    buf.writeBigUInt64LE(0x10n, dyn.offset + 16 + 8); // the DT_STRTAB entry's value
    expect(() => readElf(buf)).toThrow(/dynamic string table address 0x10 is not in any loaded segment/);
  });

  it('never throws anything but ElfError on random bytes behind an ELF identification', () => {
    fc.assert(fc.property(fc.constantFrom(1, 2), fc.constantFrom(1, 2), fc.uint8Array({ maxLength: 400 }), (cls, order, rest) => {
      const input = Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, cls, order, 1, 0]), Buffer.from(rest)]);
      try {
        readElf(input);
      } catch (e) {
        return e instanceof ElfError;
      }
      return true;
    }), { numRuns: 2000, seed: 42 });
  });

  it('never throws anything but ElfError on any truncation or single-byte corruption', () => {
    const failures: string[] = [];
    const check = (b: Uint8Array, what: string): void => {
      try {
        readElf(b);
      } catch (e) {
        if (!(e instanceof ElfError)) {
          failures.push(`${what}: ${String(e)}`);
        }
      }
    };
    for (let n = 0; n < good.length; n++) {
      check(good.subarray(0, n), `first ${n} bytes`);
    }
    for (let i = 0; i < 128; i++) {
      for (const v of [0x00, 0x7f, 0xff]) {
        const b = Buffer.from(good);
        b[i] = v;
        check(b, `byte ${i} = ${v}`);
      }
    }
    expect(failures).toEqual([]);
  });
});

describeWithGo('readElf on real Go binaries', () => {
  let bins: GoBinaries;
  beforeAll(() => {
    bins = goBinaries();
  }, 15 * 60 * 1000);
  const read = (file: string): ReturnType<typeof readElf> => readElf(fs.readFileSync(file));

  test.each([
    ['amd64', 64, 'little'],
    ['arm64', 64, 'little'],
    ['armv7', 32, 'little'],
    ['s390x', 64, 'big'],
  ] as const)('GIVEN a CGO_ENABLED=0 build for %s WHEN read THEN it is a static %i-bit %s-endian executable', (name, bits, endian) => {
    const elf = read(bins[name]);

    expect(elf).toMatchObject({ bits, endian, arch: name === 'armv7' ? 'arm' : name, type: 'EXEC', dynamic: false, needed: [] });
    expect(findSection(elf, '.go.buildinfo')).toBeDefined();
  });

  it('GIVEN a cgo build WHEN read THEN it needs the glibc loader and libc.so.6', () => {
    const elf = read(bins.cgo);

    expect(elf.dynamic).toBe(true);
    expect(elf.interpreter).toBe('/lib64/ld-linux-x86-64.so.2');
    expect(elf.needed).toContain('libc.so.6');
  });

  it('GIVEN a -buildmode=pie build without cgo WHEN read THEN it is a dynamic DYN file with an interpreter and no libraries', () => {
    expect(read(bins.pie)).toMatchObject({ type: 'DYN', dynamic: true, interpreter: '/lib64/ld-linux-x86-64.so.2', needed: [] });
  });
});
