import { ValidationError } from '../model/errors';
import { PropNames, rejectUnknownProps } from '../model/known-props';
import { dns1035Label, dns1123Label, portName, portNumber, toDns1035Label } from '../model/names';
import { HTTP_PORT_NAME, MANAGED_BY, PortSpec, WorkloadSpec } from '../render/workload';
import { resolveEnv } from './env';
import { readImage } from './image-facts';
import { resolveProbes, wholeSeconds } from './probes';
import { resolveResources } from './resources';
import type { RollingDeploymentProps } from './rolling-deployment';
import { ServiceType } from './service-type';
import { DisruptionBudget, PodCount, RolloutStrategy } from './strategy';

/** Every prop of RollingDeployment: the compiler keeps this list and the interface in step. */
const ROLLING_DEPLOYMENT_PROPS: PropNames<RollingDeploymentProps> = {
  image: true,
  name: true,
  namespace: true,
  replicas: true,
  strategy: true,
  minReadySeconds: true,
  progressDeadlineSeconds: true,
  revisionHistoryLimit: true,
  healthPath: true,
  livenessPath: true,
  readinessProbe: true,
  livenessProbe: true,
  startupProbe: true,
  terminationGracePeriodSeconds: true,
  resources: true,
  env: true,
  secretEnv: true,
  serviceType: true,
  servicePort: true,
  extraPorts: true,
  disruptionBudget: true,
  port: true,
  runAsUser: true,
  runAsGroup: true,
  nodeArchitectures: true,
};

/** The props of a RollingDeployment, defaults applied and checked, ready to render. */
export interface ResolvedWorkload {
  readonly spec: WorkloadSpec;
  readonly strategy: RolloutStrategy;
  readonly disruptionBudget: DisruptionBudget;
  readonly port: number;
  readonly uid: number;
  readonly gid: number;
}

/**
 * Applies every default and checks every prop; throws a {@link ValidationError} without a
 * path (the construct adds its own). `id` names the workload when `name` is not given.
 */
