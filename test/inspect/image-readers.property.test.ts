import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { gzipSync } from 'zlib';
import * as fc from 'fast-check';
import { BoundError } from '../../lib/bounds';
import { ImageFs } from '../../lib/inspect/layers';
import { ImageError, indexTar } from '../../lib/inspect/tar-index';
import { readSbomSubject } from '../../lib/sbom/read';
import { verifyImage } from '../../lib/verify/image';
import { ByteMutation, byteMutation, jsonMutation, mutateBytes, mutateJson } from '../support/mutate';
import { dockerArchive, LayerFile, layerTar, ociLayout, TestImage, writeDir, writeTar } from '../verify/image-builder';

/*
 * Fuzzing of the image readers (tar index, layers plain and gzip'd, OCI index/manifest/config
 * JSON, docker save archives) that verify and sbom run on untrusted images. Each case is a
 * valid image generated from its structure, then broken one way. The property: the reader
 * returns, or throws one of goship's own errors (ImageError, BoundError) — never a TypeError,
 * a RangeError or an out-of-memory crash, and never a hang (every input is a few KB, and the
 * huge sizes are the ones the headers claim).
 */

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'goship-fuzz-image-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
let n = 0;
const fresh = () => path.join(tmp, String(n++));

/**
 * A goship error: ImageError or BoundError, the system refusing a path (ENOENT, ENOTDIR…), or a
 * goship Error whose message names the input (sbom's "no binary at the image's entrypoint").
 */
function isGoshipError(e: unknown, input: string): boolean {
  return e instanceof ImageError || e instanceof BoundError || (e as NodeJS.ErrnoException).code !== undefined
    || (e instanceof Error && !(e instanceof TypeError || e instanceof RangeError || e instanceof SyntaxError) && e.message.startsWith(input));
}

async function endsWell(input: string, run: () => Promise<unknown>): Promise<void> {
  try {
    await run();
  } catch (e) {
    if (!isGoshipError(e, input)) {
      throw new Error(`not a goship error: ${(e as Error)?.stack ?? String(e)}`);
    }
  }
}

const layerFile: fc.Arbitrary<LayerFile> = fc.oneof(
  fc.record({ path: fc.constantFrom('app', 'etc/passwd', 'lib/libc.so.6', 'a/b/c', 'usr/share/zoneinfo/UTC'), content: fc.string({ maxLength: 64 }) }),
  fc.record({ path: fc.constantFrom('bin', 'usr/bin/app', 'lnk'), type: fc.constant('symlink' as const), linkname: fc.constantFrom('/app', '../app', 'lnk', '/', '../../..') }),
  fc.record({ path: fc.constantFrom('hard', 'app2'), type: fc.constant('link' as const), linkname: fc.constantFrom('app', 'nothing') }),
  fc.record({ path: fc.constantFrom('.wh.app', 'a/.wh..wh..opq', 'etc'), type: fc.constantFrom('file' as const, 'directory' as const) }),
);

const image: fc.Arbitrary<{ files: LayerFile[][]; gzip: boolean[]; config: TestImage['config'] }> = fc.record({
  files: fc.array(fc.array(layerFile, { maxLength: 5 }), { minLength: 1, maxLength: 3 }),
  gzip: fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }),
  config: fc.record({ User: fc.constantFrom('65532', 'root', 'nobody', ''), Entrypoint: fc.constantFrom(['/app'], ['app'], ['/bin/app'], []), Env: fc.constant(['PATH=/bin:/']) }),
});

async function buildImage(spec: { files: LayerFile[][]; gzip: boolean[]; config: TestImage['config'] }): Promise<TestImage> {
  const layers = await Promise.all(spec.files.map((files, i) => layerTar(files, { gzip: spec.gzip[i] })));
  return { platform: { os: 'linux', architecture: 'amd64' }, config: spec.config, layers };
}

/** A tar-aware mutation: a member's size field set to a huge value (octal or GNU base-256). */
type TarMutation = { readonly kind: 'size'; readonly member: number; readonly base256: boolean; readonly value: number };
const tarMutation: fc.Arbitrary<TarMutation> = fc.record({
  kind: fc.constant('size' as const),
  member: fc.nat(20),
  base256: fc.boolean(),
  value: fc.constantFrom(0, 1, 511, 2 ** 31, 2 ** 33 - 1, 2 ** 40, Number.MAX_SAFE_INTEGER),
});

