/**
 * A one-line change to the Go code, deployed with `pulumi up` on the real cluster under load:
 * a new image, a rolling update, and no failed request, counted with the cluster suite's load
 * generator, through the Service (a new connection per request) and the EndpointSlices
 * (kept-alive connections) at once. `npm run test:pulumi`.
 */
import * as fs from 'fs';
import * as path from 'path';
import { ApiClient, getJson, kubectl } from '../../cluster/tools/kube';
import { formatLoad, LoadResult, startLoad } from '../../cluster/tools/load';
import { waitNoTerminating } from '../../cluster/tools/rollout';
import { Cleanup, REPO_ROOT, sleep, stackRun } from '../tools';
import { deleteNamespaceAtCleanup, pulumiSuiteReady, PulumiSuite, rolledOut, setUpPulumiSuite } from './suite';

const cleanup = new Cleanup();

(pulumiSuiteReady() ? describe : describe.skip)('pulumi up of a Go change on the real cluster', () => {
  let suite: PulumiSuite;
  let workDir: string;
  let context: string;
  let first: Awaited<ReturnType<typeof stackRun>>;
  let api: ApiClient;
  const namespace = `goship-pulumi-${process.pid}-roll`;
  const stack = 'rollout';
  const run = (op: 'up' | 'destroy') => stackRun(suite.engine, {
    op, stack, workDir, program: path.join(__dirname, 'rollout-program.ts'),
    config: {
      'hello:context': { value: context },
      'hello:registry': { value: `${suite.registry}/${namespace}` },
      'hello:namespace': { value: namespace },
      'hello:builder': { value: suite.builder },
      'hello:builderImage': { value: suite.builderImage },
    },
  });
  const imageOf = (r: Awaited<ReturnType<typeof stackRun>>) => (r.outputs!.images.value as Record<string, string>).hello;

  beforeAll(async () => {
    suite = await setUpPulumiSuite(cleanup);
    api = new ApiClient();
    cleanup.add('close the API client', () => api.close());
    workDir = cleanup.tmpdir('pulumi-rollout');
    // GIVEN a copy of the hello service, deployed
    context = cleanup.tmpdir('pulumi-rollout-hello');
    for (const f of ['go.mod', 'main.go']) {
      fs.copyFileSync(path.join(REPO_ROOT, 'examples', 'hello', f), path.join(context, f));
    }
    deleteNamespaceAtCleanup(cleanup, namespace);
    first = await run('up');
  });

  afterAll(() => cleanup.run());

  test('a one-line Go change: a new image, rolled out by up with no failed request', async () => {
    expect(first.error).toBeUndefined();
    expect((await rolledOut(namespace, 'hello')).ok).toBe(true);
    const svc = await getJson<{ spec: { clusterIP: string; ports: Array<{ port: number }> } }>(['-n', namespace, 'service', 'hello']);
    const target = { clusterIp: svc.spec.clusterIP, port: svc.spec.ports[0].port, targetPort: 8080 };
    // Both ways real traffic reaches the pods, at once: through the Service (kube-proxy, a new
    // connection per request) and, like an ingress controller, the EndpointSlices (kept-alive).
    const loads = await Promise.all((['service', 'endpoints'] as const).map((mode) =>
      startLoad({ mode, namespace, service: 'hello', rate: 150, maxSeconds: 900 }, target)));
    let results: LoadResult[] = [];
    let second: Awaited<ReturnType<typeof stackRun>>;
    try {
      await sleep(2000);
      // WHEN one line of the Go code changes (the version it reports), and up runs
      const main = path.join(context, 'main.go');
      const code = fs.readFileSync(main, 'utf8');
      expect(code).toContain('\t\tVersion:  version,\n');
      fs.writeFileSync(main, code.replace('\t\tVersion:  version,\n', '\t\tVersion:  version + "-2",\n'));
      second = await run('up');
      // The old pods' whole exit (preStop sleep, SIGTERM, drain) happens under load too.
      await waitNoTerminating(api, namespace, 'app.kubernetes.io/name=hello');
      await sleep(1000);
    } finally {
      results = await Promise.all(loads.map((l) => l.stop()));
      for (const result of results) {
        console.log(formatLoad('pulumi up of a Go change', result));
      }
    }
    // THEN a new digest is deployed, the pods answer with the new code, and no request failed
    expect(second.error).toBeUndefined();
    expect(imageOf(second)).not.toBe(imageOf(first));
    expect(second.changes).toEqual({ update: 2, same: expect.any(Number) });
    expect((await rolledOut(namespace, 'hello')).ok).toBe(true);
    for (const result of results) {
      expect(result.failures).toEqual({});
      expect(result.ok).toBe(result.sent);
      expect(result.versions).toEqual({ 'v1': expect.any(Number), 'v1-2': expect.any(Number) });
    }
  });

  test('destroy removes every object it made', async () => {
    const destroyed = await run('destroy');
    expect(destroyed.error).toBeUndefined();
    const objects = await kubectl(['-n', namespace, 'get', 'deployment,service,poddisruptionbudget', '-o', 'name'], { allowFailure: true });
    expect(objects.stdout.trim()).toBe('');
  });
});
