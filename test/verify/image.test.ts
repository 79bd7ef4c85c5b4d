import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ImageError } from '../../lib/inspect/tar-index';
import { Platform } from '../../lib/model/platform';
import { ImageVerifyReport, verifyImage } from '../../lib/verify/image';
import { buildElf, goBuildInfoBlob, sampleModInfo } from '../inspect/elf-builder';
import { describeWithGo, GoBinaries, goBinaries } from './go-binaries';
import { dockerArchive, layerTar, LayerFile, ociLayout, TestImage, writeDir, writeTar } from './image-builder';

const goElf = (machine: number, goarch: string, spec: Parameters<typeof buildElf>[0] = {}): Uint8Array =>
  buildElf({ machine, ...spec, goBuildInfo: goBuildInfoBlob('go1.22.0', sampleModInfo({ CGO_ENABLED: spec.interpreter ? '1' : '0', GOARCH: goarch, GOOS: 'linux' })) });
const STATIC_AMD64 = goElf(62, 'amd64');
const STATIC_ARM64 = goElf(183, 'arm64');
const DYNAMIC_AMD64 = goElf(62, 'amd64', { interpreter: '/lib64/ld-linux-x86-64.so.2', needed: ['libc.so.6'] });
const AMD64 = { os: 'linux', architecture: 'amd64' };
const ARM64 = { os: 'linux', architecture: 'arm64' };
const NONROOT = { User: '65532:65532', Entrypoint: ['/app'] };

