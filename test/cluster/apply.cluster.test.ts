/**
 * What `npm run synth` writes for examples/hello and examples/shop, applied server-side to a
 * real cluster (scripts/cluster.sh) in namespaces that enforce Pod Security `restricted` at the
 * cluster's version: images built from goship's Dockerfiles, pushed to the cluster's registry
 * and pulled by the digests `goship pin` wrote.
 */
import * as path from 'path';
import { HelloChart } from '../../examples/hello/hello-chart';
import { ShopChart } from '../../examples/shop/shop-chart';
import { GoshipApp, Platform } from '../../lib';
import { Cleanup } from '../e2e/tools/cleanup';
import { startModuleRelay } from '../e2e/tools/module-relay';
import { REPO_ROOT } from '../e2e/tools/process';
import { buildAndPush, clusterBuilderImage, pinFromRegistry } from './tools/images';
import { clusterEnv, createNamespace, getJson, kubectl, requireCluster, serverMinorVersion } from './tools/kube';
import { applyServerSide, readObjects, rolloutStatus } from './tools/rollout';

const describeCluster = requireCluster() ? describe : describe.skip;
/** No CRD for the Gateway API here (nothing can be downloaded): its routes are left out. */
const NO_CRD = ['gateway.networking.k8s.io'];
const note = (line: string) => process.stdout.write(`cluster: ${line}\n`);

