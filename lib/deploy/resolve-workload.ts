import { ValidationError } from '../model/errors';
import { PropNames, rejectUnknownProps } from '../model/known-props';
import { dns1035Label, dns1123Label, toDns1035Label } from '../model/names';
import { MANAGED_BY, WorkloadSpec } from '../render/workload';
import { resolveAutoscaling } from './autoscaling';
import { resolveContainer } from './container';
import { resolveEnv } from './env';
import { goRuntimeEnv } from './go-runtime';
import { readImage } from './image-facts';
import { resolveNetworkPolicy } from './network-policy';
import { POD_FIELDS_PROPS, resolvePodFields } from './pod-fields';
import { Protocol, resolvePorts } from './ports';
import { resolveProbes, wholeSeconds } from './probes';
import { resolveResources } from './resources';
import type { RollingDeploymentProps } from './rolling-deployment';
import { resolveIngress, resolveRoute } from './routes';
import { ServiceAccount } from './service-account';
import { ServiceType } from './service-type';
import { DisruptionBudget, PodCount, RolloutStrategy } from './strategy';

/** What the unknown-prop error says about fields goship has no prop for. */
const ESCAPE_HATCH = "for a Kubernetes field goship has no prop for, patch the rendered object: deployment.deployment.addJsonPatch(JsonPatch.add('/spec/template/spec/<field>', value)) (JsonPatch from cdk8s)";

/** Every prop of RollingDeployment: the compiler keeps this list and the interface in step. */
const ROLLING_DEPLOYMENT_PROPS: PropNames<RollingDeploymentProps> = {
  image: true,
  name: true,
  namespace: true,
  replicas: true,
  autoscaling: true,
  strategy: true,
  minReadySeconds: true,
  progressDeadlineSeconds: true,
  revisionHistoryLimit: true,
  command: true,
  args: true,
  protocol: true,
  health: true,
  healthPath: true,
  livenessPath: true,
  readinessProbe: true,
  livenessProbe: true,
  startupProbe: true,
  terminationGracePeriodSeconds: true,
  preStopSleepSeconds: true,
  resources: true,
  env: true,
  secretEnv: true,
  envFrom: true,
  files: true,
  emptyDirs: true,
  serviceAccount: true,
  automountServiceAccountToken: true,
  serviceType: true,
  servicePort: true,
  extraPorts: true,
  ingress: true,
  httpRoute: true,
  grpcRoute: true,
  networkPolicy: true,
  disruptionBudget: true,
  port: true,
  runAsUser: true,
  runAsGroup: true,
  nodeArchitectures: true,
  ...POD_FIELDS_PROPS,
};

/** The props of a RollingDeployment, defaults applied and checked, ready to render. */
export interface ResolvedWorkload {
  readonly spec: WorkloadSpec;
  readonly strategy: RolloutStrategy;
  readonly disruptionBudget: DisruptionBudget;
  readonly protocol: Protocol;
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
  rejectUnknownProps(props, ROLLING_DEPLOYMENT_PROPS, 'RollingDeployment', undefined, false, ESCAPE_HATCH);
  const name = resolveName(id, props.name);
  const namespace = props.namespace !== undefined ? dns1123Label('namespace', props.namespace) : chartNamespace;
  const image = readImage(props.image, props);

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
  const preStopSleepSeconds = wholeSeconds('preStopSleepSeconds', props.preStopSleepSeconds ?? 5, 0);
  if (preStopSleepSeconds >= terminationGracePeriodSeconds) {
    throw ValidationError.invalid('preStopSleepSeconds', preStopSleepSeconds, `must be less than terminationGracePeriodSeconds (${terminationGracePeriodSeconds}): the sleep counts against the grace period, and the service needs time to drain after it`, `use e.g. ${Math.min(5, terminationGracePeriodSeconds - 1)}, or raise terminationGracePeriodSeconds`);
  }

  const { protocol, ports } = resolvePorts({ port: image.port, protocol: props.protocol, servicePort: props.servicePort, extraPorts: props.extraPorts });
  const probes = resolveProbes(props, protocol, ports);
  const resources = resolveResources(props.resources);
  const container = resolveContainer(props);
  const env = resolveEnv(props.env, props.secretEnv);
  const runtimeEnv = goRuntimeEnv(resources.limits, new Set([...Object.keys(env.env), ...Object.keys(env.secretEnv)]));
  const serviceType = props.serviceType ?? ServiceType.CLUSTER_IP;
  if (!(serviceType instanceof ServiceType)) {
    throw ValidationError.invalid('serviceType', serviceType, 'not a ServiceType', 'use ServiceType.CLUSTER_IP, NODE_PORT or LOAD_BALANCER');
  }

