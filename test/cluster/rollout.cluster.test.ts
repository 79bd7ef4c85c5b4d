/**
 * Rollouts on a real cluster (scripts/cluster.sh), under load: v1 rolls to v2 (a new tag, a new
 * digest) and back, while two load generators send requests at once, one through the
 * Service's cluster IP (kube-proxy, a new connection per request), one like an ingress
 * controller to the ready EndpointSlice addresses over kept-alive connections. No request may
 * fail, the Deployment never runs more than replicas + 1 pods nor fewer than replicas ready, and
 * the rollout ends within its progress deadline. Then a rollback restores the env, and a cgo
 * image on scratch fails to start while the old pods keep serving.
 */
import * as path from 'path';
import { Cleanup } from '../e2e/tools/cleanup';
import { goship } from '../e2e/tools/goship';
import { synthRollout } from './tools/charts';
import { buildAndPush, clusterBuilderImage, pinFromRegistry, PushedImage } from './tools/images';
import { ApiClient, clusterEnv, createNamespace, getJson, kubectl, requireCluster } from './tools/kube';
import { formatLoad, getOnce, LoadMode, LoadResult, startLoad } from './tools/load';
import { applyServerSide, readObjects, readyPodIps, rolloutStatus, waitNoTerminating, watchPods } from './tools/rollout';

const describeCluster = requireCluster() ? describe : describe.skip;
const NAMESPACE = 'goship-rollout';
const REPLICAS = 2;
const ROUNDS = 3;
/** Both ways real traffic reaches the pods, each at this many requests a second, during every rollout. */
const MODES: readonly LoadMode[] = ['service', 'endpoints'];
const RATE = 150;
const SERVICES = ['hello', 'shutdown'] as const;
type Service = typeof SERVICES[number];

