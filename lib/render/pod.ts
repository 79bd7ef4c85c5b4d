import { PodTemplateSpec, ProbeSpec } from './workload-spec';

/**
 * The pod spec of a workload: a Deployment's template, or a Job's (a run-to-completion pod:
 * its restart policy, no probes, no topology spread). Pure: same spec, same object.
 */
export function renderPodSpec(spec: PodTemplateSpec): Record<string, unknown> {
  const hasFiles = spec.files.length > 0;
  const container = {
    name: spec.name,
    image: spec.imageRef,
    imagePullPolicy: 'IfNotPresent',
    ...(spec.command ? { command: [...spec.command] } : {}),
    ...(spec.args ? { args: [...spec.args] } : {}),
    ...(spec.containerFields ?? {}),
    ...(spec.ports.length > 0 ? { ports: spec.ports.map((p) => ({ name: p.name, containerPort: p.containerPort, protocol: 'TCP' })) } : {}),
    ...(spec.envFrom.length > 0 ? {
      envFrom: spec.envFrom.map((e) => ({
        ...(e.prefix !== undefined ? { prefix: e.prefix } : {}),
        [e.kind === 'configMap' ? 'configMapRef' : 'secretRef']: { name: e.name, ...(e.optional ? { optional: true } : {}) },
      })),
    } : {}),
    ...envList(spec),
    ...(spec.startupProbe ? { startupProbe: probe(spec.startupProbe) } : {}),
    ...(spec.readinessProbe ? { readinessProbe: probe(spec.readinessProbe) } : {}),
    ...(spec.livenessProbe ? { livenessProbe: probe(spec.livenessProbe) } : {}),
    resources: {
      requests: sorted(spec.requests),
      ...(Object.keys(spec.limits).length > 0 ? { limits: sorted(spec.limits) } : {}),
    },
    ...lifecycle(spec),
    securityContext: {
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
      readOnlyRootFilesystem: true,
    },
    volumeMounts: [
      { name: 'tmp', mountPath: '/tmp' },
      ...spec.emptyDirs.map((d) => ({ name: d.volume, mountPath: d.mountPath })),
      ...spec.files.map((f) => ({ name: f.volume, mountPath: f.mountPath, readOnly: true })),
    ],
  };
  return {
    // Off unless asked for: most services never talk to the API server, and a token in the
    // filesystem is a credential an attacker can use.
    automountServiceAccountToken: spec.automountServiceAccountToken,
    ...(spec.serviceAccount ? { serviceAccountName: spec.serviceAccount.name } : {}),
    ...(spec.podFields ?? {}),
    ...(spec.restartPolicy ? { restartPolicy: spec.restartPolicy } : {}),
    securityContext: {
      runAsNonRoot: true,
      runAsUser: spec.runAsUser,
      runAsGroup: spec.runAsGroup,
      // Mounted Secret and ConfigMap files belong to root; this group lets the process read
      // them with a tight mode (0440) instead of a world-readable one.
      ...(hasFiles ? { fsGroup: spec.runAsGroup } : {}),
      seccompProfile: { type: 'RuntimeDefault' },
    },
    // Covers the preStop sleep, then the process's own drain after SIGTERM.
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
    // Replicas of a service spread over nodes; a Job's pods go where there is room.
    ...(spec.restartPolicy ? {} : {
      topologySpreadConstraints: [{
        maxSkew: 1,
        topologyKey: 'kubernetes.io/hostname',
        whenUnsatisfiable: 'ScheduleAnyway',
        labelSelector: { matchLabels: { ...spec.selectorLabels } },
        // Spread each ReplicaSet on its own, so a rollout's new pods spread too.
        matchLabelKeys: ['pod-template-hash'],
      }],
    }),
    ...(spec.initContainers && spec.initContainers.length > 0 ? { initContainers: spec.initContainers.map((c) => ({ ...c })) } : {}),
    containers: [container],
    volumes: [
      { name: 'tmp', emptyDir: { sizeLimit: spec.tmpSizeLimit } },
      ...spec.emptyDirs.map((d) => ({ name: d.volume, emptyDir: { ...(d.inMemory ? { medium: 'Memory' } : {}), sizeLimit: d.sizeLimit } })),
      ...spec.files.map((f) => {
        const items = f.items.length > 0 ? { items: f.items.map((i) => ({ key: i.key, path: i.path })) } : {};
        const optional = f.optional ? { optional: true } : {};
        return f.kind === 'secret'
          ? { name: f.volume, secret: { secretName: f.source, ...items, defaultMode: f.defaultMode, ...optional } }
          : { name: f.volume, configMap: { name: f.source, ...items, defaultMode: f.defaultMode, ...optional } };
      }),
    ],
  };
}

/**
 * Kubernetes' own preStop sleep, so the endpoints drop the pod before SIGTERM arrives (a scratch
 * image needs no sleep binary for it), unless the `lifecycle` prop sets its own hooks: those win,
 * hook by hook.
 */
function lifecycle(spec: PodTemplateSpec): { lifecycle?: Record<string, unknown> } {
  const own = (spec.containerFields?.lifecycle ?? {}) as Record<string, unknown>;
  const hooks = { ...(spec.preStopSleepSeconds > 0 ? { preStop: { sleep: { seconds: spec.preStopSleepSeconds } } } : {}), ...own };
  return Object.keys(hooks).length > 0 ? { lifecycle: hooks } : {};
}

/**
 * Plain values and Secret references, one list sorted by name. Values are inline in the pod
 * template, so a ReplicaSet carries its own env and `kubectl rollout undo` restores it.
 */
function envList(spec: PodTemplateSpec): { env?: unknown[] } {
  const names = [...Object.keys(spec.env), ...Object.keys(spec.secretEnv)].sort();
  if (names.length === 0) {
    return {};
  }
  return {
    env: names.map((name) => {
      if (name in spec.env) {
        return { name, value: spec.env[name] };
      }
      const s = spec.secretEnv[name];
      return { name, valueFrom: { secretKeyRef: { name: s.secret, key: s.key, ...(s.optional ? { optional: true } : {}) } } };
    }),
  };
}

function probe(p: ProbeSpec): Record<string, unknown> {
  const a = p.action;
  const action = a.kind === 'http'
    ? { httpGet: { path: a.path, port: a.port } }
    : a.kind === 'grpc'
      ? { grpc: { port: a.port, ...(a.service !== undefined ? { service: a.service } : {}) } }
      : { tcpSocket: { port: a.port } };
  return {
    ...action,
    ...(p.initialDelaySeconds > 0 ? { initialDelaySeconds: p.initialDelaySeconds } : {}),
    periodSeconds: p.periodSeconds,
    timeoutSeconds: p.timeoutSeconds,
    failureThreshold: p.failureThreshold,
  };
}

/** A copy with keys sorted. */
export function sorted(record: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.keys(record).sort().map((k) => [k, record[k]]));
}
