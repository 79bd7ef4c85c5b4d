/**
 * The real Pulumi engine (CLI and plugins built from their Go modules) runs this repository's
 * Pulumi program: plugins installed offline, a preview that builds the image with the real
 * docker-build provider against the suite's Docker engine, the plan of every object, and the
 * secrets encrypted in the real state. `npm run test:pulumi`.
 */
import * as fs from 'fs';
import * as path from 'path';
import { HelloChart } from '../../../examples/hello/hello-chart';
import { GoshipApp } from '../../../lib';
import {
  BUILDER_IMAGE, docker, Cleanup, ensureBuilderImage, loadFromBuildah, PULUMI_PLUGINS, PulumiEngine, requireDockerEngine,
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
    await loadFromBuildah(await ensureBuilderImage());
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

  test('previews Pulumi.ts: the image is built by docker-build, every object and the secret are planned', async () => {
    // GIVEN a stack of the hello program with the README's config
    const config = {
      'hello:registry': { value: `${registryHost}/goship` },
      'hello:apiKey': { value: apiKey, secret: true },
      'hello:namespace': { value: 'pulumi-hello' },
      'hello:builderImage': { value: BUILDER_IMAGE },
      'hello:platforms': { value: 'linux/amd64' },
    };
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
