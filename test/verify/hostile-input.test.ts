import { execFileSync } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as fc from 'fast-check';
import { readGoBuildInfo } from '../../lib/inspect/buildinfo';
import { readElf } from '../../lib/inspect/elf';
import { verifyImage } from '../../lib/verify/image';
import { buildElf, goBuildInfoBlob, sampleModInfo } from '../inspect/elf-builder';
import { runCli } from '../support/cli';
import { layerTar, ociLayout, writeDir } from './image-builder';

/** verify and sbom against inputs made to exhaust memory, hang, or read outside what they were given. */

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'goship-hostile-'));


describe('readers that end', () => {
  test.each(['verify', 'sbom'])('goship %s /dev/zero fails at once, naming it', async (command) => {
    const r = await runCli([command, '/dev/zero']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('/dev/zero: not a regular file');
  });

  test.each(['verify', 'sbom'])('goship %s on a FIFO fails without opening it', async (command) => {
    const fifo = path.join(tmp(), 'pipe');
    execFileSync('mkfifo', [fifo]);
    const r = await runCli([command, fifo]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('not a regular file');
  });
});

describe('a crafted ELF', () => {
  test('fails if section names are megabytes long, instead of exhausting the heap', () => {
    // GIVEN a valid ELF whose section name table is one name of 2 MB with no terminator
    const elf = Buffer.from(buildElf({ sections: true }));
    const huge = Buffer.alloc(2 * 1024 * 1024, 0x41);
    const file = Buffer.concat([elf, huge]);
    // point the section name table (e_shstrndx's section) at the huge run
    const shoff = Number(file.readBigUInt64LE(0x28));
    const shentsize = file.readUInt16LE(0x3a);
    const shstrndx = file.readUInt16LE(0x3e);
    const names = shoff + shstrndx * shentsize;
    file.writeBigUInt64LE(BigInt(elf.length), names + 24);
    file.writeBigUInt64LE(BigInt(huge.length), names + 32);
    for (let i = 0; i < file.readUInt16LE(0x3c); i++) {
      file.writeUInt32LE(i, shoff + i * shentsize); // every name starts inside the run
    }
    expect(() => readElf(file)).toThrow(/longer than 1024 bytes: over goship's limit/);
  });

  test('fuzz: readElf and readGoBuildInfo never throw anything but their own errors on mutated binaries', () => {
    const base = Buffer.from(buildElf({ needed: ['libc.so.6'], interpreter: '/lib/ld.so', goBuildInfo: goBuildInfoBlob('go1.22.0', sampleModInfo({})) }));
    fc.assert(fc.property(fc.array(fc.tuple(fc.nat(base.length - 1), fc.integer({ min: 0, max: 255 })), { maxLength: 16 }), (edits) => {
      const b = Buffer.from(base);
      for (const [at, v] of edits) {
        b[at] = v;
      }
      try {
        readGoBuildInfo(b, readElf(b));
      } catch (e) {
        expect((e as Error).name).toMatch(/ElfError|Error/);
        expect(e).not.toBeInstanceOf(RangeError);
        expect(e).not.toBeInstanceOf(TypeError);
      }
    }), { numRuns: 3000 });
  });
});

describe('image layouts', () => {
  const image = async () => ({ platform: { os: 'linux', architecture: 'amd64' }, config: { Entrypoint: ['/app'] }, layers: [await layerTar([{ path: 'app', content: buildElf() }])] });

  test('fails if a blob is a link out of the layout, without printing the file it points to', async () => {
    const dir = writeDir(tmp(), ociLayout([await image()]));
    const secret = path.join(tmp(), 'secret.json');
    fs.writeFileSync(secret, 'TOP-SECRET-BYTES');
    const index = JSON.parse(fs.readFileSync(path.join(dir, 'index.json'), 'utf8'));
    const manifest = path.join(dir, 'blobs', 'sha256', index.manifests[0].digest.slice(7));
    fs.rmSync(manifest);
    fs.symlinkSync(secret, manifest);
    const error = await verifyImage(dir).catch((e: Error) => e);
    expect(String(error)).toMatch(/is a link out of the image layout/);
    expect(String(error)).not.toContain('TOP-SECRET');
  });

  test('fails if nested indexes name more images than the bound (6 KB of JSON, 10^8 images)', async () => {
    const files = ociLayout([await image()]);
    const top = JSON.parse(files.get('index.json')!.toString());
    let level = top.manifests;
    for (let depth = 0; depth < 4; depth++) {
      const body = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: Array(100).fill(level[0]) }));
      const digest = `sha256:${createHash('sha256').update(body).digest('hex')}`;
      files.set(`blobs/sha256/${digest.slice(7)}`, body);
      level = [{ mediaType: 'application/vnd.oci.image.index.v1+json', digest, size: body.length }];
    }
    files.set('index.json', Buffer.from(JSON.stringify({ ...top, manifests: level })));
    await expect(verifyImage(writeDir(tmp(), files))).rejects.toThrow(/index\.json: the number of images and indexes it names .* over goship's limit of 1024/);
  });

  test('fails if an image lists more layers than the bound', async () => {
    const img = await image();
    const dir = writeDir(tmp(), ociLayout([{ ...img, layers: Array(500).fill(img.layers[0]) }]));
    await expect(verifyImage(dir)).rejects.toThrow(/the number of layers is over goship's limit of 256/);
  });

  test('fails if index.json is not JSON, without quoting it', async () => {
    const dir = writeDir(tmp(), ociLayout([await image()]));
    fs.writeFileSync(path.join(dir, 'index.json'), '{"manifests": SECRET-LOOKING-TEXT');
    const error = await verifyImage(dir).catch((e: Error) => e);
    expect(String(error)).toMatch(/index\.json is not valid JSON/);
    expect(String(error)).not.toContain('SECRET');
  });
});

// Found by the fuzzing in test/inspect/image-readers.property.test.ts.
describe('image JSON of the wrong shape', () => {
  async function layoutWith(edit: (files: Map<string, Buffer>) => void): Promise<string> {
    const files = ociLayout([{ platform: { os: 'linux', architecture: 'amd64' }, config: { User: '65532', Entrypoint: ['/app'] }, layers: [await layerTar([{ path: 'app', content: '' }])] }]);
    edit(files);
    return writeDir(tmp(), files);
  }
  const configOf = (files: Map<string, Buffer>) => [...files.keys()].find((k) => files.get(k)!.includes('"Entrypoint"'))!;

  test('fails if the config Entrypoint is not a list, naming the layout and the field (was a TypeError)', async () => {
    const dir = await layoutWith((files) => {
      const name = configOf(files);
      const config = JSON.parse(files.get(name)!.toString()) as { config: Record<string, unknown> };
      config.config.Entrypoint = {};
      files.set(name, Buffer.from(JSON.stringify(config)));
    });
    const r = await runCli(['verify', dir]);
    expect(r.stderr).toMatch(new RegExp(`^goship verify: ${dir}: sha256:[0-9a-f]{64}: config: Entrypoint is not a list$`));
  });

  test('fails if a digest is nested thousands deep, without a stack overflow', async () => {
    const dir = await layoutWith((files) => {
      files.set('index.json', Buffer.from(`{"manifests":[{"digest":${'['.repeat(5000)}${']'.repeat(5000)}}]}`));
    });
    await expect(verifyImage(dir)).rejects.toThrow(`${dir}: invalid digest (a list)`);
  });

  test('sbom names the image and the file when the entrypoint is not ELF (the message named neither)', async () => {
    const dir = await layoutWith(() => undefined);
    const r = await runCli(['sbom', dir]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(`${dir}:/app: not an ELF file: the file is empty`);
  });
});