/** Sets the size of the `member`-th header of a tar (following sizes), fixing its checksum. */
function mutateTar(data: Buffer, m: TarMutation): Buffer {
  const out = Buffer.from(data);
  let offset = 0;
  for (let i = 0; offset + 512 <= out.length; i++) {
    const size = parseInt(out.subarray(offset + 124, offset + 136).toString('latin1').replace(/\0.*$/s, '').trim() || '0', 8);
    if (i === m.member % 20 || !Number.isSafeInteger(size)) {
      const field = Buffer.alloc(12);
      if (m.base256) {
        field[0] = 0x80;
        let v = BigInt(m.value);
        for (let b = 11; b > 0; b--, v >>= 8n) {
          field[b] = Number(v & 0xffn);
        }
      } else {
        field.write(`${m.value.toString(8).padStart(11, '0').slice(-11)}\0`, 'latin1');
      }
      field.copy(out, offset + 124);
      out.fill(0x20, offset + 148, offset + 156);
      let sum = 0;
      for (let b = 0; b < 512; b++) {
        sum += out[offset + b];
      }
      out.write(`${sum.toString(8).padStart(6, '0')}\0 `, offset + 148, 'latin1');
      return out;
    }
    offset += 512 + Math.ceil(size / 512) * 512;
  }
  return out;
}

const layerMutation: fc.Arbitrary<{ readonly bytes?: ByteMutation; readonly tar?: TarMutation }> = fc.oneof(
  fc.record({ bytes: byteMutation }),
  fc.record({ tar: tarMutation }),
);

describe('fuzzing the image readers', () => {
  test('a broken OCI layout (index, manifest or config JSON): verify and sbom return or throw a goship error', async () => {
    await fc.assert(fc.asyncProperty(fc.array(image, { minLength: 1, maxLength: 2 }), fc.boolean(), fc.nat(), jsonMutation, async (specs, nested, which, m) => {
      const files = ociLayout(await Promise.all(specs.map(buildImage)), { nested });
      const json = [...files.keys()].filter((k) => k === 'index.json' || files.get(k)![0] === 0x7b);
      const name = json[which % json.length];
      files.set(name, mutateJson(files.get(name)!, m));
      const dir = writeDir(fresh(), files);
      await endsWell(dir, () => verifyImage(dir));
      await endsWell(dir, () => readSbomSubject(dir));
    }), { numRuns: 150 });
  }, 120_000);

  test('a broken docker save archive: verify returns or throws a goship error', async () => {
    await fc.assert(fc.asyncProperty(image, fc.nat(), jsonMutation, async (spec, which, m) => {
      const files = dockerArchive([await buildImage(spec)]);
      const json = [...files.keys()].filter((k) => k.endsWith('.json'));
      const name = json[which % json.length];
      files.set(name, mutateJson(files.get(name)!, m));
      const file = await writeTar(`${fresh()}.tar`, files);
      await endsWell(file, () => verifyImage(file));
    }), { numRuns: 80 });
  }, 120_000);

  test('a broken image tarball (the tar itself): the tar index returns or throws a goship error', async () => {
    await fc.assert(fc.asyncProperty(image, layerMutation, async (spec, m) => {
      const file = await writeTar(`${fresh()}.tar`, ociLayout([await buildImage(spec)]));
      const data = fs.readFileSync(file);
      fs.writeFileSync(file, m.bytes ? mutateBytes(data, m.bytes) : mutateTar(data, m.tar!));
      await endsWell(file, () => indexTar(file));
      await endsWell(file, () => verifyImage(file));
    }), { numRuns: 150 });
  }, 120_000);

  test('a broken layer (plain or gzip, bytes or tar headers): reading its files returns or throws a goship error', async () => {
    await fc.assert(fc.asyncProperty(fc.array(layerFile, { minLength: 1, maxLength: 6 }), fc.boolean(), layerMutation, fc.boolean(), async (files, gzip, m, mutateInside) => {
      let tar = await layerTar(files);
      if (m.tar || mutateInside) {
        tar = m.tar ? mutateTar(tar, m.tar) : mutateBytes(tar, m.bytes!);
      }
      let layer = gzip ? gzipSync(tar) : tar;
      if (m.bytes && !mutateInside) {
        layer = mutateBytes(layer, m.bytes);
      }
      const file = fresh();
      fs.writeFileSync(file, layer);
      await endsWell(file, async () => {
        const image = await ImageFs.read([{ file, start: 0, size: layer.length }]);
        const all = image.filesUnder('/').map((p) => image.resolve(p)!.file);
        await image.readFiles(all);
      });
    }), { numRuns: 200 });
  }, 120_000);
});
