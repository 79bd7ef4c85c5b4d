import * as zlib from 'zlib';
import * as tarStream from 'tar-stream';
import { buildLayer, LayerEntry, sha256 } from '../../lib/publish/layer';

const ENTRIES: LayerEntry[] = [
  { path: 'app', type: 'file', mode: 0o755, content: Buffer.from('binary') },
  { path: 'etc/ssl/certs/ca-certificates.crt', type: 'file', mode: 0o644, content: Buffer.from('certs') },
  { path: 'usr/share/zoneinfo/UTC', type: 'symlink', mode: 0o777, linkname: 'Etc/UTC' },
];
const EPOCH = 1764755699;

/** Every header of a gzip tar, in order. */
async function headers(blob: Buffer): Promise<tarStream.Header[]> {
  const out: tarStream.Header[] = [];
  const extract = tarStream.extract();
  extract.end(zlib.gunzipSync(blob));
  for await (const entry of extract as unknown as AsyncIterable<{ header: tarStream.Header; resume(): void }>) {
    out.push(entry.header);
    entry.resume();
  }
  return out;
}

describe('buildLayer', () => {
  test('the same entries in any order give the same bytes and digests', async () => {
    const a = await buildLayer(ENTRIES, EPOCH);
    const b = await buildLayer([...ENTRIES].reverse(), EPOCH);
    expect(b.digest).toBe(a.digest);
    expect(b.diffId).toBe(a.diffId);
    expect(a.digest).toBe(sha256(a.blob));
    expect(a.diffId).toBe(sha256(zlib.gunzipSync(a.blob)));
  });

  test('entries are sorted, parents added as 0755 directories, owned by 0:0 with no names, at SOURCE_DATE_EPOCH', async () => {
    const list = await headers((await buildLayer(ENTRIES, EPOCH)).blob);
    expect(list.map((h) => [h.name, h.type, (h.mode ?? 0).toString(8)])).toEqual([
      ['app', 'file', '755'],
      ['etc/', 'directory', '755'],
      ['etc/ssl/', 'directory', '755'],
      ['etc/ssl/certs/', 'directory', '755'],
      ['etc/ssl/certs/ca-certificates.crt', 'file', '644'],
      ['usr/', 'directory', '755'],
      ['usr/share/', 'directory', '755'],
      ['usr/share/zoneinfo/', 'directory', '755'],
      ['usr/share/zoneinfo/UTC', 'symlink', '777'],
    ]);
    expect(new Set(list.map((h) => `${h.uid}:${h.gid}:${h.uname}:${h.gname}:${h.mtime!.getTime() / 1000}`))).toEqual(new Set([`0:0:::${EPOCH}`]));
  });

  test('another time or another byte gives another digest', async () => {
    const a = await buildLayer(ENTRIES, EPOCH);
    expect((await buildLayer(ENTRIES, EPOCH + 1)).digest).not.toBe(a.digest);
    expect((await buildLayer([{ ...ENTRIES[0], content: Buffer.from('binarY') }, ...ENTRIES.slice(1)], EPOCH)).digest).not.toBe(a.digest);
  });

  test('the gzip header names no file, no time and no OS; its extra flags say fastest level', async () => {
    const { blob } = await buildLayer(ENTRIES, EPOCH);
    // XFL 4: written at the fastest level (GZIP_LEVEL 1), as go-containerregistry compresses.
    expect([...blob.subarray(0, 10)]).toEqual([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 4, 255]);
  });
});
