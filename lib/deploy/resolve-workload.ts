import { ValidationError } from '../model/errors';
import { PropNames, rejectRemovedProps, rejectUnknownProps } from '../model/known-props';
import { WorkloadSpec } from '../render/workload';
import { resolveAutoscaling } from './autoscaling';
import { resolveNetworkPolicy } from './network-policy';
import { Protocol, resolvePorts } from './ports';
import { resolveProbes, wholeSeconds } from './probes';
import { resolveIdentity, resolvePod } from './resolve-pod';
import type { RollingDeploymentProps } from './rolling-deployment';
import { resolveIngress, resolveRoute } from './routes';
import { ServiceType } from './service-type';
import { DisruptionBudget, PodCount, RolloutStrategy } from './strategy';
import { CONTAINER_OPTIONS, POD_OPTIONS, REMOVED_PROPS, ROLLOUT_OPTIONS, SERVICE_OPTIONS, WORKLOAD_OPTIONS } from './workload-options';

/** What the unknown-prop error says about fields goship has no prop for. */
export function escapeHatch(member: string, path: string): string {
  return `for a Kubernetes field goship has no prop for, patch the rendered object: ${member}.addJsonPatch(JsonPatch.add('${path}/<field>', value)) (JsonPatch from cdk8s)`;
}

/** Every prop of RollingDeployment: the compiler keeps this list and the interface in step. */
const ROLLING_DEPLOYMENT_PROPS: PropNames<RollingDeploymentProps> = {
  ...WORKLOAD_OPTIONS,
  ...CONTAINER_OPTIONS,
  ...POD_OPTIONS,
  ...SERVICE_OPTIONS,
  ...ROLLOUT_OPTIONS,
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

/** Refuses props that are not objects, removed props (naming the replacement) and unknown ones (with a near spelling). */
export function checkPropNames(props: unknown, known: object, kind: string, hatch: string): void {
  if (typeof props !== 'object' || props === null) {
    throw ValidationError.invalid('props', props, 'are required', 'pass at least { image }');
  }
  rejectRemovedProps(props, REMOVED_PROPS, kind);
  rejectUnknownProps(props, known, kind, undefined, false, hatch);
}

/**
 * Applies every default and checks every prop; throws a {@link ValidationError} without a
 * path (the construct adds its own). `id` names the workload when `name` is not given.
 */
export function resolveWorkload(id: string, props: RollingDeploymentProps, chartNamespace?: string): ResolvedWorkload {
  checkPropNames(props, ROLLING_DEPLOYMENT_PROPS, 'RollingDeployment', escapeHatch('deployment.deployment', '/spec/template/spec'));
  const identity = resolveIdentity(id, props, chartNamespace, true);
  const image = identity.image;
  const port = image.port!;

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
  const preStopSleepSeconds = wholeSeconds('preStopSleepSeconds', props.preStopSleepSeconds ?? 5, 0);

  const { protocol, ports } = resolvePorts(props, port);
  const probes = resolveProbes(props.health, protocol, ports);
  const pod = resolvePod(props, identity, { ports, probes, preStopSleepSeconds });
  const serviceType = props.serviceType ?? ServiceType.CLUSTER_IP;
  if (!(serviceType instanceof ServiceType)) {
    throw ValidationError.invalid('serviceType', serviceType, 'not a ServiceType', 'use ServiceType.CLUSTER_IP, NODE_PORT or LOAD_BALANCER');
  }

  const autoscaling = props.autoscaling === undefined ? undefined : resolveAutoscaling(props.autoscaling, pod.template.requests);
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

  const selectorLabels = pod.template.selectorLabels;
  const spec: WorkloadSpec = {
    ...pod.template,
    readinessProbe: probes.readiness,
    livenessProbe: probes.liveness,
    startupProbe: probes.startup,
    ...(replicas !== undefined ? { replicas } : {}),
    maxSurge: strategy.maxSurge.value,
    maxUnavailable: strategy.maxUnavailable.value,
    minReadySeconds,
    progressDeadlineSeconds,
    revisionHistoryLimit,
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
  return { spec, strategy, disruptionBudget, protocol, port, uid: image.uid, gid: image.gid };
}
