/**
 * `goship pin --from-registry`'s digest lookup against the real registry (Debian's
 * docker-registry, distribution 2.8) on 127.0.0.1: anonymous, htpasswd (bcrypt) Basic auth,
 * and token (Bearer) auth through a token service in the test. Credentials come from a
 * Docker config.json in a folder the test makes (DOCKER_CONFIG), never the machine's own.
 */
import * as fs from 'fs';
import * as path from 'path';
import { hashSync } from 'bcryptjs';
import { Chart } from 'cdk8s';
import { GoshipApp, GoStaticImage, Platform, RollingDeployment } from '../../lib';
import { resolveDigest, ResolveOptions } from '../../lib/registry/distribution';
import { credentialsFor, dockerConfigPath } from '../../lib/registry/docker-config';
import { makeGoModule } from '../support/go-module';
import { layerTar, ociLayout, writeDir } from '../verify/image-builder';
import { Cleanup, goship, LocalRegistry, requireTools, run, startRegistry } from './tools';
import { startTokenServer, TokenServer } from './tools/token-server';

const describeE2E = requireTools(['skopeo', 'docker-registry', 'openssl']) ? describe : describe.skip;

const USER = 'ci-bot';
const PASSWORD = 's3cret-token';
const INDEX = 'application/vnd.oci.image.index.v1+json';

