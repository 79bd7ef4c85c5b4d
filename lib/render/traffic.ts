import { KubeObject, NetworkRuleSpec, PeerSpec, RouteSpec, WorkloadSpec } from './workload-spec';

/**
 * The objects that bring traffic to a workload or scale it: Service, Ingress, Gateway API
 * routes, NetworkPolicy and HorizontalPodAutoscaler. Pure: same spec, same objects.
 */

type Meta = KubeObject['metadata'];

/** The Service over the ports that are on it; none when nothing is. */
export function renderService(spec: WorkloadSpec, metadata: Meta): KubeObject | undefined {
  const ports = spec.ports.filter((p) => p.servicePort !== undefined);
  if (ports.length === 0) {
    return undefined;
  }
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata,
    spec: {
      type: spec.serviceType,
      selector: { ...spec.selectorLabels },
      ports: ports.map((p) => ({
        name: p.name,
        port: p.servicePort,
        targetPort: p.name,
        protocol: 'TCP',
        ...(p.appProtocol !== undefined ? { appProtocol: p.appProtocol } : {}),
      })),
    },
  };
}

/** The HorizontalPodAutoscaler, if the workload autoscales. */
export function renderAutoscaler(spec: WorkloadSpec, metadata: Meta): KubeObject | undefined {
  const a = spec.autoscaling;
  if (!a) {
    return undefined;
  }
  const utilization = (name: string, averageUtilization: number) => ({ type: 'Resource', resource: { name, target: { type: 'Utilization', averageUtilization } } });
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata,
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: spec.name },
      minReplicas: a.minReplicas,
      maxReplicas: a.maxReplicas,
      metrics: [
        ...(a.cpuUtilization !== undefined ? [utilization('cpu', a.cpuUtilization)] : []),
        ...(a.memoryUtilization !== undefined ? [utilization('memory', a.memoryUtilization)] : []),
      ],
      behavior: { scaleDown: { stabilizationWindowSeconds: a.scaleDownStabilizationSeconds } },
    },
  };
}

/** The Ingress, if any: every host and path to the Service's main port, by name. */
export function renderIngress(spec: WorkloadSpec, metadata: Meta): KubeObject | undefined {
  const i = spec.ingress;
  if (!i) {
    return undefined;
  }
  const http = {
    paths: i.paths.map((path) => ({ path, pathType: 'Prefix', backend: { service: { name: spec.name, port: { name: i.port } } } })),
  };
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata,
    spec: {
      ...(i.className !== undefined ? { ingressClassName: i.className } : {}),
      ...(i.tlsSecret !== undefined ? { tls: [{ hosts: [...i.hosts], secretName: i.tlsSecret }] } : {}),
      rules: i.hosts.length > 0 ? i.hosts.map((host) => ({ host, http })) : [{ http }],
    },
  };
}

/** A Gateway API route, if any. */
export function renderRoute(kind: 'HTTPRoute' | 'GRPCRoute', spec: WorkloadSpec, metadata: Meta): KubeObject | undefined {
  const r: RouteSpec | undefined = kind === 'HTTPRoute' ? spec.httpRoute : spec.grpcRoute;
  if (!r) {
    return undefined;
  }
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind,
    metadata,
    spec: {
      parentRefs: r.parentRefs.map((p) => ({
        name: p.name,
        ...(p.namespace !== undefined ? { namespace: p.namespace } : {}),
        ...(p.sectionName !== undefined ? { sectionName: p.sectionName } : {}),
      })),
      ...(r.hostnames.length > 0 ? { hostnames: [...r.hostnames] } : {}),
      rules: [{
        ...(r.paths.length > 0 ? { matches: r.paths.map((value) => ({ path: { type: 'PathPrefix', value } })) } : {}),
        backendRefs: [{ name: spec.name, port: r.port }],
      }],
    },
  };
}

/** The NetworkPolicy, if asked for: the pods admit only the listed peers, each to its ports. */
export function renderNetworkPolicy(spec: WorkloadSpec, metadata: Meta): KubeObject | undefined {
  const rules: readonly NetworkRuleSpec[] | undefined = spec.networkPolicy;
  if (!rules) {
    return undefined;
  }
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata,
    spec: {
      podSelector: { matchLabels: { ...spec.selectorLabels } },
      policyTypes: ['Ingress'],
      ingress: rules.map((r) => ({
        from: r.from.map(peer),
        ports: r.ports.map((port) => ({ protocol: 'TCP', port })),
      })),
    },
  };
}

function peer(p: PeerSpec): Record<string, unknown> {
  return {
    ...(p.namespace !== undefined ? { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': p.namespace } } } : {}),
    ...(p.podLabels !== undefined ? { podSelector: { matchLabels: { ...p.podLabels } } } : {}),
  };
}
