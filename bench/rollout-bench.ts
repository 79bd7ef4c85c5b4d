/**
 * Rollout bench on the real cluster (scripts/cluster.sh must run): the same image, the
 * Shutdown-at-once service of test/cluster/fixtures/shutdown, deployed twice side by side in
 * one namespace — once by goship's RollingDeployment with its defaults, once by a cdk8s-plus-27
 * Deployment with its defaults — and rolled v1 <-> v2 ROUNDS times each under load through the
 * Service (new connection per request) and through the EndpointSlices (kept-alive). Prints the
 * rollout durations and failed requests as a table. Nothing is asserted.
 *
 *   npx ts-node --transpile-only bench/rollout-bench.ts [rounds]
 */
import * as path from 'path';
import { App, Chart, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { synthRollout } from '../test/cluster/tools/charts';
import { buildAndPush, clusterBuilderImage, pinFromRegistry } from '../test/cluster/tools/images';
import { ApiClient, clusterEnv, createNamespace, getJson, kubectl } from '../test/cluster/tools/kube';
import { LoadMode, startLoad } from '../test/cluster/tools/load';
import { applyServerSide, readObjects, rolloutStatus, waitNoTerminating } from '../test/cluster/tools/rollout';
import { Cleanup } from '../test/e2e/tools/cleanup';

const NAMESPACE = 'goship-bench';
const ROUNDS = Number(process.argv[2] ?? 3);

type Row = { variant: string; mode: LoadMode; seconds: number[]; failed: number[]; sent: number[]; causes: Record<string, number> };

/**
 * The cdk8s-plus-27 Deployment with its defaults, and its Service. Two things are set: the port
 * the service listens on, and goship's requests and memory limit instead of cdk8s-plus's (a whole
 * CPU requested per pod would leave the surge pod unschedulable on the 2-core node, and the
 * rollout would never start).
 */
function plainObjects(image: string): Array<Record<string, any>> {
  const app = new App();
  const chart = new Chart(app, 'plain', { namespace: NAMESPACE });
  const d = new kplus.Deployment(chart, 'plain', {
    containers: [{
      image,
      portNumber: 8080,
      resources: { cpu: { request: kplus.Cpu.millis(50) }, memory: { request: Size.mebibytes(32), limit: Size.mebibytes(128) } },
    }],
  });
  d.exposeViaService({ name: 'plain', ports: [{ port: 80, targetPort: 8080 }] });
  return chart.toJson() as Array<Record<string, any>>;
}

async function main(): Promise<void> {
  const cleanup = new Cleanup();
  const api = new ApiClient();
  try {
    const root = cleanup.tmpdir('bench-rollout');
    const builderImage = await clusterBuilderImage();
    const registry = clusterEnv().GOSHIP_CLUSTER_REGISTRY;
    cleanup.add(`delete namespace ${NAMESPACE}`, await createNamespace(NAMESPACE, 'baseline'));
    // The same images for both: the Shutdown-at-once service, v1 and v2, pinned by digest.
    const versions: Record<string, { goship: Array<Record<string, any>>; plain: Array<Record<string, any>> }> = {};
    for (const tag of ['v1', 'v2']) {
      const outdir = path.join(root, tag, 'dist');
      const file = synthRollout({ outdir, registry, builderImage, namespace: NAMESPACE, tag });
      await buildAndPush(outdir, ['shutdown'], cleanup);
      await pinFromRegistry(outdir, path.join(root, tag, 'pins.json'), cleanup);
      const goship = readObjects(file).filter((o) => o.metadata.name === 'shutdown' || o.metadata.name === 'shutdown-env');
      const image = goship.find((o) => o.kind === 'Deployment')!.spec.template.spec.containers[0].image as string;
      versions[tag] = { goship, plain: plainObjects(image) };
    }
    const deploymentName = (objs: Array<Record<string, any>>) => objs.find((o) => o.kind === 'Deployment')!.metadata.name as string;
    const rows: Row[] = [];
    for (const variant of ['goship', 'plain'] as const) {
      await applyServerSide(versions.v1[variant]);
      const name = deploymentName(versions.v1[variant]);
      await rolloutStatus(NAMESPACE, name, 600);
      const service = variant === 'goship' ? 'shutdown' : 'plain';
      const svc = await getJson<any>(['-n', NAMESPACE, 'service', service]);
      for (const mode of ['service', 'endpoints'] as const) {
        const row: Row = { variant, mode, seconds: [], failed: [], sent: [], causes: {} };
        for (let round = 0; round < ROUNDS; round++) {
          const next = round % 2 === 0 ? 'v2' : 'v1';
          const load = await startLoad({ mode, namespace: NAMESPACE, service, rate: 200, maxSeconds: 600 },
            { clusterIp: svc.spec.clusterIP, port: svc.spec.ports[0].port, targetPort: 8080 });
          await new Promise((r) => setTimeout(r, 2000));
          const started = Date.now();
          await applyServerSide(versions[next][variant]);
          await rolloutStatus(NAMESPACE, name, 600);
          row.seconds.push((Date.now() - started) / 1000);
          await waitNoTerminating(api, NAMESPACE, `app.kubernetes.io/name=shutdown`).catch(() => undefined);
          await waitNoTerminating(api, NAMESPACE, `cdk8s.io/metadata.addr=${versions.v1.plain.find((o) => o.kind === 'Deployment')!.spec.selector.matchLabels['cdk8s.io/metadata.addr']}`).catch(() => undefined);
          await new Promise((r) => setTimeout(r, 1000));
          const result = await load.stop();
          row.failed.push(result.failed);
          row.sent.push(result.sent);
          for (const [k, v] of Object.entries(result.failures)) {
            row.causes[k] = (row.causes[k] ?? 0) + v;
          }
          process.stderr.write(`bench: ${variant} ${mode} round ${round + 1}: ${row.seconds[round].toFixed(1)} s, ${result.failed} of ${result.sent} failed\n`);
        }
        rows.push(row);
        // Back to v1 for the next mode.
        if (ROUNDS % 2 === 1) {
          await applyServerSide(versions.v1[variant]);
          await rolloutStatus(NAMESPACE, name, 600);
        }
      }
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
    const lines = [
      `Rollouts of the Shutdown-at-once service, ${ROUNDS} per row, 2 replicas, 200 requests/s, no retries`,
      '',
      '| Deployment | load path | rollout s (median) | failed requests | of sent | failures |',
      '|---|---|---:|---:|---:|---|',
      ...rows.map((r) => `| ${r.variant === 'goship' ? 'goship RollingDeployment defaults' : 'cdk8s-plus-27 Deployment defaults'} | ${r.mode === 'service' ? 'Service, new connections' : 'EndpointSlices, keep-alive'} | ${median(r.seconds).toFixed(1)} | ${sum(r.failed)} | ${sum(r.sent)} | ${Object.entries(r.causes).map(([k, v]) => `${k} ${v}`).join(', ') || '-'} |`),
    ];
    const g = rows.filter((r) => r.variant === 'goship');
    const p = rows.filter((r) => r.variant === 'plain');
    lines.push('', `cdk8s-plus / goship: rollout time ${(median(p.flatMap((r) => r.seconds)) / median(g.flatMap((r) => r.seconds))).toFixed(2)}x, failed requests ${sum(p.flatMap((r) => r.failed))} against ${sum(g.flatMap((r) => r.failed))}`);
    process.stdout.write(`${lines.join('\n')}\n`);
    await kubectl(['-n', NAMESPACE, 'get', 'deployments'], { allowFailure: true });
  } finally {
    api.close();
    await cleanup.run();
  }
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