const note = (line: string) => process.stdout.write(`cluster: ${line}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describeCluster('rollouts under load on a real cluster', () => {
  const cleanup = new Cleanup();
  const api = new ApiClient();
  /** Each version's objects, by Deployment name. */
  const objects: Record<string, Record<Service, Array<Record<string, any>>>> = {};
  const images: Record<string, Record<string, PushedImage>> = {};
  let builderImage: string;
  let root: string;

  /** Synthesizes, builds, pushes and pins version `key`: image tag `tag` (default: the key). */
  const synthVersion = async (key: string, greeting?: string, tag = key) => {
    const outdir = path.join(root, key, 'dist');
    const file = synthRollout({ outdir, registry: clusterEnv().GOSHIP_CLUSTER_REGISTRY, builderImage, namespace: NAMESPACE, tag, greeting });
    images[key] = await buildAndPush(outdir, SERVICES, cleanup);
    await pinFromRegistry(outdir, path.join(root, key, 'pins.json'), cleanup);
    const all = readObjects(file);
    objects[key] = Object.fromEntries(SERVICES.map((s) => [s, all.filter((o) => o.metadata.name === s || o.metadata.name === `${s}-env`)])) as Record<Service, Array<Record<string, any>>>;
    for (const s of SERVICES) {
      note(`${s} ${key}: ${images[key][s].ref}@${images[key][s].digest} (built in ${images[key][s].buildSeconds.toFixed(1)} s)`);
    }
  };
  const deployment = (tag: string, s: Service) => objects[tag][s].find((o) => o.kind === 'Deployment')!;

  beforeAll(async () => {
    builderImage = await clusterBuilderImage();
    root = cleanup.tmpdir('rollout');
    cleanup.add(`delete namespace ${NAMESPACE}`, await createNamespace(NAMESPACE, 'restricted'));
    for (const tag of ['v1', 'v2']) {
      await synthVersion(tag);
    }
    for (const s of SERVICES) {
      await applyServerSide(objects.v1[s]);
      await rolloutStatus(NAMESPACE, s, 300);
    }
  });

  afterAll(async () => {
    api.close();
    await cleanup.run();
  });

  /**
   * Rolls `s` to `tag` under both loads at once (through the Service, new connections; and
   * through the EndpointSlices, kept-alive); returns each load's counts, the pod counts and
   * the seconds the rollout took.
   */
  const rollUnderLoad = async (s: Service, tag: string) => {
    const svc = await getJson<{ spec: { clusterIP: string; ports: Array<{ port: number; targetPort: number | string }> } }>(['-n', NAMESPACE, 'service', s]);
    const target = { clusterIp: svc.spec.clusterIP, port: svc.spec.ports[0].port, targetPort: 8080 };
    const loads = await Promise.all(MODES.map((mode) => startLoad({ mode, namespace: NAMESPACE, service: s, rate: RATE, maxSeconds: 300 }, target)));
    const pods = watchPods(api, NAMESPACE, `app.kubernetes.io/name=${s}`);
    let results: LoadResult[] | undefined;
    try {
      await sleep(2000);
      const started = Date.now();
      await applyServerSide(objects[tag][s]);
      await rolloutStatus(NAMESPACE, s, deployment(tag, s).spec.progressDeadlineSeconds);
      const seconds = (Date.now() - started) / 1000;
      // The old pods' whole exit (preStop sleep, SIGTERM, drain) happens under load too.
      await waitNoTerminating(api, NAMESPACE, `app.kubernetes.io/name=${s}`);
      await sleep(1000);
      results = await Promise.all(loads.map((l) => l.stop()));
      const counts = await pods.stop();
      for (const r of results) {
        note(formatLoad(`${s} -> ${tag}`, r));
      }
      note(`${s} -> ${tag}: rollout ${seconds.toFixed(1)} s; pods at most ${counts.maxPods} (${counts.maxPodsWithTerminating} with terminating ones), ready at least ${counts.minReady}, ${counts.samples} samples`);
      return { results, counts, seconds };
    } finally {
      if (!results) {
        await Promise.all(loads.map((l) => l.stop()));
        await pods.stop();
      }
    }
  };

  for (const s of SERVICES) {
    test(`${s}: ${ROUNDS} rollouts (v1 -> v2 -> v1 ...), each under load through the Service (kube-proxy, a new connection per request) and the EndpointSlices (kept-alive connections) at once: no request fails`, async () => {
      for (let round = 0; round < ROUNDS; round++) {
        const current = (deployment('v1', s).spec.template.spec.containers[0].image === (await getJson<any>(['-n', NAMESPACE, 'deployment', s])).spec.template.spec.containers[0].image) ? 'v1' : 'v2';
        const next = current === 'v1' ? 'v2' : 'v1';
        const { results, counts, seconds } = await rollUnderLoad(s, next);
        expect(results.map((r) => r.mode)).toEqual(MODES);
        for (const result of results) {
          expect(result.failures).toEqual({});
          expect(result.ok).toBe(result.sent);
          // Traffic spanned the switch: both versions answered (below). How many requests a
          // second the generator reaches depends on the machine's load (16 to 200 seen), so the
          // count is printed, and only a floor that any working run passes is asserted.
          expect(result.sent).toBeGreaterThanOrEqual(100);
          expect(Object.keys(result.versions).sort()).toEqual(['v1', 'v2']);
        }
        expect(counts.maxPods).toBeLessThanOrEqual(REPLICAS + 1);
        expect(counts.minReady).toBeGreaterThanOrEqual(REPLICAS);
        expect(seconds).toBeLessThan(deployment(next, s).spec.progressDeadlineSeconds);
      }
    });
  }

  test('rollout undo brings back the env of the revision it restores, in the running pods', async () => {
    // GIVEN hello running with one greeting
    const greetingOf = async () => {
      const ips = await readyPodIps(api, NAMESPACE, 'app.kubernetes.io/name=hello');
      const answers = await Promise.all(ips.map(async (ip) => (await getOnce<{ greeting: string }>(ip, 8080)).greeting));
      return [...new Set(answers)];
    };
    const before = await greetingOf();
    expect(before).toEqual(['hello from goship']);
    // WHEN a new greeting rolls out (same image)
    await synthVersion('greeting', 'hello, rolled', 'v2');
    await applyServerSide(objects.greeting.hello);
    await rolloutStatus(NAMESPACE, 'hello', 300);
    await waitNoTerminating(api, NAMESPACE, 'app.kubernetes.io/name=hello');
    expect(await greetingOf()).toEqual(['hello, rolled']);
    // AND is undone
    await kubectl(['-n', NAMESPACE, 'rollout', 'undo', 'deployment/hello']);
    await rolloutStatus(NAMESPACE, 'hello', 300);
    await waitNoTerminating(api, NAMESPACE, 'app.kubernetes.io/name=hello');
    // THEN the pods answer with the old greeting again
    expect(await greetingOf()).toEqual(before);
  });

  test('a cgo binary on scratch never starts: the rollout stops at maxUnavailable 0, the old pods keep serving, goship verify says why', async () => {
    // GIVEN hello's Dockerfile with cgo switched on, pushed and pinned like any other version
    const outdir = path.join(root, 'cgo', 'dist');
    synthRollout({ outdir, registry: clusterEnv().GOSHIP_CLUSTER_REGISTRY, builderImage, namespace: NAMESPACE, tag: 'cgo' });
    const pushed = await buildAndPush(outdir, ['hello'], cleanup, (text) => {
      expect(text.match(/CGO_ENABLED=0/g)).toHaveLength(1);
      return text.replace('CGO_ENABLED=0', 'CGO_ENABLED=1');
    });
    // (only hello is pushed, so goship pin, which pins every image of the YAML, is not used)
    const cgo = readObjects(path.join(outdir, 'rollout.k8s.yaml')).filter((o) => o.metadata.name === 'hello' || o.metadata.name === 'hello-env');
    cgo.find((o) => o.kind === 'Deployment')!.spec.template.spec.containers[0].image = `${pushed.hello.ref}@${pushed.hello.digest}`;
    const svc = await getJson<any>(['-n', NAMESPACE, 'service', 'hello']);
    const load = await startLoad({ mode: 'service', namespace: NAMESPACE, service: 'hello', rate: 200, maxSeconds: 300 },
      { clusterIp: svc.spec.clusterIP, port: svc.spec.ports[0].port, targetPort: 8080 });
    let result: LoadResult | undefined;
    try {
      // WHEN it rolls out (the rollback before left kubectl owning the image: goship takes it back)
      await applyServerSide(cgo, undefined, true);
      // THEN the new pod's container fails at start, with the kubelet's reason
      let failed: Record<string, any> | undefined;
      for (let i = 0; i < 120 && !failed; i++) {
        await sleep(1000);
        const pods = await getJson<{ items: any[] }>(['-n', NAMESPACE, 'pods', '-l', 'app.kubernetes.io/name=hello']);
        failed = pods.items.find((p) => p.spec.containers[0].image.includes(pushed.hello.digest) && p.status.containerStatuses?.[0]?.lastState?.terminated);
      }
      expect(failed).toBeDefined();
      const status = failed!.status.containerStatuses[0];
      note(`cgo pod: ready ${status.ready}, restarts ${status.restartCount}, state ${JSON.stringify(status.state)}, last ${JSON.stringify(status.lastState)}`);
      expect(status.ready).toBe(false);
      // /app exists, so runc starts the container; the kernel then finds no ELF interpreter
      // and runc's init writes the exec error to the container's stderr and exits 1 (seen with
      // containerd 1.6.20 and runc 1.1.5).
      expect(status.lastState.terminated).toMatchObject({ reason: 'Error', exitCode: 1 });
      // The kubelet keeps one dead container a pod: a restart between reading the status and
      // reading the log removes the one asked for, and the API server then answers "unable to
      // retrieve container logs". Ask again for the newest dead one.
      let log = '';
      for (let i = 0; i < 10 && !log.startsWith('exec '); i++) {
        const pod = await getJson<any>(['-n', NAMESPACE, 'pod', failed!.metadata.name]);
        const current = pod.status.containerStatuses[0].state.terminated ? [] : ['--previous'];
        log = (await kubectl(['-n', NAMESPACE, 'logs', `pod/${failed!.metadata.name}`, ...current], { allowFailure: true })).stdout.trim();
        if (!log.startsWith('exec ')) {
          note(`cgo pod's log not read yet: ${log}`);
          await sleep(1000);
        }
      }
      note(`cgo pod's log: ${log}`);
      expect(log).toBe('exec /app: no such file or directory');
      // AND the rollout is stuck with both old pods ready
      await sleep(10_000);
      const d = await getJson<any>(['-n', NAMESPACE, 'deployment', 'hello']);
      expect(d.status).toMatchObject({ replicas: REPLICAS + 1, updatedReplicas: 1, availableReplicas: REPLICAS, unavailableReplicas: 1 });
      result = await load.stop();
      note(formatLoad('hello -> cgo', result));
      expect(result.failures).toEqual({});
      expect(Object.keys(result.versions)).not.toContain('cgo');
      // AND goship verify on the image in the registry explains why
      const verify = await goship(['verify', `${pushed.hello.ref}@${pushed.hello.digest}`], { env: { ...process.env, DOCKER_CONFIG: cleanup.tmpdir('docker-config') } });
      note(`goship verify: exit ${verify.exitCode}\n${verify.stdout}`);
      expect(verify.exitCode).toBe(1);
      expect(verify.stdout).toContain('exec /app: no such file or directory');
      expect(verify.stdout).toContain('CGO_ENABLED=0');
    } finally {
      if (!result) {
        await load.stop();
      }
      await kubectl(['-n', NAMESPACE, 'rollout', 'undo', 'deployment/hello'], { allowFailure: true });
    }
  });
});
