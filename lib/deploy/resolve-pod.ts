import { ValidationError } from '../model/errors';
import { dns1035Label, dns1123Label, toDns1035Label } from '../model/names';
import { MANAGED_BY, PodTemplateSpec, PortSpec, ProbeSpec } from '../render/workload';
import { resolveContainer } from './container';
import { resolveEnv } from './env';
import { goRuntimeEnv } from './go-runtime';
import { ImageFacts, readImage } from './image-facts';
import { resolvePodFields } from './pod-fields';
import { wholeSeconds } from './probes';
import { resolveResources } from './resources';
import { ServiceAccount } from './service-account';
import type { ContainerOptions, PodOptions, WorkloadOptions } from './workload-options';

/** What a workload adds to the shared pod: its ports, probes, and how it stops and restarts. */
export interface PodExtras {
  readonly ports: readonly PortSpec[];
  readonly probes?: { readonly readiness: ProbeSpec; readonly liveness: ProbeSpec; readonly startup: ProbeSpec };
  readonly preStopSleepSeconds: number;
  readonly restartPolicy?: 'OnFailure' | 'Never';
}

/** The pod of a workload, resolved, with what the workload's own objects need besides. */
export interface ResolvedPod {
  readonly image: ImageFacts;
  readonly template: PodTemplateSpec;
}

/**
 * The name, namespace and image of a workload: the first things every workload resolves
 * (the ports and probes of a service depend on the image's port).
 *
 * @param usesPort false for a run-to-completion workload, which serves no port
 */
export function resolveIdentity(id: string, props: WorkloadOptions & ContainerOptions & PodOptions, chartNamespace: string | undefined, usesPort: boolean):
{ name: string; namespace?: string; image: ImageFacts } {
  const name = resolveName(id, props.name);
  const namespace = props.namespace !== undefined ? dns1123Label('namespace', props.namespace) : chartNamespace;
  const image = readImage(props.image, props, usesPort);
  return { name, namespace, image };
}

/**
 * The container and pod every workload shares: the image's user, the restricted security
 * context, env and Secrets, files, resources with GOMEMLIMIT, and the everyday pod fields.
 */
export function resolvePod(props: ContainerOptions & PodOptions, identity: { name: string; namespace?: string; image: ImageFacts }, extras: PodExtras): ResolvedPod {
  const { name, namespace, image } = identity;
  const terminationGracePeriodSeconds = wholeSeconds('terminationGracePeriodSeconds', props.terminationGracePeriodSeconds ?? 30, 1);
  if (extras.preStopSleepSeconds >= terminationGracePeriodSeconds) {
    throw ValidationError.invalid('preStopSleepSeconds', extras.preStopSleepSeconds, `must be less than terminationGracePeriodSeconds (${terminationGracePeriodSeconds}): the sleep counts against the grace period, and the service needs time to drain after it`, `use e.g. ${Math.min(5, terminationGracePeriodSeconds - 1)}, or raise terminationGracePeriodSeconds`);
  }
  const resources = resolveResources(props.resources);
  const container = resolveContainer(props);
  const env = resolveEnv(props.env, props.secretEnv);
  const runtimeEnv = goRuntimeEnv(resources.limits, new Set([...Object.keys(env.env), ...Object.keys(env.secretEnv)]));

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
  const template: PodTemplateSpec = {
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
    ports: extras.ports,
    ...(extras.probes ? { readinessProbe: extras.probes.readiness, livenessProbe: extras.probes.liveness, startupProbe: extras.probes.startup } : {}),
    terminationGracePeriodSeconds,
    preStopSleepSeconds: extras.preStopSleepSeconds,
    ...(extras.restartPolicy ? { restartPolicy: extras.restartPolicy } : {}),
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
  };
  return { image, template };
}

function resolveName(id: string, name: string | undefined): string {
  if (name !== undefined) {
    // A Service may have the same name, and Service names are DNS-1035 labels.
    return dns1035Label('name', name);
  }
  const derived = toDns1035Label(id);
  if (derived === '') {
    throw ValidationError.invalid('name', id, 'cannot be derived from the construct id (no letters to start a DNS-1035 label)', "set name, e.g. name: 'hello'");
  }
  return dns1035Label('name', derived);
}
