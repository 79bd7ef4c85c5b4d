import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as CDX from '@cyclonedx/cyclonedx-library';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { CliIo, main } from '../../lib/cli/main';
import { readSbomSubject, renderCycloneDx, renderSpdx } from '../../lib/sbom';
import { buildElf, goBuildInfoBlob } from '../inspect/elf-builder';
import { GO } from '../support/go';
import { describeWithGo, goBinaries, GoBinaries } from '../verify/go-binaries';
import { layerTar, ociLayout, writeDir } from '../verify/image-builder';
import { goBinaryWithDeps } from './go-with-deps';

/** The SPDX 2.3 JSON schema (a copy kept with the tests), compiled once. */
const spdxSchema = (() => {
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats(ajv);
  return ajv.compile(JSON.parse(fs.readFileSync(path.join(__dirname, 'spdx-2.3.schema.json'), 'utf8')));
})();

function expectValidSpdx(text: string): void {
  const ok = spdxSchema(JSON.parse(text));
  expect(spdxSchema.errors ?? []).toEqual([]);
  expect(ok).toBe(true);
}

async function expectValidCycloneDx(text: string): Promise<void> {
  expect(await new CDX.Validation.JsonStrictValidator(CDX.Spec.Version.v1dot6).validate(text)).toBeNull();
}

function tmp(name: string): string {
  return path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'goship-sbom-')), name);
}

function capture(): CliIo & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (t) => stdout.push(t), err: (t) => stderr.push(t) };
}

/** Module info as Go writes it: a main module, two dependencies (one replaced) and build settings. */
const MODINFO = [
  'path\texample.com/shop/cmd/api',
  'mod\texample.com/shop\tv1.4.2\t',
  'dep\tgithub.com/google/uuid\tv1.6.0\th1:NIvaJDMOsjHA8n1jAhLSgzrAzy1Hgr+hNrb57e+94F0=',
  'dep\tgithub.com/old/thing\tv2.0.0+incompatible\th1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=',
  '=>\tgithub.com/fork/thing\tv2.0.1+incompatible\th1:BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBA=',
  'build\tCGO_ENABLED=0',
  'build\tvcs.time=2026-01-02T03:04:05Z',
  '',
].join('\n');

/** The SHA-256 hex an `h1:` hash decodes to. */
function h1Hex(base64: string): string {
  return Buffer.from(base64, 'base64').toString('hex');
}

function elfWithModules(): string {
  const file = tmp('api');
  fs.writeFileSync(file, buildElf({ goBuildInfo: goBuildInfoBlob('go1.22.5', MODINFO) }));
  return file;
}