let tmp: string;
beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'goship-verify-image-'));
});
afterEach(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

async function image(layers: LayerFile[][], config: TestImage['config'] = NONROOT, platform = AMD64, gzip = true): Promise<TestImage> {
  return { platform, config, layers: await Promise.all(layers.map((l) => layerTar(l, { gzip }))) };
}
const codes = (r: ImageVerifyReport): string[] => [...r.findings, ...r.images.flatMap((i) => i.findings)].map((f) => `${f.severity}:${f.code}`);

describe('verifyImage: formats', () => {
  it('GIVEN an OCI layout directory with a static /app and a numeric user WHEN verified THEN it passes', async () => {
    const dir = writeDir(tmp, ociLayout([await image([[{ path: 'app', content: STATIC_AMD64 }]])]));

    const report = await verifyImage(dir);

    expect(report).toMatchObject({ ok: true, format: 'oci-layout', findings: [] });
    expect(report.images).toHaveLength(1);
    expect(report.images[0]).toMatchObject({ platform: 'linux/amd64', entrypoint: ['/app'], binary: '/app', user: '65532:65532', findings: [] });
    expect(report.images[0].elf).toMatchObject({ arch: 'amd64', dynamic: false });
    expect(report.images[0].buildInfo?.settings.CGO_ENABLED).toBe('0');
  });

  it('GIVEN an OCI archive (an OCI layout in a tar) WHEN verified THEN it is read the same way', async () => {
    const file = await writeTar(path.join(tmp, 'image.tar'), ociLayout([await image([[{ path: 'app', content: STATIC_AMD64 }]])]));

    const report = await verifyImage(file);

    expect(report).toMatchObject({ ok: true, format: 'oci-archive' });
    expect(report.images[0].binary).toBe('/app');
  });

  it('GIVEN a docker save tarball with plain tar layers WHEN verified THEN it is read and tags are kept', async () => {
    const file = await writeTar(path.join(tmp, 'image.tar'), dockerArchive([await image([[{ path: './app', content: STATIC_AMD64 }]], NONROOT, AMD64, false)]));

    const report = await verifyImage(file);

    expect(report).toMatchObject({ ok: true, format: 'docker-archive' });
    expect(report.images[0]).toMatchObject({ names: ['localhost/test-0:latest'], platform: 'linux/amd64' });
  });

  it('GIVEN an entrypoint with a long path (a pax name in the layer) WHEN verified THEN it is found', async () => {
    const long = `${'d'.repeat(200)}/${'e'.repeat(80)}/app`;
    const files = ociLayout([await image([[{ path: long, content: STATIC_AMD64 }]], { User: '1000', Entrypoint: [`/${long}`] })]);
    const report = await verifyImage(await writeTar(path.join(tmp, 'image.tar'), files));

    expect(report.ok).toBe(true);
  });

  it('fails if the path is not an image, with an ImageError', async () => {
    const file = path.join(tmp, 'junk');
    fs.writeFileSync(file, Buffer.alloc(2048, 7));
    await expect(verifyImage(file)).rejects.toThrow(ImageError);
    await expect(verifyImage(file)).rejects.toThrow(/neither an ELF binary, an OCI layout directory nor an image tarball/);
    await expect(verifyImage(tmp)).rejects.toThrow(/has neither index.json .* nor manifest.json/);
  });

  it('fails if a blob is missing, naming it', async () => {
    const files = ociLayout([await image([[{ path: 'app', content: STATIC_AMD64 }]])]);
    const layer = [...files.keys()].find((k) => files.get(k)![0] === 0x1f)!;
    files.delete(layer);

    await expect(verifyImage(writeDir(tmp, files))).rejects.toThrow(`incomplete image: a layer (${layer}) is missing`);
  });

  it('fails if the tarball is truncated, with an ImageError', async () => {
    const file = await writeTar(path.join(tmp, 'image.tar'), ociLayout([await image([[{ path: 'app', content: STATIC_AMD64 }]])]));
    const bytes = fs.readFileSync(file);
    fs.writeFileSync(file, bytes.subarray(0, 1024 + 100));

    await expect(verifyImage(file)).rejects.toThrow(ImageError);
  });
});

describe('verifyImage: entrypoint', () => {
  it('fails if no file is at the entrypoint, saying where it looked', async () => {
    const dir = writeDir(tmp, ociLayout([await image([[{ path: 'server', content: STATIC_AMD64 }]])]));

    const report = await verifyImage(dir);

    expect(report.ok).toBe(false);
    expect(report.images[0].findings).toEqual([expect.objectContaining({
      severity: 'error',
      code: 'entrypoint-not-found',
      message: expect.stringMatching(/^binary not found at the image's entrypoint \/app \(no such file in any layer\) — the container fails with `exec \/app: no such file or directory`/),
    })]);
  });

  it('fails if the image has neither Entrypoint nor Cmd', async () => {
    const report = await verifyImage(writeDir(tmp, ociLayout([await image([[{ path: 'app', content: STATIC_AMD64 }]], { User: '1000' })])));

    expect(codes(report)).toEqual(['error:no-entrypoint']);
  });

  it('GIVEN a later layer replacing /app WHEN verified THEN the later file is checked', async () => {
    const report = await verifyImage(writeDir(tmp, ociLayout([await image([
      [{ path: 'app', content: DYNAMIC_AMD64 }],
      [{ path: 'app', content: STATIC_AMD64 }],
    ])])));

    expect(report.ok).toBe(true);
    expect(report.images[0].elf?.dynamic).toBe(false);
  });

  it('fails if a later layer whites out /app', async () => {
    const report = await verifyImage(writeDir(tmp, ociLayout([await image([
      [{ path: 'app', content: STATIC_AMD64 }],
      [{ path: '.wh.app' }],
    ])])));

    expect(codes(report)).toEqual(['error:entrypoint-not-found']);
  });

  it('fails if an opaque directory hides the binary below it', async () => {
    const report = await verifyImage(writeDir(tmp, ociLayout([await image([
      [{ path: 'srv/app', content: STATIC_AMD64 }],
      [{ path: 'srv/.wh..wh..opq' }, { path: 'srv/other', content: 'x' }],
    ], { User: '1000', Entrypoint: ['/srv/app'] })])));

    expect(codes(report)).toEqual(['error:entrypoint-not-found']);
  });

  it('GIVEN /app as a relative symlink and a hard link WHEN verified THEN the target is checked', async () => {
    const report = await verifyImage(writeDir(tmp, ociLayout([await image([[
      { path: 'usr/local/bin/hello', content: STATIC_AMD64 },
      { path: 'usr/local/bin/hello2', type: 'link', linkname: 'usr/local/bin/hello' },
      { path: 'app', type: 'symlink', linkname: 'usr/local/bin/hello2' },
    ]])])));

    expect(report.ok).toBe(true);
    expect(report.images[0].binary).toBe('/usr/local/bin/hello2');
    expect(report.images[0].elf?.arch).toBe('amd64');
  });

  it('GIVEN a bare command in Cmd WHEN verified THEN it is looked up along PATH', async () => {
    const report = await verifyImage(writeDir(tmp, ociLayout([await image([[{ path: 'usr/bin/hello', content: STATIC_AMD64 }]], {
      User: '1000', Cmd: ['hello', '--port', '8080'], Env: ['PATH=/usr/local/bin:/usr/bin'],
    })])));

    expect(report.images[0]).toMatchObject({ ok: true, entrypoint: ['hello', '--port', '8080'], binary: '/usr/bin/hello' });
  });

  it('fails if the entrypoint file is not executable', async () => {
    const report = await verifyImage(writeDir(tmp, ociLayout([await image([[{ path: 'app', content: STATIC_AMD64, mode: 0o644 }]])])));

    expect(codes(report)).toEqual(['error:not-executable-file']);
  });

  it('fails if the entrypoint is a dynamic binary and the image has no loader, listing what is missing', async () => {
    const report = await verifyImage(writeDir(tmp, ociLayout([await image([[{ path: 'app', content: DYNAMIC_AMD64 }]])])));

    expect(report.images[0].findings[0].message).toBe(
      'dynamically linked: needs /lib64/ld-linux-x86-64.so.2 (libc.so.6) — it will fail in this image with `exec /app: no such file or directory` (missing: /lib64/ld-linux-x86-64.so.2, libc.so.6) — build with CGO_ENABLED=0');
  });

  it('GIVEN a dynamic binary in an image that has its loader and libc WHEN verified THEN it only warns', async () => {
    const report = await verifyImage(writeDir(tmp, ociLayout([await image([[
      { path: 'lib/x86_64-linux-gnu/ld-linux-x86-64.so.2', content: 'loader' },
      { path: 'lib64/ld-linux-x86-64.so.2', type: 'symlink', linkname: '/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2' },
      { path: 'lib/x86_64-linux-gnu/libc.so.6', content: 'libc' },
    ], [{ path: 'app', content: DYNAMIC_AMD64 }]])])));

    expect(report.ok).toBe(true);
    expect(codes(report)).toEqual(['warning:dynamically-linked']);
  });

  it('fails if the image has the loader and libc but not a DT_NEEDED library, read from its own layers', async () => {
    // GIVEN a debian-like image with glibc, and a binary that also needs libgpgme (as buildah does)
    const needsGpgme = goElf(62, 'amd64', { interpreter: '/lib64/ld-linux-x86-64.so.2', needed: ['libgpgme.so.11', 'libc.so.6'] });
    const layers = (extra: { path: string; content: string }[]) => [[
      { path: 'lib/x86_64-linux-gnu/ld-linux-x86-64.so.2', content: 'loader' },
      { path: 'lib64/ld-linux-x86-64.so.2', type: 'symlink' as const, linkname: '/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2' },
      { path: 'lib/x86_64-linux-gnu/libc.so.6', content: 'libc' },
      ...extra,
    ], [{ path: 'app', content: needsGpgme }]];
    const without = await verifyImage(writeDir(tmp, ociLayout([await image(layers([]))])));
    expect(codes(without)).toEqual(['error:missing-library']);
    expect(without.images[0].findings[0].message).toContain('this image lacks libgpgme.so.11 — the loader stops it with `error while loading shared libraries: libgpgme.so.11: cannot open shared object file`');
    // WHEN a later layer installs it THEN it starts
    const withIt = await verifyImage(writeDir(fs.mkdtempSync(path.join(tmp, 'with-')), ociLayout([await image(layers([{ path: 'usr/lib/x86_64-linux-gnu/libgpgme.so.11', content: 'gpgme' }]))])));
    expect(codes(withIt)).toEqual(['warning:dynamically-linked']);
  });
});

describe('verifyImage: user', () => {
  test.each([[undefined], [''], ['0'], ['root'], ['0:0'], ['root:1000']])('fails if the user is %j (root)', async (User) => {
    const report = await verifyImage(writeDir(tmp, ociLayout([await image([[{ path: 'app', content: STATIC_AMD64 }]], { User, Entrypoint: ['/app'] })])));

    expect(codes(report)).toEqual(['error:runs-as-root']);
  });

  it('GIVEN a named user and /etc/passwd WHEN verified THEN it warns that runAsNonRoot needs a number', async () => {
    const report = await verifyImage(writeDir(tmp, ociLayout([await image([[
      { path: 'app', content: STATIC_AMD64 },
      { path: 'etc/passwd', content: 'nonroot:x:65532:65532::/home/nonroot:/sbin/nologin\n', mode: 0o644 },
    ]], { User: 'nonroot', Entrypoint: ['/app'] })])));

    expect(report.ok).toBe(true);
    expect(report.images[0].findings[0].message).toMatch(/user 'nonroot' is a name: Kubernetes runAsNonRoot cannot verify a name/);
  });

  it('fails if a named user cannot be looked up (no /etc/passwd)', async () => {
    const report = await verifyImage(writeDir(tmp, ociLayout([await image([[{ path: 'app', content: STATIC_AMD64 }]], { User: 'nobody', Entrypoint: ['/app'] })])));

    expect(codes(report)).toEqual(['error:user-unknown', 'warning:user-not-numeric']);
  });
});

describe('verifyImage: platforms', () => {
  const multi = async (opts: { nested?: boolean; attestation?: boolean } = {}): Promise<string> => writeDir(tmp, ociLayout([
    await image([[{ path: 'app', content: STATIC_AMD64 }]], NONROOT, AMD64),
    await image([[{ path: 'app', content: STATIC_ARM64 }]], NONROOT, ARM64),
  ], opts));

  it('GIVEN an index and --platform linux/arm64 WHEN verified THEN only the arm64 image is checked', async () => {
    const report = await verifyImage(await multi(), { platform: Platform.LINUX_ARM64 });

    expect(report.ok).toBe(true);
    expect(report.images.map((i) => [i.platform, i.elf?.arch])).toEqual([['linux/arm64', 'arm64']]);
  });

  it('GIVEN an index without --platform WHEN verified THEN every image is checked against its own platform', async () => {
    const report = await verifyImage(await multi({ nested: true, attestation: true }));

    expect(report.images.map((i) => i.platform)).toEqual(['linux/amd64', 'linux/arm64']);
    expect(report.ok).toBe(true);
  });

  it('fails if the requested platform is not in the index, listing the ones there', async () => {
    const report = await verifyImage(await multi(), { platform: Platform.LINUX_S390X });

    expect(report.ok).toBe(false);
    expect(report.images).toEqual([]);
    expect(report.findings[0]).toMatchObject({ code: 'platform-not-in-image', message: expect.stringMatching(/no linux\/s390x variant \(it has linux\/amd64, linux\/arm64\)/) });
  });

  it('fails if the image says amd64 but its binary is arm64', async () => {
    const report = await verifyImage(writeDir(tmp, ociLayout([await image([[{ path: 'app', content: STATIC_ARM64 }]], NONROOT, AMD64)])));

    expect(codes(report)).toEqual(['error:wrong-arch']);
  });
});

describeWithGo('verifyImage on real Go binaries', () => {
  let bins: GoBinaries;
  beforeAll(() => {
    bins = goBinaries();
  }, 15 * 60 * 1000);

  it('GIVEN a docker archive of the static arm64 build WHEN verified for linux/arm64 THEN it passes', async () => {
    const img = await image([[{ path: 'app', content: fs.readFileSync(bins.arm64) }]], NONROOT, ARM64, false);
    const report = await verifyImage(await writeTar(path.join(tmp, 'image.tar'), dockerArchive([img])), { platform: Platform.LINUX_ARM64 });

    expect(report.ok).toBe(true);
    expect(report.images[0].buildInfo?.settings).toMatchObject({ GOARCH: 'arm64', CGO_ENABLED: '0' });
  });

  it('fails if an OCI archive holds the cgo build in an empty base', async () => {
    const img = await image([[{ path: 'app', content: fs.readFileSync(bins.cgo) }]], NONROOT, AMD64);
    const report = await verifyImage(await writeTar(path.join(tmp, 'image.tar'), ociLayout([img])));

    expect(report.ok).toBe(false);
    expect(report.images[0].findings.map((f) => f.code)).toEqual(['dynamically-linked']);
    expect(report.images[0].findings[0].message).toMatch(/^dynamically linked: needs \/lib64\/ld-linux-x86-64.so.2 \(libc.so.6\) — it will fail in this image/);
  });
});
