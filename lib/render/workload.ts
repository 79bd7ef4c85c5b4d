import { renderPodSpec, sorted } from './pod';
import { renderAutoscaler, renderIngress, renderNetworkPolicy, renderRoute, renderService } from './traffic';
import { KubeObject, WorkloadSpec } from './workload-spec';

/**
 * Renders a goship workload — ServiceAccount, Deployment, Service, PodDisruptionBudget,
 * HorizontalPodAutoscaler, Ingress, routes, NetworkPolicy — from a fully resolved spec. Pure
 * and deterministic: no I/O, no defaults (the construct applied them), same spec, same
 * objects. Both backends use it.
 */

export * from './workload-spec';

/** The objects of one workload, each present only when the spec asks for it. */
export interface WorkloadManifests {
  readonly serviceAccount?: KubeObject;
  readonly deployment: KubeObject;
  /** Absent when no port is on the Service (a worker). */
  readonly service?: KubeObject;
  readonly podDisruptionBudget?: KubeObject;
  readonly horizontalPodAutoscaler?: KubeObject;
  readonly ingress?: KubeObject;
  readonly httpRoute?: KubeObject;
  readonly grpcRoute?: KubeObject;
  readonly networkPolicy?: KubeObject;
}

/** Every object of a workload in apply order, the ServiceAccount before the pods that use it. */
export function manifestList(m: WorkloadManifests): KubeObject[] {
  return [m.serviceAccount, m.deployment, m.service, m.podDisruptionBudget, m.horizontalPodAutoscaler, m.ingress, m.httpRoute, m.grpcRoute, m.networkPolicy]
    .filter((o): o is KubeObject => o !== undefined);
}

/** Renders the workload's objects. Every object is named after the workload: clean and stable, never hashed. */
export function renderWorkload(spec: WorkloadSpec): WorkloadManifests {
  const meta = (name = spec.name, annotations?: Readonly<Record<string, string>>) => ({
    name,
    ...(spec.namespace ? { namespace: spec.namespace } : {}),
    labels: { ...spec.labels },
    ...(annotations && Object.keys(annotations).length > 0 ? { annotations: sorted(annotations) } : {}),
  });
  const sa = spec.serviceAccount;
  return {
    ...(sa?.create ? {
      serviceAccount: {
        apiVersion: 'v1',
        kind: 'ServiceAccount',
        metadata: meta(sa.name, sa.annotations),
        // Pods opt in (automountServiceAccountToken on the pod spec wins over this).
        automountServiceAccountToken: false,
      },
    } : {}),
    deployment: {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: meta(),
      spec: {
        // Left out under an autoscaler: every apply would otherwise reset what it scaled.
        ...(spec.replicas !== undefined ? { replicas: spec.replicas } : {}),
        revisionHistoryLimit: spec.revisionHistoryLimit,
        minReadySeconds: spec.minReadySeconds,
        progressDeadlineSeconds: spec.progressDeadlineSeconds,
        selector: { matchLabels: { ...spec.selectorLabels } },
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: spec.maxSurge, maxUnavailable: spec.maxUnavailable } },
        template: {
          metadata: {
            labels: { ...spec.labels, ...spec.podLabels },
            ...(spec.podAnnotations && Object.keys(spec.podAnnotations).length > 0 ? { annotations: sorted(spec.podAnnotations) } : {}),
          },
          spec: renderPodSpec(spec),
        },
      },
    },
    ...optional('service', renderService(spec, meta())),
    ...(spec.disruptionBudget ? {
      podDisruptionBudget: {
        apiVersion: 'policy/v1',
        kind: 'PodDisruptionBudget',
        metadata: meta(),
        spec: {
          ...spec.disruptionBudget,
          selector: { matchLabels: { ...spec.selectorLabels } },
          // Lets drains evict pods that are not ready anyway (crash-looping), so a broken
          // pod cannot block a node upgrade.
          unhealthyPodEvictionPolicy: 'AlwaysAllow',
        },
      },
    } : {}),
    ...optional('horizontalPodAutoscaler', renderAutoscaler(spec, meta())),
    ...optional('ingress', renderIngress(spec, meta())),
    ...optional('httpRoute', renderRoute('HTTPRoute', spec, meta())),
    ...optional('grpcRoute', renderRoute('GRPCRoute', spec, meta())),
    ...optional('networkPolicy', renderNetworkPolicy(spec, meta())),
  };
}

function optional<K extends string>(key: K, object: KubeObject | undefined): { [k in K]?: KubeObject } {
  return (object ? { [key]: object } : {}) as { [k in K]?: KubeObject };
}
