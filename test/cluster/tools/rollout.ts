/**
 * Applying what goship wrote, and watching a Deployment while it rolls: how many pods ran,
 * how many were ready, how long the rollout took.
 */
import * as fs from 'fs';
import { parseAllDocuments } from 'yaml';
import { ApiClient, kubectl } from './kube';

/** Every object of a synthesized `<chart>.k8s.yaml`, without the kinds the cluster has no CRD for. */
export function readObjects(file: string, skipGroups: readonly string[] = []): Array<Record<string, any>> {
  return parseAllDocuments(fs.readFileSync(file, 'utf8')).map((d) => d.toJS() as Record<string, any>)
    .filter((o) => o && !skipGroups.some((g) => String(o.apiVersion).startsWith(`${g}/`)));
}

/**
 * `kubectl apply --server-side` as goship's field manager. Returns kubectl's stderr: the API
 * server's warnings (deprecations, Pod Security) appear there as `Warning: …` lines. With
 * `forceConflicts`, goship takes back fields another manager changed (after `kubectl rollout
 * undo`, kubectl owns the pod template's image), as a GitOps sync does.
 */
export async function applyServerSide(objects: ReadonlyArray<Record<string, unknown>>, namespace?: string, forceConflicts = false): Promise<string> {
  const input = objects.map((o) => JSON.stringify(o)).join('\n');
  const { stderr } = await kubectl([
    'apply', '--server-side', '--field-manager', 'goship', `--force-conflicts=${forceConflicts}`,
    ...(namespace ? ['-n', namespace] : []), '-f', '-',
  ], { input });
  return stderr;
}

/** Waits until the Deployment's rollout is complete (kubectl rollout status), at most `seconds`. */
export async function rolloutStatus(namespace: string, name: string, seconds: number): Promise<void> {
  await kubectl(['-n', namespace, 'rollout', 'status', `deployment/${name}`, `--timeout=${seconds}s`], { timeoutMs: (seconds + 30) * 1000 });
}

interface PodList {
  items: Array<{
    metadata: { name: string; deletionTimestamp?: string; labels?: Record<string, string> };
    status: { phase?: string; podIP?: string; conditions?: Array<{ type: string; status: string }>; containerStatuses?: Array<Record<string, any>> };
  }>;
}

/** What {@link watchPods} saw. */
export interface PodCounts {
  /** Most pods at once that were not being deleted (what maxSurge bounds). */
  readonly maxPods: number;
  /** Most pods at once, those already terminating included (they still run their preStop sleep and drain). */
  readonly maxPodsWithTerminating: number;
  /** Fewest ready pods at once among those not being deleted (what maxUnavailable bounds). */
  readonly minReady: number;
  readonly samples: number;
}

/** Polls the pods of `selector` every 200 ms until stopped, counting pods and ready pods. */
export function watchPods(api: ApiClient, namespace: string, selector: string): { stop(): Promise<PodCounts> } {
  let maxPods = 0;
  let maxAll = 0;
  let minReady = Number.MAX_SAFE_INTEGER;
  let samples = 0;
  let stopped = false;
  const query = `/api/v1/namespaces/${namespace}/pods?labelSelector=${encodeURIComponent(selector)}`;
  const loop = (async () => {
    while (!stopped) {
      const pods = await api.get<PodList>(query);
      const live = pods.items.filter((p) => !p.metadata.deletionTimestamp && p.status.phase !== 'Succeeded' && p.status.phase !== 'Failed');
      const running = pods.items.filter((p) => p.status.phase !== 'Succeeded' && p.status.phase !== 'Failed');
      const ready = live.filter((p) => p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')).length;
      maxPods = Math.max(maxPods, live.length);
      maxAll = Math.max(maxAll, running.length);
      minReady = Math.min(minReady, ready);
      samples++;
      await new Promise((r) => setTimeout(r, 200));
    }
  })();
  return {
    stop: async () => {
      stopped = true;
      await loop;
      return { maxPods, maxPodsWithTerminating: maxAll, minReady, samples };
    },
  };
}

/** The ready pods' IPs of `selector`. */
export async function readyPodIps(api: ApiClient, namespace: string, selector: string): Promise<string[]> {
  const pods = await api.get<PodList>(`/api/v1/namespaces/${namespace}/pods?labelSelector=${encodeURIComponent(selector)}`);
  return pods.items
    .filter((p) => !p.metadata.deletionTimestamp && p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'))
    .map((p) => p.status.podIP!)
    .filter(Boolean);
}

/** Waits until no pod of `selector` is terminating any more, so the next rollout starts clean. */
export async function waitNoTerminating(api: ApiClient, namespace: string, selector: string, seconds = 120): Promise<void> {
  const until = Date.now() + seconds * 1000;
  for (;;) {
    const pods = await api.get<PodList>(`/api/v1/namespaces/${namespace}/pods?labelSelector=${encodeURIComponent(selector)}`);
    if (!pods.items.some((p) => p.metadata.deletionTimestamp)) {
      return;
    }
    if (Date.now() > until) {
      throw new Error(`pods of ${selector} in ${namespace} still terminating after ${seconds} s`);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}