export function resolveWorkload(id: string, props: RollingDeploymentProps, chartNamespace?: string): ResolvedWorkload {
  if (typeof props !== 'object' || props === null) {
    throw ValidationError.invalid('props', props, 'are required', "pass at least { image }");
  }
  rejectUnknownProps(props, ROLLING_DEPLOYMENT_PROPS, 'RollingDeployment');
  const name = resolveName(id, props.name);
  const namespace = props.namespace !== undefined ? dns1123Label('namespace', props.namespace) : chartNamespace;
  const image = readImage(props.image, props);

  const replicas = props.replicas ?? 2;
  if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) {
    throw ValidationError.invalid('replicas', replicas, 'must be a whole number of pods, 0 or more', 'use e.g. 2 (one pod can then be replaced or evicted while the other serves)');
  }
  const strategy = props.strategy ?? RolloutStrategy.rollingUpdate();
  if (!(strategy instanceof RolloutStrategy)) {
    throw ValidationError.invalid('strategy', strategy, 'not a RolloutStrategy', 'use RolloutStrategy.rollingUpdate({ maxSurge, maxUnavailable })');
  }
  strategy.check();
  const minReadySeconds = wholeSeconds('minReadySeconds', props.minReadySeconds ?? 5, 0);
  const progressDeadlineSeconds = wholeSeconds('progressDeadlineSeconds', props.progressDeadlineSeconds ?? 600, 1);
  if (progressDeadlineSeconds <= minReadySeconds) {
    throw ValidationError.invalid('progressDeadlineSeconds', progressDeadlineSeconds, `must be greater than minReadySeconds (${minReadySeconds}), or no rollout could ever complete in time`, `use e.g. ${Math.max(600, minReadySeconds + 60)}`);
  }
  const revisionHistoryLimit = wholeSeconds('revisionHistoryLimit', props.revisionHistoryLimit ?? 5, 0);
  const terminationGracePeriodSeconds = wholeSeconds('terminationGracePeriodSeconds', props.terminationGracePeriodSeconds ?? 30, 1);

  const probes = resolveProbes(props);
  const resources = resolveResources(props.resources);
  const env = resolveEnv(props.env, props.secretEnv);
  const serviceType = props.serviceType ?? ServiceType.CLUSTER_IP;
  if (!(serviceType instanceof ServiceType)) {
    throw ValidationError.invalid('serviceType', serviceType, 'not a ServiceType', 'use ServiceType.CLUSTER_IP, NODE_PORT or LOAD_BALANCER');
  }
  const ports = resolvePorts(image.port, props.servicePort ?? 80, props.extraPorts ?? {});

  const disruptionBudget = props.disruptionBudget
    ?? (replicas > 1 ? DisruptionBudget.maxUnavailable(PodCount.absolute(1)) : DisruptionBudget.none());
  if (!(disruptionBudget instanceof DisruptionBudget)) {
    throw ValidationError.invalid('disruptionBudget', disruptionBudget, 'not a DisruptionBudget', 'use DisruptionBudget.maxUnavailable(PodCount.absolute(1)) or DisruptionBudget.none()');
  }
  disruptionBudget.check(replicas);

  const selectorLabels = {
    'app.kubernetes.io/instance': name,
    'app.kubernetes.io/name': name,
  };
  const labels = {
    ...selectorLabels,
    'app.kubernetes.io/managed-by': MANAGED_BY,
    ...(image.version !== undefined ? { 'app.kubernetes.io/version': image.version } : {}),
  };
  const spec: WorkloadSpec = {
    name,
    namespace,
    labels,
    selectorLabels,
    imageRef: image.imageRef,
    ports,
    replicas,
    maxSurge: strategy.maxSurge.value,
    maxUnavailable: strategy.maxUnavailable.value,
    minReadySeconds,
    progressDeadlineSeconds,
    revisionHistoryLimit,
    readinessProbe: probes.readiness,
    livenessProbe: probes.liveness,
    startupProbe: probes.startup,
    terminationGracePeriodSeconds,
    runAsUser: image.uid,
    runAsGroup: image.gid,
    requests: resources.requests,
    limits: resources.limits,
    tmpSizeLimit: resources.tmpSizeLimit,
    env: env.env,
    secretEnv: env.secretEnv,
    nodeArchitectures: image.architectures,
    serviceType: serviceType.type,
    disruptionBudget: disruptionBudget.count && disruptionBudget.kind !== 'none'
      ? (disruptionBudget.kind === 'maxUnavailable' ? { maxUnavailable: disruptionBudget.count.value } : { minAvailable: disruptionBudget.count.value })
      : undefined,
  };
  return { spec, strategy, disruptionBudget, port: image.port, uid: image.uid, gid: image.gid };
}

function resolveName(id: string, name: string | undefined): string {
  if (name !== undefined) {
    // The Service has the same name, and Service names are DNS-1035 labels.
    return dns1035Label('name', name);
  }
  const derived = toDns1035Label(id);
  if (derived === '') {
    throw ValidationError.invalid('name', id, 'cannot be derived from the construct id (no letters to start a DNS-1035 label)', "set name, e.g. name: 'hello'");
  }
  return dns1035Label('name', derived);
}

function resolvePorts(port: number, servicePortValue: unknown, extraPorts: Readonly<Record<string, number>>): PortSpec[] {
  const servicePort = portNumber('servicePort', servicePortValue);
  if (typeof extraPorts !== 'object' || extraPorts === null || Array.isArray(extraPorts)) {
    throw ValidationError.invalid('extraPorts', extraPorts, 'must map port names to numbers', 'use e.g. extraPorts: { metrics: 9090 }');
  }
  const ports: PortSpec[] = [{ name: HTTP_PORT_NAME, containerPort: port, servicePort }];
  for (const extraName of Object.keys(extraPorts).sort()) {
    const prop = `extraPorts.${extraName}`;
    portName(prop, extraName);
    const n = portNumber(prop, extraPorts[extraName]);
    if (extraName === HTTP_PORT_NAME) {
      throw ValidationError.invalid(prop, n, `'${HTTP_PORT_NAME}' is the name of the main port (${port})`, "name the extra port after what it serves, e.g. 'metrics'");
    }
    const clash = ports.find((p) => p.containerPort === n || p.servicePort === n);
    if (clash) {
      const what = clash.containerPort === n ? `container port ${n} of '${clash.name}'` : `Service port ${n} of '${clash.name}'`;
      throw ValidationError.invalid(prop, n, `clashes with the ${what}`, 'give each port its own number');
    }
    ports.push({ name: extraName, containerPort: n, servicePort: n });
  }
  return ports;
}
