/**
 * Peak memory of `goship verify` and `goship sbom` on inputs made to blow up memory (the
 * inputs of the hostile-input report: a gzip bomb layer, a large image, /dev/zero, nested
 * indexes), against the same commands on a small valid image, measured side by side in one
 * run with `/usr/bin/time -v` (maximum resident set size of the whole process, Node included).
 *
 *   npx ts-node --transpile-only bench/bomb-memory.ts
 *
 * Never asserts; prints a Markdown table. bench/README.md and docs/threat-model.md hold the numbers.
 */
import { execFileSync, spawnSync } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { gzipSync } from 'zlib';

const GOSHIP = path.join(__dirname, '..', 'bin', 'goship.js');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'goship-bomb-'));

/** A tar header block for a regular file. */
function tarHeader(name: string, size: number, mode = 0o755): Buffer {
  const h = Buffer.alloc(512);
  h.write(name, 0, 'utf8');
  h.write(`${mode.toString(8).padStart(7, '0')}\0`, 100, 'latin1');
  h.write('0000000\0', 108, 'latin1');
  h.write('0000000\0', 116, 'latin1');
  h.write(`${size.toString(8).padStart(11, '0')}\0`, 124, 'latin1');
  h.write('00000000000\0', 136, 'latin1');
  h.write('0', 156, 'latin1');
  h.write('ustar\0', 257, 'latin1');
  h.write('00', 263, 'latin1');
  h.fill(0x20, 148, 156);
  let sum = 0;
  for (const b of h) {
    sum += b;
  }
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  return h;
}

/** A gzip'd layer holding `/app` of `size` zero bytes (size a multiple of 64 MiB), built from concatenated gzip members. */
function zeroLayer(size: number): Buffer {
  const chunk = 64 * 1024 * 1024;
  const zeros = gzipSync(Buffer.alloc(chunk), { level: 9 });
  return Buffer.concat([gzipSync(tarHeader('app', size)), ...Array<Buffer>(size / chunk).fill(zeros), gzipSync(Buffer.alloc(1024))]);
}

/** Writes an OCI layout with one amd64 image of `layers`, entrypoint /app; returns its folder. */
function layout(name: string, layers: readonly Buffer[], wrap?: (files: Map<string, Buffer>, manifest: object) => object[]): string {
  const dir = path.join(work, name);
  const files = new Map<string, Buffer>();
  const blob = (data: Buffer, mediaType: string) => {
    const digest = `sha256:${createHash('sha256').update(data).digest('hex')}`;
    files.set(`blobs/sha256/${digest.slice(7)}`, data);
    return { mediaType, digest, size: data.length };
  };
  const config = blob(Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', config: { User: '65532', Entrypoint: ['/app'] } })), 'application/vnd.oci.image.config.v1+json');
  const manifest = { ...blob(Buffer.from(JSON.stringify({ schemaVersion: 2, config, layers: layers.map((l) => blob(l, 'application/vnd.oci.image.layer.v1.tar+gzip')) })), 'application/vnd.oci.image.manifest.v1+json'),
    platform: { os: 'linux', architecture: 'amd64' } };
  const top = wrap ? wrap(files, manifest) : [manifest];
  files.set('oci-layout', Buffer.from('{"imageLayoutVersion":"1.0.0"}'));
  files.set('index.json', Buffer.from(JSON.stringify({ schemaVersion: 2, manifests: top })));
  for (const [rel, data] of files) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), data);
  }
  return dir;
}

/** Nested indexes, 100 entries each, 4 deep: 10^8 images from a few KB of JSON. */
function nest(files: Map<string, Buffer>, manifest: object): object[] {
  let level: object[] = [manifest];
  for (let depth = 0; depth < 4; depth++) {
    const body = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: Array<object>(100).fill(level[0]) }));
    const digest = `sha256:${createHash('sha256').update(body).digest('hex')}`;
    files.set(`blobs/sha256/${digest.slice(7)}`, body);
    level = [{ mediaType: 'application/vnd.oci.image.index.v1+json', digest, size: body.length }];
  }
  return level;
}

const du = (p: string) => Number(execFileSync('du', ['-sb', p], { encoding: 'utf8' }).split('\t')[0]);
const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

function measure(args: string[]): { rssKb: number; code: number | null; last: string } {
  const r = spawnSync('/usr/bin/time', ['-v', process.execPath, GOSHIP, ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const rss = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr)?.[1] ?? NaN);
  const exit = /Exit status: (\d+)/.exec(r.stderr)?.[1];
  const said = r.stderr.split('\n').filter((l) => l.startsWith('goship') || l.startsWith('Error')).join(' ')
    .replace(/blobs\/sha256\/[0-9a-f]{64}/g, 'blobs/…').replace(/ — .*$/, '');
  const last = said === '' ? 'a report (stdout)' : said.slice(0, 160);
  return { rssKb: rss, code: exit === undefined ? r.status : Number(exit), last };
}

const small = layout('small', [gzipSync(Buffer.concat([tarHeader('app', 4), Buffer.alloc(512), Buffer.alloc(1024)]))]);
const bomb = layout('gzip-bomb', [zeroLayer(2 * 1024 * 1024 * 1024)]);
const large = layout('large-entrypoint', [zeroLayer(192 * 1024 * 1024)]);
const nested = layout('nested-index', [gzipSync(Buffer.alloc(1024))], nest);

const cases: Array<[string, string, string[]]> = [
  ['small valid image (baseline)', mb(du(small)), ['verify', small]],
  ['small valid image (baseline)', mb(du(small)), ['sbom', small]],
  ['gzip bomb: one layer, /app of 2 GiB zeros', mb(du(bomb)), ['verify', bomb]],
  ['gzip bomb: one layer, /app of 2 GiB zeros', mb(du(bomb)), ['sbom', bomb]],
  ['entrypoint of 192 MiB (under the 256 MiB file bound)', mb(du(large)), ['verify', large]],
  ['entrypoint of 192 MiB (under the 256 MiB file bound)', mb(du(large)), ['sbom', large]],
  ['nested indexes naming 10^8 images', mb(du(nested)), ['verify', nested]],
  ['/dev/zero', '-', ['verify', '/dev/zero']],
  ['/dev/zero', '-', ['sbom', '/dev/zero']],
];

const load = os.loadavg().map((l) => l.toFixed(1)).join(', ');
const rows = cases.map(([what, size, args]) => ({ what, size, command: args[0], ...measure(args) }));
const base: Record<string, number> = Object.fromEntries(rows.filter((r) => r.what.includes('baseline')).map((r) => [r.command, r.rssKb]));
console.log(`\n${new Date().toISOString().slice(0, 10)}, ${os.cpus().length} cores, load average before: ${load}, after: ${os.loadavg().map((l) => l.toFixed(1)).join(', ')}, Node ${process.version}\n`);
console.log('| input | on disk | command | exit | peak RSS | × baseline | how it ended |');
console.log('|---|---|---|---|---|---|---|');
for (const r of rows) {
  console.log(`| ${r.what} | ${r.size} | ${r.command} | ${r.code} | ${(r.rssKb / 1024).toFixed(0)} MiB | ${(r.rssKb / base[r.command]).toFixed(2)} | ${r.last.replace(/\|/g, '\\|').replace(work, '…')} |`);
}
fs.rmSync(work, { recursive: true, force: true });
