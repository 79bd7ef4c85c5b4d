import { createHash } from 'crypto';

/**
 * Renders a goship workload — Deployment, Service, ConfigMap, PodDisruptionBudget — from a
 * fully resolved spec. Pure and deterministic: no I/O, no defaults (the construct applied
 * them), same spec, same objects. Both backends use it.
 */

/** The label goship writes as `app.kubernetes.io/managed-by`. */
export const MANAGED_BY = 'goship';
/** Pod template annotation with the hash of the env ConfigMap's data: a change rolls the pods. */
export const ENV_HASH_ANNOTATION = 'goship.dev/env-hash';
/** The container port (and Service port) name the probes and the Service target. */
export const HTTP_PORT_NAME = 'http';

/** An HTTP GET probe on the `http` container port. */
export interface HttpProbeSpec {
  readonly path: string;
  readonly initialDelaySeconds: number;
  readonly periodSeconds: number;
  readonly timeoutSeconds: number;
  readonly failureThreshold: number;
}

/** A named TCP port: on the container, and on the Service. */
export interface PortSpec {
  readonly name: string;
  readonly containerPort: number;
  readonly servicePort: number;
}

/** A key of an existing Secret. */
export interface SecretKeySpec {
  readonly secret: string;
  readonly key: string;
  readonly optional: boolean;
}

/** Everything the workload is made of, resolved and validated. */
export interface WorkloadSpec {
  /** Name of the Deployment, Service and PodDisruptionBudget, and of the container. */
  readonly name: string;
  readonly namespace?: string;
  /** Labels of every object and of the pods. */
  readonly labels: Readonly<Record<string, string>>;
  /** The stable subset of `labels` that selects the pods. */
  readonly selectorLabels: Readonly<Record<string, string>>;
  readonly imageRef: string;
  /** The `http` port first, then any extra ports. */
  readonly ports: readonly PortSpec[];
  readonly replicas: number;
  readonly maxSurge: number | string;
  readonly maxUnavailable: number | string;
  readonly minReadySeconds: number;
  readonly progressDeadlineSeconds: number;
  readonly revisionHistoryLimit: number;
  readonly readinessProbe: HttpProbeSpec;
  readonly livenessProbe: HttpProbeSpec;
  readonly startupProbe: HttpProbeSpec;
  readonly terminationGracePeriodSeconds: number;
  readonly runAsUser: number;
  readonly runAsGroup: number;
  readonly requests: Readonly<Record<string, string>>;
  /** Empty: no limits. */
  readonly limits: Readonly<Record<string, string>>;
  readonly tmpSizeLimit: string;
  readonly env: Readonly<Record<string, string>>;
  readonly secretEnv: Readonly<Record<string, SecretKeySpec>>;
  /** `kubernetes.io/arch` values; empty: any node. */
  readonly nodeArchitectures: readonly string[];
  /** `ClusterIP`, `NodePort` or `LoadBalancer`. */
  readonly serviceType: string;
  /** The PodDisruptionBudget's one field, or none. */
  readonly disruptionBudget?: { readonly maxUnavailable: number | string } | { readonly minAvailable: number | string };
}

/** A Kubernetes object as plain JSON. */
export interface KubeObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly labels?: Readonly<Record<string, string>> };
  readonly [field: string]: unknown;
}

/** The objects of one workload. */
export interface WorkloadManifests {
  readonly deployment: KubeObject;
  readonly service: KubeObject;
  /** Only with plain environment variables. */
  readonly configMap?: KubeObject;
  /** Only with a disruption budget. */
  readonly podDisruptionBudget?: KubeObject;
}

/** Object names of a workload called `name`: clean and stable, never hashed. */
export function workloadNames(name: string): { deployment: string; service: string; configMap: string; podDisruptionBudget: string } {
  return { deployment: name, service: name, configMap: `${name}-env`, podDisruptionBudget: name };
}