describeE2E('resolving a tag to its digest through the distribution API', () => {
  const cleanup = new Cleanup();
  let layout: string;
  /** The index digest skopeo pushes: the one entry of the layout's index.json. */
  let indexDigest: string;

  /** A Docker config folder with `config` as its config.json; what DOCKER_CONFIG would name. */
  const dockerConfig = (config: unknown): ResolveOptions => {
    const dir = cleanup.tmpdir('docker-config');
    fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(config));
    const file = dockerConfigPath({ DOCKER_CONFIG: dir });
    return { credentials: (host) => credentialsFor(host, file) };
  };
  const withLogin = (registry: LocalRegistry, password = PASSWORD) =>
    dockerConfig({ auths: { [registry.host]: { auth: Buffer.from(`${USER}:${password}`).toString('base64') } } });
  const push = (registry: LocalRegistry, tag: string, creds?: string) => run('skopeo', [
    'copy', '--all', '--quiet', '--dest-tls-verify=false', ...(creds ? ['--dest-creds', creds] : []),
    `oci:${layout}`, `docker://${registry.host}/team/app:${tag}`,
  ]);

  beforeAll(async () => {
    // A two-platform image as one index, made in TypeScript: this file tests lookups, not builds.
    const layer = await layerTar([{ path: 'app', content: 'not a real binary' }], { gzip: true });
    const images = ['amd64', 'arm64'].map((architecture) => ({ platform: { os: 'linux', architecture }, config: { User: '65532' }, layers: [layer] }));
    layout = writeDir(cleanup.tmpdir('auth-layout'), ociLayout(images, { nested: true }));
    indexDigest = (JSON.parse(fs.readFileSync(path.join(layout, 'index.json'), 'utf8')) as { manifests: Array<{ digest: string }> }).manifests[0].digest;
  });

  afterAll(() => cleanup.run());

  describe('an anonymous registry', () => {
    let registry: LocalRegistry;
    beforeAll(async () => {
      registry = await startRegistry(cleanup);
      await push(registry, 'v1');
    });

    test('a multi-platform tag resolves to its index digest', async () => {
      expect(await resolveDigest(`${registry.host}/team/app:v1`, dockerConfig({}))).toEqual({ digest: indexDigest, mediaType: INDEX });
    });

    test('fails if the tag was never pushed (404), naming the image', async () => {
      await expect(resolveDigest(`${registry.host}/team/app:v2`, dockerConfig({})))
        .rejects.toThrow(`${registry.host}/team/app:v2: not found in ${registry.host} (404) — push it first`);
    });
  });

  describe('htpasswd (bcrypt) Basic auth', () => {
    let registry: LocalRegistry;
    beforeAll(async () => {
      const htpasswd = path.join(cleanup.tmpdir('htpasswd'), 'htpasswd');
      fs.writeFileSync(htpasswd, `${USER}:${hashSync(PASSWORD, 10)}\n`);
      registry = await startRegistry(cleanup, { auth: { htpasswd } });
      await push(registry, 'v1', `${USER}:${PASSWORD}`);
    });

    test('resolves with the credentials in auths of the Docker config', async () => {
      expect(await resolveDigest(`${registry.host}/team/app:v1`, withLogin(registry))).toEqual({ digest: indexDigest, mediaType: INDEX });
    });

    test('fails if the config has no credentials for it (401)', async () => {
      await expect(resolveDigest(`${registry.host}/team/app:v1`, dockerConfig({ auths: {} })))
        .rejects.toThrow(/answered 401 and the Docker config has no credentials for it — docker login, or set DOCKER_CONFIG/);
    });

    test('fails if the password is wrong, naming the registry', async () => {
      await expect(resolveDigest(`${registry.host}/team/app:v1`, withLogin(registry, 'wrong')))
        .rejects.toThrow(`${registry.host} refused the credentials (401) — check auths['${registry.host}']`);
    });

    test('goship pin --from-registry reads DOCKER_CONFIG; without credentials it fails and changes nothing', async () => {
      // GIVEN an app whose image is that tag, synthesized
      const root = cleanup.tmpdir('auth-app');
      const app = new GoshipApp({ outdir: path.join(root, 'dist'), rootdir: root, warn: () => undefined });
      const chart = new Chart(app, 'app');
      const image = new GoStaticImage(chart, 'image', {
        context: makeGoModule(), repository: `${registry.host}/team/app`, tag: 'v1',
        platforms: [Platform.LINUX_AMD64, Platform.LINUX_ARM64],
      });
      new RollingDeployment(chart, 'app', { image });
      app.synth();
      const yaml = () => fs.readFileSync(path.join(root, 'dist', 'app.k8s.yaml'), 'utf8');
      const before = yaml();
      const pin = (dockerConfigDir: string) => goship(['pin', '--from-registry'], { cwd: root, env: { ...process.env, DOCKER_CONFIG: dockerConfigDir } });
      const loginDir = cleanup.tmpdir('docker-config-login');
      fs.writeFileSync(path.join(loginDir, 'config.json'), JSON.stringify({ auths: { [registry.host]: { auth: Buffer.from(`${USER}:${PASSWORD}`).toString('base64') } } }));

      // WHEN there are no credentials THEN nothing changes
      const refused = await pin(cleanup.tmpdir('docker-config-empty'));
      expect(refused.exitCode).toBe(1);
      expect(refused.stderr).toContain('answered 401 and the Docker config has no credentials for it');
      expect(yaml()).toBe(before);
      expect(fs.existsSync(path.join(root, 'goship.pins.json'))).toBe(false);
      // WHEN DOCKER_CONFIG has them THEN the image is pinned to the index
      expect(await pin(loginDir)).toMatchObject({ exitCode: 0, stderr: '' });
      expect(yaml()).toContain(`image: ${image.imageRef}@${indexDigest}`);
    });

    test('fails if the credentials are in a credential helper, which goship does not run', async () => {
      await expect(resolveDigest(`${registry.host}/team/app:v1`, dockerConfig({ credsStore: 'desktop' })))
        .rejects.toThrow(/keeps the credentials for 127\.0\.0\.1:\d+ in the credential helper docker-credential-desktop, which goship does not run/);
    });
  });

  describe('token (Bearer) auth', () => {
    let registry: LocalRegistry;
    let tokens: TokenServer;
    beforeAll(async () => {
      tokens = await startTokenServer(cleanup, USER, PASSWORD);
      registry = await startRegistry(cleanup, { auth: { token: tokens } });
      await push(registry, 'v1', `${USER}:${PASSWORD}`);
    });

    test('fetches a pull token from the realm the registry names, then resolves', async () => {
      // GIVEN
      tokens.requests.length = 0;
      // WHEN
      const resolved = await resolveDigest(`${registry.host}/team/app:v1`, withLogin(registry));
      // THEN
      expect(resolved).toEqual({ digest: indexDigest, mediaType: INDEX });
      expect(tokens.requests).toEqual([{ scope: 'repository:team/app:pull', status: 200 }]);
    });

    test('fails if the token service refuses the credentials', async () => {
      await expect(resolveDigest(`${registry.host}/team/app:v1`, withLogin(registry, 'wrong')))
        .rejects.toThrow(/the token service 127\.0\.0\.1:\d+ refused the credentials \(401\)/);
    });
  });
});
