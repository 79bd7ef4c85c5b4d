/**
 * `pulumi up` of this repository's Pulumi program (Pulumi.ts) for real: the engine and both
 * plugins built from their Go modules, docker-build building on the standalone BuildKit daemon
 * (a buildx `remote` builder) for linux/amd64 and linux/arm64 and pushing one index to the
 * cluster's registry, and the Kubernetes provider applying to the real cluster. Then a second
 * up and a preview that change nothing, an env change that rolls the pods, and destroy.
 * `npm run test:pulumi`.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { HelloChart } from '../../../examples/hello/hello-chart';
import { GoshipApp, Platform } from '../../../lib';
import { getJson, kubectl } from '../../cluster/tools/kube';
import { Cleanup, headManifest, PULUMI_PLUGINS, rawManifest, stackRun } from '../tools';
import { deleteNamespaceAtCleanup, kubectlName, pulumiSuiteReady, PulumiSuite, rolledOut, setUpPulumiSuite } from './suite';

const cleanup = new Cleanup();

(pulumiSuiteReady() ? describe : describe.skip)('pulumi up of Pulumi.ts on the real cluster', () => {
  let suite: PulumiSuite;
  let workDir: string;
  let up: Awaited<ReturnType<typeof stackRun>>;
  const namespace = `goship-pulumi-${process.pid}`;
  const apiKey = `api-key-${process.pid}-secret`;
  const registryPassword = `registry-password-${process.pid}-secret`;
  const stack = 'cluster';

  /** The README's config, with the suite's registry, builder and builder image. */
  const config = (greeting?: string) => ({
    'hello:registry': { value: `${suite.registry}/${namespace}` },
    'hello:registryUsername': { value: 'goship' },
    'hello:registryPassword': { value: registryPassword, secret: true },
    'hello:apiKey': { value: apiKey, secret: true },
    'hello:namespace': { value: namespace },
    'hello:builderImage': { value: suite.builderImage },
    'hello:builder': { value: suite.builder },
    'hello:platforms': { value: 'linux/amd64,linux/arm64' },
    ...(greeting ? { 'hello:greeting': { value: greeting } } : {}),
  });
  const pinnedImage = () => (up.outputs!.images.value as Record<string, string>).hello;

  beforeAll(async () => {
    suite = await setUpPulumiSuite(cleanup);
    workDir = cleanup.tmpdir('pulumi-up');
    deleteNamespaceAtCleanup(cleanup, namespace);
    up = await stackRun(suite.engine, { op: 'up', stack, workDir, config: config() });
  });

  afterAll(() => cleanup.run());

  test('the plugins are installed from the built files, at the versions the npm SDKs ask for', async () => {
    const { stdout } = await suite.engine.cli(['plugin', 'ls', '--json']);
    const plugins = (JSON.parse(stdout) as { name: string; kind: string; version: string }[])
      .map((p) => `${p.kind} ${p.name} ${p.version}`).sort();
    expect(plugins).toEqual(Object.entries(PULUMI_PLUGINS).map(([n, v]) => `resource ${n} ${v}`).sort());
  });

  test('up builds both platforms into one index, pushes it, and returns only once the Deployment is Available', async () => {
    // THEN (read at once after up returned: no waiting here)
    expect(up.error).toBeUndefined();
    const { ok, status } = await rolledOut(namespace, 'hello');
    expect({ ok, status }).toEqual({ ok: true, status: expect.anything() });
    const [repository, digest] = pinnedImage().split('@');
    expect(repository).toBe(`${suite.registry}/${namespace}/hello`);
    expect((await headManifest(suite.registry, `${namespace}/hello`, digest)).digest).toBe(digest);
    const index = JSON.parse((await rawManifest(`docker://${pinnedImage()}`)).raw) as { manifests: Array<{ platform?: { os: string; architecture: string } }> };
    expect(index.manifests.filter((m) => m.platform?.os === 'linux').map((m) => m.platform!.architecture).sort()).toEqual(['amd64', 'arm64']);
    expect(up.stdout).toContain('docker-build:index:Image');
  });

  test('the live objects equal what synth writes for the same app, the image pinned to the pushed digest', async () => {
    // GIVEN the objects synth writes for the same app
    const app = new GoshipApp({ outdir: cleanup.tmpdir('pulumi-synth') });
    const chart = new HelloChart(app, 'hello', {
      repository: `${suite.registry}/${namespace}/hello`, namespace, builderImage: suite.builderImage,
      platforms: [Platform.LINUX_AMD64, Platform.LINUX_ARM64],
    });
    app.synth();
    const synthText = fs.readFileSync(path.join(app.outdir, 'hello.k8s.yaml'), 'utf8').split(chart.image.imageRef).join(pinnedImage());
    const synthObjects = parseAllDocuments(synthText).map((d) => d.toJS() as any);
    expect(synthObjects.map((o) => o.kind).sort()).toEqual(['Deployment', 'PodDisruptionBudget', 'Service']);
    // THEN each is on the API server as written (the server adds its defaults and status)
    for (const o of synthObjects) {
      const live = await getJson<any>(['-n', namespace, kubectlName(o)]);
      expect(live).toMatchObject(o);
    }
    // AND the Secret holds the API key the stack config encrypts
    const secret = await getJson<{ data: Record<string, string> }>(['-n', namespace, 'secret', 'hello-api']);
    expect(Buffer.from(secret.data['api-key'], 'base64').toString('utf8')).toBe(apiKey);
  });

  test('keeps the API key and the registry password as ciphertext in the state and the stack file, and out of every log', () => {
    const state = fs.readFileSync(path.join(suite.engine.stateDir, '.pulumi', 'stacks', 'hello', `${stack}.json`), 'utf8');
    expect(state).toContain('"ciphertext"');
    for (const secret of [apiKey, registryPassword]) {
      expect(state).not.toContain(secret);
      expect(state).not.toContain(Buffer.from(secret).toString('base64'));
      expect(up.log).not.toContain(secret);
    }
    const stackFile = fs.readFileSync(path.join(workDir, `Pulumi.${stack}.yaml`), 'utf8');
    expect(stackFile).toMatch(/hello:apiKey:\n\s+secure: /);
    expect(stackFile).toMatch(/hello:registryPassword:\n\s+secure: /);
  });

  test('a second up, and a preview with expect-no-changes, change nothing', async () => {
    const again = await stackRun(suite.engine, { op: 'up', stack, workDir, config: config() });
    expect(again.error).toBeUndefined();
    expect(Object.keys(again.changes ?? {})).toEqual(['same']);
    expect((again.outputs!.images.value as Record<string, string>).hello).toBe(pinnedImage());
    const preview = await stackRun(suite.engine, { op: 'preview', stack, workDir, config: config(), expectNoChanges: true });
    expect(preview.error).toBeUndefined();
    expect(Object.keys(preview.changes ?? {})).toEqual(['same']);
  });

  test('a changed env value rolls the pods: new pods with the new value, none of the old ones left serving', async () => {
    const selector = 'app.kubernetes.io/name=hello';
    const podsNow = async () => (await getJson<{ items: any[] }>(['-n', namespace, 'pods', '-l', selector])).items
      .filter((p) => !p.metadata.deletionTimestamp);
    const before = (await podsNow()).map((p) => p.metadata.name as string);
    expect(before).toHaveLength(2);
    // WHEN
    const changed = await stackRun(suite.engine, { op: 'up', stack, workDir, config: config('hello again') });
    // THEN only the Deployment changed, and up returned with the new pods rolled out
    expect(changed.error).toBeUndefined();
    expect(changed.changes).toEqual({ update: 1, same: expect.any(Number) });
    expect((await rolledOut(namespace, 'hello')).ok).toBe(true);
    const after = await podsNow();
    expect(after.map((p) => p.metadata.name).filter((n) => before.includes(n))).toEqual([]);
    for (const pod of after) {
      expect(pod.spec.containers[0].env).toContainEqual({ name: 'GREETING', value: 'hello again' });
      expect(pod.spec.containers[0].image).toBe(pinnedImage());
    }
  });

  test('destroy removes every object it made, and keeps the pushed image', async () => {
    const destroyed = await stackRun(suite.engine, { op: 'destroy', stack, workDir });
    expect(destroyed.error).toBeUndefined();
    const left = await kubectl(['get', 'namespace', namespace, '-o', 'jsonpath={.status.phase}'], { allowFailure: true });
    // The Namespace resource is deleted, and with it everything in it (it may still be finishing)
    expect(left.exitCode === 0 ? left.stdout : 'NotFound').toMatch(/^(NotFound|Terminating)$/);
    const objects = await kubectl(['-n', namespace, 'get', 'deployment,service,poddisruptionbudget,secret', '-o', 'name'], { allowFailure: true });
    expect(objects.stdout.split('\n').filter((l) => /deployment|service\/|poddisruptionbudget|hello-api/.test(l))).toEqual([]);
    const digest = pinnedImage().split('@')[1];
    expect((await headManifest(suite.registry, `${namespace}/hello`, digest)).digest).toBe(digest);
  });

  describe('prebuilt: true, the image up pushed', () => {
    const prebuiltNamespace = `${namespace}-pre`;
    let prebuiltDir: string;

    beforeAll(() => {
      prebuiltDir = cleanup.tmpdir('pulumi-prebuilt');
      deleteNamespaceAtCleanup(cleanup, prebuiltNamespace);
    });

    const prebuiltRun = (op: 'up' | 'preview' | 'destroy', stackName: string, repository: string) => stackRun(suite.engine, {
      op, stack: stackName, workDir: prebuiltDir, program: path.join(__dirname, 'prebuilt-program.ts'),
      config: {
        'hello:repository': { value: repository },
        'hello:namespace': { value: prebuiltNamespace },
        'hello:apiKey': { value: apiKey, secret: true },
      },
    });

    test('deploys the pushed digest, found with goship\'s registry client, building nothing in preview or up', async () => {
      const repository = pinnedImage().split('@')[0];
      const preview = await prebuiltRun('preview', 'prebuilt', repository);
      expect(preview.error).toBeUndefined();
      const deployed = await prebuiltRun('up', 'prebuilt', repository);
      expect(deployed.error).toBeUndefined();
      // the tag up pushed, pinned to the same index digest
      const tag = new HelloChart(new GoshipApp(), 'hello', { repository }).image.tag;
      expect((deployed.outputs!.images.value as Record<string, string>).hello).toBe(`${repository}:${tag}@${pinnedImage().split('@')[1]}`);
      for (const run of [preview, deployed]) {
        expect(run.stdout).not.toContain('docker-build:index:Image');
        expect(run.stdout).not.toContain('pulumi:providers:docker ');
      }
      expect((await rolledOut(prebuiltNamespace, 'hello')).ok).toBe(true);
      const destroyed = await prebuiltRun('destroy', 'prebuilt', repository);
      expect(destroyed.error).toBeUndefined();
    });

    test('fails the preview if the tag is not in the registry, naming the image', async () => {
      const repository = `${suite.registry}/${namespace}-nothing/hello`;
      const result = await prebuiltRun('preview', 'missing', repository);
      expect(result.ok).toBe(false);
      const ref = new HelloChart(new GoshipApp(), 'hello', { repository }).image.imageRef;
      expect(result.log).toContain(`[hello/image] ${ref}: cannot be deployed as prebuilt, the registry lookup failed (${ref}: not found in ${suite.registry} (404)`);
    });
  });
});
