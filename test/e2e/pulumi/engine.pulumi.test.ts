/**
 * The real Pulumi engine (CLI and plugins built from their Go modules) runs this repository's
 * Pulumi program: plugins installed offline, a preview that builds the image with the real
 * docker-build provider against the suite's Docker engine, the plan of every object, and the
 * secrets encrypted in the real state. `npm run test:pulumi`.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { HelloChart } from '../../../examples/hello/hello-chart';
import { GoshipApp, Platform } from '../../../lib';
import {
  BUILDER_IMAGE, Cleanup, docker, ensureBuilderImage, headManifest, PULUMI_PLUGINS, PulumiEngine, requireDockerEngine,
  requirePulumiTools, requireTools, setUpEngine, stackRun, startRegistry,
} from '../tools';
import { DOCKER_ENV } from '../tools/docker';

const cleanup = new Cleanup();
const ready = requireTools(['docker-registry']) && requireDockerEngine();

(ready ? describe : describe.skip)('the Pulumi engine built from Go modules', () => {
  let engine: PulumiEngine;
  let workDir: string;
  let registryHost: string;
  const apiKey = `api-key-${process.pid}-secret`;

  beforeAll(async () => {
    if (!(await requirePulumiTools())) {
      throw new Error('the Pulumi engine could not be built (see the warning above)');
    }
    await ensureBuilderImage();
    registryHost = (await startRegistry(cleanup)).host;
    engine = await setUpEngine(cleanup, { DOCKER_HOST: DOCKER_ENV.DOCKER_HOST!, KUBECONFIG: '/nonexistent/kubeconfig' });
    workDir = cleanup.tmpdir('pulumi-work');
  });

  afterAll(() => cleanup.run());

  test('the plugins are installed from the built files, at the versions the npm SDKs ask for', async () => {
    // WHEN
    const { stdout } = await engine.cli(['plugin', 'ls', '--json']);
    // THEN
    const plugins = (JSON.parse(stdout) as { name: string; kind: string; version: string }[])
      .map((p) => `${p.kind} ${p.name} ${p.version}`).sort();
    expect(plugins).toEqual(Object.entries(PULUMI_PLUGINS).map(([n, v]) => `resource ${n} ${v}`).sort());
  });

  /** The README's config for the hello program; Docker's own builder builds one platform. */
  const helloConfig = () => ({
    'hello:registry': { value: `${registryHost}/goship` },
    'hello:apiKey': { value: apiKey, secret: true },
    'hello:namespace': { value: 'pulumi-hello' },
    'hello:builderImage': { value: BUILDER_IMAGE },
    'hello:platforms': { value: 'linux/amd64' },
  });

  test('previews Pulumi.ts: the image is built by docker-build, every object and the secret are planned', async () => {
    // GIVEN a stack of the hello program with the README's config
    const config = helloConfig();
    // WHEN
    const result = await stackRun(engine, { op: 'preview', stack: 'dev', workDir, config });
    // THEN
    expect(result.error).toBeUndefined();
    expect(result.changes).toEqual({ create: 8 });
    for (const type of ['docker-build:index:Image', 'kubernetes:apps/v1:Deployment', 'kubernetes:core/v1:Secret', 'goship:index:GoshipDeployment']) {
      expect(result.stdout).toContain(type);
    }
    // AND the API key is ciphertext in the stack's config and in no log
    const stackFile = fs.readFileSync(path.join(workDir, 'Pulumi.dev.yaml'), 'utf8');
    expect(stackFile).toMatch(/hello:apiKey:\n\s+secure: /);
    expect(stackFile).not.toContain(apiKey);
    expect(result.log).not.toContain(apiKey);
  });

  describe('up, with the Kubernetes provider rendering to a folder (no cluster)', () => {
    let upDir: string;
    let renderDir: string;
    let up: Awaited<ReturnType<typeof stackRun>>;
    const config = () => ({ ...helloConfig(), 'kubernetes:renderYamlToDirectory': { value: renderDir } });

    beforeAll(async () => {
      upDir = cleanup.tmpdir('pulumi-up');
      renderDir = path.join(cleanup.tmpdir('pulumi-render'), 'manifests');
      up = await stackRun(engine, { op: 'up', stack: 'render', workDir: upDir, config: config() });
    });

    test('builds and pushes the image, and writes exactly the objects synth writes, the image pinned to the pushed digest', async () => {
      expect(up.error).toBeUndefined();
      const pinned = (up.outputs!.images.value as Record<string, string>).hello;
      const [repository, digest] = pinned.split('@');
      expect(repository).toBe(`${registryHost}/goship/hello`);
      // the registry serves the digest the program deployed
      expect((await headManifest(registryHost, 'goship/hello', digest)).digest).toBe(digest);
      // the objects synth writes for the same app, with the image pinned
      const app = new GoshipApp({ outdir: cleanup.tmpdir('pulumi-synth') });
      const chart = new HelloChart(app, 'hello', { repository, namespace: 'pulumi-hello', builderImage: BUILDER_IMAGE, platforms: [Platform.LINUX_AMD64] });
      app.synth();
      const synthText = fs.readFileSync(path.join(app.outdir, 'hello.k8s.yaml'), 'utf8').split(chart.image.imageRef).join(pinned);
      const synthObjects = parseAllDocuments(synthText).map((d) => d.toJSON());
      const rendered = yamlObjects(renderDir);
      const key = (o: any) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
      const renderedByKey = new Map(rendered.map((o) => [key(o), o]));
      for (const o of synthObjects) {
        expect(renderedByKey.get(key(o))).toEqual(o);
      }
      // AND besides them only the namespace and the API key Secret Pulumi.ts adds
      expect(rendered.map(key).filter((k) => !synthObjects.some((o) => key(o) === k)).sort())
        .toEqual(['Namespace//pulumi-hello', 'Secret/pulumi-hello/hello-api']);
    });

    test('keeps the API key and the passphrase-encrypted config as ciphertext in the state, and out of the logs', () => {
      const state = fs.readFileSync(path.join(engine.stateDir, '.pulumi', 'stacks', 'hello', 'render.json'), 'utf8');
      expect(state).toContain('"ciphertext"');
      expect(state).not.toContain(apiKey);
      expect(up.log).not.toContain(apiKey);
    });

    test('a second up and a preview with expect-no-changes change nothing', async () => {
      const again = await stackRun(engine, { op: 'up', stack: 'render', workDir: upDir, config: config() });
      expect(again.error).toBeUndefined();
      expect(Object.keys(again.changes ?? {})).toEqual(['same']);
      const preview = await stackRun(engine, { op: 'preview', stack: 'render', workDir: upDir, config: config(), expectNoChanges: true });
      expect(preview.error).toBeUndefined();
    });

    test('destroy removes every object it wrote, and keeps the pushed image', async () => {
      const destroyed = await stackRun(engine, { op: 'destroy', stack: 'render', workDir: upDir });
      expect(destroyed.error).toBeUndefined();
      expect(yamlObjects(renderDir)).toEqual([]);
      const digest = (up.outputs!.images.value as Record<string, string>).hello.split('@')[1];
      expect((await headManifest(registryHost, 'goship/hello', digest)).digest).toBe(digest);
    });
  });

  describe('prebuilt: true', () => {
    let prebuiltDir: string;
    let pushed: { ref: string; digest: string };

    beforeAll(async () => {
      // GIVEN a small image pushed under the reference the hello chart names (as CI would push it)
      const app = new GoshipApp();
      const ref = new HelloChart(app, 'hello', { repository: `${registryHost}/prebuilt/hello` }).image.imageRef;
      const context = cleanup.tmpdir('prebuilt-context');
      fs.writeFileSync(path.join(context, 'Dockerfile'), 'FROM scratch\nCOPY marker /marker\n');
      fs.writeFileSync(path.join(context, 'marker'), `${process.pid}\n`);
      await docker(['build', '--network', 'host', '--tag', ref, context]);
      await docker(['push', ref]);
      const { stdout } = await docker(['image', 'inspect', '--format', '{{range .RepoDigests}}{{println .}}{{end}}', ref]);
      const digest = stdout.split('\n').find((l) => l.startsWith(`${registryHost}/prebuilt/hello@`))!.split('@')[1];
      pushed = { ref, digest };
      prebuiltDir = cleanup.tmpdir('pulumi-prebuilt');
    });

    test('previews the deployment of the pushed digest, found with goship\'s registry client, building nothing', async () => {
      // WHEN
      const result = await stackRun(engine, {
        op: 'preview', stack: 'prebuilt', workDir: prebuiltDir, program: path.join(__dirname, 'prebuilt-program.ts'),
        config: { 'hello:repository': { value: `${registryHost}/prebuilt/hello` }, 'hello:namespace': { value: 'pulumi-prebuilt' } },
      });
      // THEN the Deployment is planned with the pushed image pinned, and nothing builds
      expect(result.error).toBeUndefined();
      expect(result.stdout).toContain(`${pushed.ref}@${pushed.digest}`);
      expect(result.stdout).not.toContain('docker-build:index:Image');
      expect(result.stdout).not.toContain('pulumi:providers:docker ');
    });

    test('fails the preview if the tag is not in the registry, naming the image', async () => {
      // WHEN the repository has no such tag
      const result = await stackRun(engine, {
        op: 'preview', stack: 'missing', workDir: prebuiltDir, program: path.join(__dirname, 'prebuilt-program.ts'),
        config: { 'hello:repository': { value: `${registryHost}/nothing/hello` }, 'hello:namespace': { value: 'pulumi-prebuilt' } },
      });
      // THEN
      expect(result.ok).toBe(false);
      const ref = pushed.ref.replace('/prebuilt/', '/nothing/');
      expect(result.log).toContain(`[hello/image] ${ref}: cannot be deployed as prebuilt, the registry lookup failed (${ref}: not found in ${registryHost} (404)`);
    });
  });
});

/** Every object in the YAML files under `dir` (the provider's render folder), recursively. */
function yamlObjects(dir: string): any[] {
  if (!fs.existsSync(dir)) {
    return [];
  }
  return (fs.readdirSync(dir, { recursive: true }) as string[]).filter((f) => f.endsWith('.yaml')).sort()
    .flatMap((f) => parseAllDocuments(fs.readFileSync(path.join(dir, f), 'utf8')).map((d) => d.toJSON()))
    .filter((o) => o !== null);
}