describe('goship sbom from the Go build info', () => {
  test('SPDX: the main module, every dependency with version, h1 hash and purl, and the standard library; valid SPDX 2.3', async () => {
    // GIVEN a binary whose build info lists two modules, one replaced
    const file = elfWithModules();
    // WHEN
    const text = renderSpdx(await readSbomSubject(file));
    // THEN
    expectValidSpdx(text);
    const doc = JSON.parse(text);
    const packages = doc.packages.map((p: any) => ({ name: p.name, version: p.versionInfo, purl: p.externalRefs?.[0].referenceLocator, sha256: p.checksums?.[0].checksumValue, purpose: p.primaryPackagePurpose }));
    expect(packages).toEqual([
      { name: 'example.com/shop', version: 'v1.4.2', purl: 'pkg:golang/example.com/shop@v1.4.2', sha256: expect.stringMatching(/^[0-9a-f]{64}$/), purpose: 'APPLICATION' },
      { name: 'stdlib', version: '1.22.5', purl: 'pkg:golang/stdlib@1.22.5', sha256: undefined, purpose: 'LIBRARY' },
      { name: 'github.com/fork/thing', version: 'v2.0.1+incompatible', purl: 'pkg:golang/github.com/fork/thing@v2.0.1%2Bincompatible', sha256: h1Hex('BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBA='), purpose: 'LIBRARY' },
      { name: 'github.com/google/uuid', version: 'v1.6.0', purl: 'pkg:golang/github.com/google/uuid@v1.6.0', sha256: h1Hex('NIvaJDMOsjHA8n1jAhLSgzrAzy1Hgr+hNrb57e+94F0='), purpose: 'LIBRARY' },
    ]);
    expect(doc.packages.find((p: any) => p.name === 'github.com/google/uuid').comment).toContain('h1:NIvaJDMOsjHA8n1jAhLSgzrAzy1Hgr+hNrb57e+94F0=');
    expect(doc.creationInfo).toEqual({ created: '2026-01-02T03:04:05Z', creators: ['Tool: goship'] });
    expect(doc.relationships.filter((r: any) => r.relationshipType === 'DEPENDS_ON').map((r: any) => r.relatedSpdxElement).sort())
      .toEqual(['SPDXRef-go-module-github.com-fork-thing', 'SPDXRef-go-module-github.com-google-uuid', 'SPDXRef-go-stdlib']);
  });

  test('CycloneDX 1.6 through the library: the same packages, valid against its schema', async () => {
    const text = await renderCycloneDx(await readSbomSubject(elfWithModules()));
    await expectValidCycloneDx(text);
    const bom = JSON.parse(text);
    expect(bom.specVersion).toBe('1.6');
    expect(bom.metadata.component).toMatchObject({ type: 'application', name: 'example.com/shop', purl: 'pkg:golang/example.com/shop@v1.4.2' });
    expect(bom.components.map((c: any) => c.purl)).toEqual([
      'pkg:golang/github.com/fork/thing@v2.0.1%2Bincompatible',
      'pkg:golang/github.com/google/uuid@v1.6.0',
      'pkg:golang/stdlib@1.22.5',
    ]);
    expect(bom.components[1].properties).toEqual([{ name: 'goship:go.sum', value: 'h1:NIvaJDMOsjHA8n1jAhLSgzrAzy1Hgr+hNrb57e+94F0=' }]);
    expect(bom.dependencies.find((d: any) => d.ref === 'go-module-example.com-shop').dependsOn).toHaveLength(3);
  });

  test('fails if the binary has no Go build info, or is not a binary or image', async () => {
    const stripped = tmp('stripped');
    fs.writeFileSync(stripped, buildElf());
    await expect(readSbomSubject(stripped)).rejects.toThrow(/stripped: has no Go build info, so there is no module list to build an SBOM from/);
    const text = tmp('notes.txt');
    fs.writeFileSync(text, 'hello');
    const io = capture();
    expect(await main(['sbom', text], io)).toBe(1);
    expect(io.stderr.join('\n')).toMatch(/notes\.txt: neither an ELF binary, an OCI layout directory nor an image tarball/);
  });

  test('fails if the format is unknown, with usage and exit code 2', async () => {
    const io = capture();
    expect(await main(['sbom', elfWithModules(), '--format', 'swid'], io)).toBe(2);
    expect(io.stderr[0]).toBe("goship sbom: --format: 'swid' is not spdx or cyclonedx");
  });
});