/** Renders the workload's objects. */
export function renderWorkload(spec: WorkloadSpec): WorkloadManifests {
  const names = workloadNames(spec.name);
  const hasEnv = Object.keys(spec.env).length > 0;
  const meta = (name: string) => ({ name, ...(spec.namespace ? { namespace: spec.namespace } : {}), labels: { ...spec.labels } });
  return {
    deployment: {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: meta(names.deployment),
      spec: {
        replicas: spec.replicas,
        revisionHistoryLimit: spec.revisionHistoryLimit,
        minReadySeconds: spec.minReadySeconds,
        progressDeadlineSeconds: spec.progressDeadlineSeconds,
        selector: { matchLabels: { ...spec.selectorLabels } },
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: spec.maxSurge, maxUnavailable: spec.maxUnavailable } },
        template: {
          metadata: {
            labels: { ...spec.labels },
            ...(hasEnv ? { annotations: { [ENV_HASH_ANNOTATION]: hashOf(spec.env) } } : {}),
          },
          spec: renderPodSpec(spec, hasEnv ? names.configMap : undefined),
        },
      },
    },
    service: {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: meta(names.service),
      spec: {
        type: spec.serviceType,
        selector: { ...spec.selectorLabels },
        ports: spec.ports.map((p) => ({ name: p.name, port: p.servicePort, targetPort: p.name, protocol: 'TCP' })),
      },
    },
    ...(hasEnv ? {
      configMap: {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: meta(names.configMap),
        data: sorted(spec.env),
      },
    } : {}),
    ...(spec.disruptionBudget ? {
      podDisruptionBudget: {
        apiVersion: 'policy/v1',
        kind: 'PodDisruptionBudget',
        metadata: meta(names.podDisruptionBudget),
        spec: {
          ...spec.disruptionBudget,
          selector: { matchLabels: { ...spec.selectorLabels } },
          // Lets drains evict pods that are not ready anyway (crash-looping), so a broken
          // pod cannot block a node upgrade.
          unhealthyPodEvictionPolicy: 'AlwaysAllow',
        },
      },
    } : {}),
  };
}

function renderPodSpec(spec: WorkloadSpec, configMapName: string | undefined): Record<string, unknown> {
  const secretNames = Object.keys(spec.secretEnv).sort();
  const container = {
    name: spec.name,
    image: spec.imageRef,
    imagePullPolicy: 'IfNotPresent',
    ports: spec.ports.map((p) => ({ name: p.name, containerPort: p.containerPort, protocol: 'TCP' })),
    ...(configMapName ? { envFrom: [{ configMapRef: { name: configMapName } }] } : {}),
    ...(secretNames.length > 0 ? {
      env: secretNames.map((name) => {
        const s = spec.secretEnv[name];
        return { name, valueFrom: { secretKeyRef: { name: s.secret, key: s.key, ...(s.optional ? { optional: true } : {}) } } };
      }),
    } : {}),
    startupProbe: httpProbe(spec.startupProbe),
    readinessProbe: httpProbe(spec.readinessProbe),
    livenessProbe: httpProbe(spec.livenessProbe),
    resources: {
      requests: sorted(spec.requests),
      ...(Object.keys(spec.limits).length > 0 ? { limits: sorted(spec.limits) } : {}),
    },
    securityContext: {
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
      readOnlyRootFilesystem: true,
    },
    volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
  };
  return {
    // The pods never talk to the API server: no token in the filesystem. No ServiceAccount
    // is created; the namespace's `default` one is used.
    automountServiceAccountToken: false,
    securityContext: {
      runAsNonRoot: true,
      runAsUser: spec.runAsUser,
      runAsGroup: spec.runAsGroup,
      seccompProfile: { type: 'RuntimeDefault' },
    },
    // No preStop hook: a scratch image has no `sleep`. The service keeps serving for a
    // moment after SIGTERM, then drains within this period.
    terminationGracePeriodSeconds: spec.terminationGracePeriodSeconds,
    ...(spec.nodeArchitectures.length > 0 ? {
      affinity: {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/arch', operator: 'In', values: [...spec.nodeArchitectures].sort() }] }],
          },
        },
      },
    } : {}),
    topologySpreadConstraints: [{
      maxSkew: 1,
      topologyKey: 'kubernetes.io/hostname',
      whenUnsatisfiable: 'ScheduleAnyway',
      labelSelector: { matchLabels: { ...spec.selectorLabels } },
      // Spread each ReplicaSet on its own, so a rollout's new pods spread too.
      matchLabelKeys: ['pod-template-hash'],
    }],
    containers: [container],
    volumes: [{ name: 'tmp', emptyDir: { sizeLimit: spec.tmpSizeLimit } }],
  };
}

function httpProbe(p: HttpProbeSpec): Record<string, unknown> {
  return {
    httpGet: { path: p.path, port: HTTP_PORT_NAME },
    ...(p.initialDelaySeconds > 0 ? { initialDelaySeconds: p.initialDelaySeconds } : {}),
    periodSeconds: p.periodSeconds,
    timeoutSeconds: p.timeoutSeconds,
    failureThreshold: p.failureThreshold,
  };
}

function sorted(record: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.keys(record).sort().map((k) => [k, record[k]]));
}

/** A short, stable hash of a string map (keys sorted). */
function hashOf(record: Readonly<Record<string, string>>): string {
  return createHash('sha256').update(JSON.stringify(sorted(record))).digest('hex').slice(0, 16);
}
