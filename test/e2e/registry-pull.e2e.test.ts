/**
 * `goship verify` and `goship sbom` given a registry reference: the image is pulled through
 * goship's own distribution client (the credentials `goship pin` uses, from DOCKER_CONFIG)
 * from a real registry (Debian's docker-registry) on 127.0.0.1, one platform or all of them.
 * The images hold real Go binaries: static ones for amd64 and arm64, and a cgo one.
 */
import * as fs from 'fs';
import * as path from 'path';
import { hashSync } from 'bcryptjs';
import { goBinaries } from '../verify/go-binaries';
import { layerTar, ociLayout, writeDir } from '../verify/image-builder';
import { Cleanup, goship, LocalRegistry, requireTools, run, startRegistry } from './tools';

const describeE2E = requireTools(['skopeo', 'docker-registry', 'go']) ? describe : describe.skip;

const USER = 'ci-bot';
const PASSWORD = 's3cret-token';

describeE2E('goship verify and goship sbom of a registry reference', () => {
  const cleanup = new Cleanup();
  let good: string;
  let bad: string;
  let goodIndex: string;
  let open: LocalRegistry;
  let locked: LocalRegistry;
  let noLogin: NodeJS.ProcessEnv;
  let login: NodeJS.ProcessEnv;

  const configEnv = (auths: Record<string, unknown>): NodeJS.ProcessEnv => {
    const dir = cleanup.tmpdir('docker-config');
    fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ auths }));
    return { ...process.env, DOCKER_CONFIG: dir };
  };
  const push = (layout: string, target: string, creds?: string) => run('skopeo', [
    'copy', '--all', '--quiet', '--dest-tls-verify=false', ...(creds ? ['--dest-creds', creds] : []), `oci:${layout}`, `docker://${target}`,
  ]);

  beforeAll(async () => {
    const bins = goBinaries();
    const image = async (architecture: string, binary: string) => ({
      platform: { os: 'linux', architecture },
      config: { User: '65532:65532', Entrypoint: ['/app'] },
      layers: [await layerTar([{ path: 'app', content: fs.readFileSync(binary) }], { gzip: true })],
    });
    good = writeDir(cleanup.tmpdir('good'), ociLayout([await image('amd64', bins.amd64), await image('arm64', bins.arm64)], { nested: true, attestation: true }));
    goodIndex = (JSON.parse(fs.readFileSync(path.join(good, 'index.json'), 'utf8')) as { manifests: { digest: string }[] }).manifests[0].digest;
    bad = writeDir(cleanup.tmpdir('bad'), ociLayout([await image('amd64', bins.cgo)]));
    open = await startRegistry(cleanup);
    await push(good, `${open.host}/team/app:v1`);
    await push(bad, `${open.host}/team/cgo:v1`);
    const htpasswd = path.join(cleanup.tmpdir('htpasswd'), 'htpasswd');
    fs.writeFileSync(htpasswd, `${USER}:${hashSync(PASSWORD, 10)}\n`);
    locked = await startRegistry(cleanup, { auth: { htpasswd } });
    await push(good, `${locked.host}/team/app:v1`, `${USER}:${PASSWORD}`);
    noLogin = configEnv({});
    login = configEnv({ [locked.host]: { auth: Buffer.from(`${USER}:${PASSWORD}`).toString('base64') } });
  });

  afterAll(() => cleanup.run());

  test('verify pulls every platform of a tag and checks each', async () => {
    const r = await goship(['verify', `${open.host}/team/app:v1`], { env: noLogin });
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain(`${open.host}/team/app:v1`);
    expect(r.stdout).toContain('linux/amd64');
    expect(r.stdout).toContain('linux/arm64');
  });

  test('verify --platform pulls that one image only, and the digest form works', async () => {
    const r = await goship(['verify', `${open.host}/team/app@${goodIndex}`, '--platform', 'linux/arm64', '--json'], { env: noLogin });
    expect(r.exitCode).toBe(0);
    const report = JSON.parse(r.stdout) as { kind: string; images: { platform: string }[] };
    expect(report.kind).toBe('image');
    expect(report.images.map((i) => i.platform)).toEqual(['linux/arm64']);
  });

  test('fails if the pushed image holds a dynamically linked binary', async () => {
    const r = await goship(['verify', `${open.host}/team/cgo:v1`], { env: noLogin });
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toMatch(/dynamically linked|interpreter/);
  });

  test('sbom of one platform names the image by its reference', async () => {
    const r = await goship(['sbom', `${open.host}/team/app:v1`, '--platform', 'linux/amd64'], { env: noLogin });
    expect(r.exitCode).toBe(0);
    const doc = JSON.parse(r.stdout) as { name: string; packages: { name: string }[] };
    expect(doc.name).toContain(`${open.host}/team/app:v1`);
    expect(doc.packages.map((p) => p.name)).toContain('stdlib');
  });

  test("uses goship pin's credentials (DOCKER_CONFIG auths), and fails naming the registry without them", async () => {
    const ok = await goship(['verify', `${locked.host}/team/app:v1`, '--platform', 'linux/amd64'], { env: login });
    expect(ok.exitCode).toBe(0);
    const refused = await goship(['verify', `${locked.host}/team/app:v1`], { env: noLogin });
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toContain(`goship verify: ${locked.host}/team/app:v1: the registry answered 401 and the Docker config has no credentials for it`);
  });

  test('fails if the tag or the platform is not there', async () => {
    const missing = await goship(['verify', `${open.host}/team/app:v9`], { env: noLogin });
    expect(missing.exitCode).toBe(1);
    expect(missing.stderr).toContain('v9 not found in');
    const platform = await goship(['sbom', `${open.host}/team/app:v1`, '--platform', 'linux/s390x'], { env: noLogin });
    expect(platform.exitCode).toBe(1);
    expect(platform.stderr).toContain('has no image for linux/s390x (it has linux/amd64, linux/arm64)');
  });
});