  const autoscaling = props.autoscaling === undefined ? undefined : resolveAutoscaling(props.autoscaling, resources.requests);
  if (autoscaling && props.replicas !== undefined) {
    throw ValidationError.invalid('replicas', props.replicas, 'is set as well as autoscaling; the autoscaler owns the count, and every apply would reset it', 'remove replicas and set autoscaling.minReplicas');
  }
  const replicas = autoscaling ? undefined : props.replicas ?? 2;
  if (replicas !== undefined && (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0)) {
    throw ValidationError.invalid('replicas', replicas, 'must be a whole number of pods, 0 or more', 'use e.g. 2 (one pod can then be replaced or evicted while the other serves)');
  }
  // The fewest pods there will be: what the disruption budget must leave room to evict from.
  const fewest = autoscaling?.minReplicas ?? replicas!;
  const disruptionBudget = props.disruptionBudget
    ?? (fewest > 1 ? DisruptionBudget.maxUnavailable(PodCount.absolute(1)) : DisruptionBudget.none());
  if (!(disruptionBudget instanceof DisruptionBudget)) {
    throw ValidationError.invalid('disruptionBudget', disruptionBudget, 'not a DisruptionBudget', 'use DisruptionBudget.maxUnavailable(PodCount.absolute(1)) or DisruptionBudget.none()');
  }
  disruptionBudget.check(fewest);

  const automount = props.automountServiceAccountToken ?? false;
  if (typeof automount !== 'boolean') {
    throw ValidationError.invalid('automountServiceAccountToken', automount, 'must be true or false', 'leave it unset: no token unless the pods call the API server');
  }
  if (props.serviceAccount !== undefined && !(props.serviceAccount instanceof ServiceAccount)) {
    throw ValidationError.invalid('serviceAccount', props.serviceAccount, 'not a ServiceAccount', "use ServiceAccount.create({ identity }) or ServiceAccount.existing('name')");
  }
  const serviceAccount = props.serviceAccount?.resolve(name);

  const selectorLabels = {
    'app.kubernetes.io/instance': name,
    'app.kubernetes.io/name': name,
  };
  const labels = {
    ...selectorLabels,
    'app.kubernetes.io/managed-by': MANAGED_BY,
    ...(image.version !== undefined ? { 'app.kubernetes.io/version': image.version } : {}),
  };
  const fields = resolvePodFields(props, labels, name);
  const spec: WorkloadSpec = {
    name,
    namespace,
    labels,
    podLabels: { ...fields.podLabels, ...(serviceAccount?.podLabels ?? {}) },
    podAnnotations: fields.podAnnotations,
    podFields: fields.pod,
    containerFields: fields.container,
    initContainers: fields.initContainers,
    selectorLabels,
    imageRef: image.imageRef,
    ...(container.command ? { command: container.command } : {}),
    ...(container.args ? { args: container.args } : {}),
    ports,
    ...(replicas !== undefined ? { replicas } : {}),
    maxSurge: strategy.maxSurge.value,
    maxUnavailable: strategy.maxUnavailable.value,
    minReadySeconds,
    progressDeadlineSeconds,
    revisionHistoryLimit,
    readinessProbe: probes.readiness,
    livenessProbe: probes.liveness,
    startupProbe: probes.startup,
    terminationGracePeriodSeconds,
    preStopSleepSeconds,
    runAsUser: image.uid,
    runAsGroup: image.gid,
    requests: resources.requests,
    limits: resources.limits,
    tmpSizeLimit: resources.tmpSizeLimit,
    env: { ...runtimeEnv, ...env.env },
    secretEnv: env.secretEnv,
    envFrom: container.envFrom,
    files: container.files,
    emptyDirs: container.emptyDirs,
    ...(serviceAccount ? { serviceAccount: serviceAccount.spec } : {}),
    automountServiceAccountToken: automount,
    nodeArchitectures: image.architectures,
    serviceType: serviceType.type,
    disruptionBudget: disruptionBudget.count && disruptionBudget.kind !== 'none'
      ? (disruptionBudget.kind === 'maxUnavailable' ? { maxUnavailable: disruptionBudget.count.value } : { minAvailable: disruptionBudget.count.value })
      : undefined,
    ...(autoscaling ? { autoscaling } : {}),
    ...(props.ingress !== undefined ? { ingress: resolveIngress(props.ingress, protocol, ports) } : {}),
    ...(props.httpRoute !== undefined ? { httpRoute: resolveRoute('httpRoute', props.httpRoute, protocol, ports) } : {}),
    ...(props.grpcRoute !== undefined ? { grpcRoute: resolveRoute('grpcRoute', props.grpcRoute, protocol, ports) } : {}),
    ...(props.networkPolicy !== undefined ? { networkPolicy: resolveNetworkPolicy(props.networkPolicy, ports, selectorLabels) } : {}),
  };
  return { spec, strategy, disruptionBudget, protocol, port: image.port, uid: image.uid, gid: image.gid };
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