describeWithGo('goship sbom on a real Go binary and image', () => {
  let go: GoBinaries;
  let withDeps: ReturnType<typeof goBinaryWithDeps>;
  beforeAll(() => {
    go = goBinaries();
    withDeps = goBinaryWithDeps();
  }, 10 * 60 * 1000);

  test('the same binary gives the same bytes, in both formats, through the CLI', async () => {
    // WHEN
    const runs = await Promise.all([1, 2].flatMap(() => ['spdx', 'cyclonedx'].map(async (format) => {
      const out = tmp(`sbom.${format}.json`);
      expect(await main(['sbom', go.amd64, '--format', format, '--output', out], capture())).toBe(0);
      return fs.readFileSync(out, 'utf8');
    })));
    // THEN
    expect(runs[2]).toBe(runs[0]);
    expect(runs[3]).toBe(runs[1]);
    expectValidSpdx(runs[0]);
    await expectValidCycloneDx(runs[1]);
    const goVersion = execFileSync(GO, ['env', 'GOVERSION'], { encoding: 'utf8' }).trim().replace(/^go/, '');
    // Go 1.24 and later stamp the main module with its git pseudo-version, which the purl carries.
    const mainPurl = `pkg:golang/example.com/hello@v0.0.0-${go.commitTime}-${go.revision.slice(0, 12)}`;
    expect(JSON.parse(runs[0]).packages.map((p: any) => p.externalRefs[0].referenceLocator)).toEqual([mainPurl, `pkg:golang/stdlib@${goVersion}`]);
  });

  test('a real dependency: its version, the h1 hash go.sum holds for it, and its purl', async () => {
    // GIVEN a binary Go built against example.com/greet v1.2.0, fetched through a module proxy
    const { binary, depSum } = withDeps;
    // WHEN
    const doc = JSON.parse(renderSpdx(await readSbomSubject(binary)));
    // THEN
    expectValidSpdx(JSON.stringify(doc));
    const dep = doc.packages.find((p: any) => p.name === 'example.com/greet');
    expect({ version: dep.versionInfo, purl: dep.externalRefs[0].referenceLocator, sha256: dep.checksums[0].checksumValue, comment: dep.comment }).toEqual({
      version: 'v1.2.0',
      purl: 'pkg:golang/example.com/greet@v1.2.0',
      sha256: h1Hex(depSum.slice(3)),
      comment: expect.stringContaining(depSum),
    });
    expect(doc.packages.map((p: any) => p.name)).toEqual(['example.com/app', 'stdlib', 'example.com/greet']);
  });

  test('an image: the image, its program and the runtime files next to it (CA bundle, passwd, zoneinfo)', async () => {
    // GIVEN an OCI layout with the binary at /app, as goship's Dockerfile lays it out
    const layer = await layerTar([
      { path: 'app', content: fs.readFileSync(go.amd64) },
      { path: 'etc/ssl/certs/ca-certificates.crt', content: '-----BEGIN CERTIFICATE-----\n', mode: 0o644 },
      { path: 'etc/passwd', content: 'nonroot:x:65532:65532::/:/sbin/nologin\n', mode: 0o644 },
      { path: 'usr/share/zoneinfo/Europe/Paris', content: 'TZif2', mode: 0o644 },
    ], { gzip: true });
    const dir = writeDir(tmp('layout'), ociLayout([{ platform: { os: 'linux', architecture: 'amd64' }, config: { User: '65532:65532', Entrypoint: ['/app'] }, layers: [layer] }]));
    // WHEN
    const spdx = JSON.parse(renderSpdx(await readSbomSubject(dir)));
    const cdx = await renderCycloneDx(await readSbomSubject(dir));
    // THEN
    expectValidSpdx(JSON.stringify(spdx));
    await expectValidCycloneDx(cdx);
    expect(spdx.files.map((f: any) => f.fileName)).toEqual(['./etc/passwd', './etc/ssl/certs/ca-certificates.crt', './usr/share/zoneinfo/Europe/Paris']);
    expect(spdx.packages[0]).toMatchObject({ SPDXID: 'SPDXRef-image', primaryPackagePurpose: 'CONTAINER' });
    expect(spdx.relationships[0]).toEqual({ spdxElementId: 'SPDXRef-DOCUMENT', relationshipType: 'DESCRIBES', relatedSpdxElement: 'SPDXRef-image' });
    expect(JSON.parse(cdx).components.filter((c: any) => c.type === 'file').map((c: any) => c.name)).toEqual(['/etc/passwd', '/etc/ssl/certs/ca-certificates.crt', '/usr/share/zoneinfo/Europe/Paris']);
  });
});