describeCluster('goship output applied to a real cluster', () => {
  const cleanup = new Cleanup();
  const namespaces = { hello: 'goship-hello', shop: 'goship-shop' };
  const objects: Record<'hello' | 'shop', Array<Record<string, any>>> = { hello: [], shop: [] };
  const warnings: Record<string, string> = {};
  let digests: Record<string, string>;

  beforeAll(async () => {
    const registry = clusterEnv().GOSHIP_CLUSTER_REGISTRY;
    const builderImage = await clusterBuilderImage();
    const root = cleanup.tmpdir('apply');
    const outdir = path.join(root, 'dist');
    const app = new GoshipApp({ outdir, rootdir: REPO_ROOT, pinsFile: path.join(root, 'pins.json') });
    // The builds download modules through the machine's own module proxy (the builder image's
    // default, the public proxy, cannot be reached), relayed on 127.0.0.1.
    const goProxy = (await startModuleRelay(cleanup)).url;
    new HelloChart(app, 'hello', { builderImage, goProxy, platforms: [Platform.LINUX_AMD64], repository: `${registry}/goship-test/hello-example`, namespace: namespaces.hello });
    new ShopChart(app, 'shop', { builderImage, goProxy, platforms: [Platform.LINUX_AMD64], registry: `${registry}/goship-test/shop`, namespace: namespaces.shop });
    app.synth();
    // Bake targets are named after the image's repository (hello's is `…/hello-example`).
    const pushed = await buildAndPush(outdir, ['hello-example', 'shop-api', 'shop-worker', 'shop-grpc'], cleanup);
    digests = Object.fromEntries(Object.entries(pushed).map(([k, v]) => [k, v.digest]));
    await pinFromRegistry(outdir, path.join(root, 'pins.json'), cleanup);
    const version = await serverMinorVersion();
    for (const chart of ['hello', 'shop'] as const) {
      cleanup.add(`delete namespace ${namespaces[chart]}`, await createNamespace(namespaces[chart], 'restricted', `v${version}`));
      objects[chart] = readObjects(path.join(outdir, `${chart}.k8s.yaml`), NO_CRD);
    }
    await kubectl(['-n', namespaces.hello, 'create', 'secret', 'generic', 'hello-api', '--from-literal=api-key=test-key']);
    await kubectl(['-n', namespaces.shop, 'create', 'secret', 'generic', 'shop-api-signing', '--from-literal=key=test-signing-key']);
    for (const chart of ['hello', 'shop'] as const) {
      warnings[chart] = await applyServerSide(objects[chart]);
    }
  });

  afterAll(() => cleanup.run());

  test('every object is applied server-side without an error or a warning (Pod Security restricted enforced, warned and audited)', () => {
    expect(warnings).toEqual({ hello: '', shop: '' });
    const kinds = [...new Set([...objects.hello, ...objects.shop].map((o) => o.kind))].sort();
    note(`applied kinds: ${kinds.join(', ')}`);
    expect(kinds).toEqual(expect.arrayContaining(['Deployment', 'HorizontalPodAutoscaler', 'Ingress', 'NetworkPolicy', 'PodDisruptionBudget', 'Service', 'ServiceAccount']));
  });

  test('every Deployment becomes Available, running the pinned digests, and every Service gets ready endpoints', async () => {
    for (const chart of ['hello', 'shop'] as const) {
      for (const d of objects[chart].filter((o) => o.kind === 'Deployment')) {
        await rolloutStatus(namespaces[chart], d.metadata.name, 300);
        const live = await getJson<any>(['-n', namespaces[chart], 'deployment', d.metadata.name]);
        expect(live.status.conditions.find((c: any) => c.type === 'Available')?.status).toBe('True');
        const image = live.spec.template.spec.containers[0].image as string;
        expect(image).toMatch(/@sha256:[0-9a-f]{64}$/);
        expect(Object.values(digests)).toContain(image.split('@')[1]);
        const pods = await getJson<{ items: any[] }>(['-n', namespaces[chart], 'pods', '-l', `app.kubernetes.io/name=${d.metadata.name}`]);
        for (const p of pods.items.filter((x) => !x.metadata.deletionTimestamp)) {
          expect(p.status.containerStatuses[0].imageID).toContain(image.split('@')[1]);
        }
      }
      for (const s of objects[chart].filter((o) => o.kind === 'Service')) {
        const slices = await getJson<{ items: any[] }>(['-n', namespaces[chart], 'endpointslices', '-l', `kubernetes.io/service-name=${s.metadata.name}`]);
        const ready = slices.items.flatMap((x) => x.endpoints ?? []).filter((e: any) => e.conditions.ready);
        note(`${chart}: Service ${s.metadata.name} has ${ready.length} ready endpoints`);
        expect(ready.length).toBeGreaterThanOrEqual(1);
      }
    }
  });

  test('the HPA, PDB, NetworkPolicy, ServiceAccount and Ingress are stored as written', async () => {
    for (const chart of ['hello', 'shop'] as const) {
      for (const o of objects[chart].filter((x) => ['HorizontalPodAutoscaler', 'PodDisruptionBudget', 'NetworkPolicy', 'ServiceAccount', 'Ingress'].includes(x.kind))) {
        const live = await getJson<any>(['-n', namespaces[chart], `${o.kind.toLowerCase()}.${o.apiVersion.includes('/') ? o.apiVersion.split('/')[0] : ''}`.replace(/\.$/, ''), o.metadata.name]);
        expect(live.spec ?? {}).toMatchObject(o.spec ?? {});
      }
    }
  });

  test('re-applying after the autoscaler changed the scale does not reset replicas and has no conflict', async () => {
    // GIVEN the HPA's scale change (through the scale subresource, as the HPA writes it)
    const ns = namespaces.shop;
    await kubectl(['-n', ns, 'scale', 'deployment/shop-api', '--replicas=3']);
    // WHEN goship's objects are applied again
    const again = await applyServerSide(objects.shop);
    // THEN
    expect(again).toBe('');
    const live = await getJson<any>(['-n', ns, 'deployment', 'shop-api', '--show-managed-fields']);
    expect(live.spec.replicas).toBe(3);
    const goshipFields = live.metadata.managedFields.filter((m: any) => m.manager === 'goship').map((m: any) => JSON.stringify(m.fieldsV1));
    expect(goshipFields.join('')).not.toContain('"f:replicas"');
  });
});
