import { ValidationError } from '../model/errors';
import { parseImageReference } from '../model/image-ref';
import { PropNames, rejectUnknownProps } from '../model/known-props';
import { dns1123Label, dns1123Subdomain, envVarName, labelKey, labelValue } from '../model/names';
import { byteQuantity, cpuMillis } from './resources';
import type { ContainerOptions, PodOptions } from './workload-options';

/**
 * Everyday pod fields of a workload: pull secrets, scheduling (tolerations, node selector,
 * priority class), pod metadata, the container's lifecycle hooks, init containers and native
 * sidecars. Each is validated here into plain JSON fragments the pod renderer places.
 */

/** A toleration, as in the pod spec. */
export interface Toleration {
  /** The taint key; empty with `operator: 'Exists'` tolerates every taint. @default - none */
  readonly key?: string;
  /** @default 'Equal' */
  readonly operator?: 'Equal' | 'Exists';
  /** The taint value (only with `Equal`). @default - none */
  readonly value?: string;
  /** @default - every effect */
  readonly effect?: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
  /** How long a `NoExecute` taint is tolerated. @default - for ever */
  readonly tolerationSeconds?: number;
}

/** A lifecycle hook action: choose with the static factories. */
export class LifecycleAction {
  /** Runs a command in the container (the image must have it: scratch images have no shell or `sleep`). */
  public static exec(command: readonly string[]): LifecycleAction {
    if (!Array.isArray(command) || command.length === 0 || command.some((c) => typeof c !== 'string')) {
      throw ValidationError.invalid('lifecycle', command, 'exec needs a non-empty list of strings', "use e.g. LifecycleAction.exec(['/app', 'drain'])");
    }
    return new LifecycleAction({ exec: { command: [...command] } });
  }

  /** An HTTP GET to the container, e.g. a drain endpoint. */
  public static httpGet(path: string, port: number | string): LifecycleAction {
    if (typeof path !== 'string' || !path.startsWith('/')) {
      throw ValidationError.invalid('lifecycle', path, 'httpGet needs an absolute path', "use e.g. LifecycleAction.httpGet('/drain', 'http')");
    }
    return new LifecycleAction({ httpGet: { path, port } });
  }

  /** The kubelet waits (the `sleep` action, Kubernetes 1.30+): a pre-stop delay that needs no `sleep` binary in the image. */
  public static sleep(seconds: number): LifecycleAction {
    if (!Number.isInteger(seconds) || seconds < 1) {
      throw ValidationError.invalid('lifecycle', seconds, 'sleep needs whole seconds, 1 or more', 'use e.g. LifecycleAction.sleep(5)');
    }
    return new LifecycleAction({ sleep: { seconds } });
  }

  private constructor(/** The handler, as in the pod spec. */ public readonly handler: Readonly<Record<string, unknown>>) {}
}

/** Lifecycle hooks of the service's container. */
export interface LifecycleOptions {
  /** Runs before the container is stopped. @default - none */
  readonly preStop?: LifecycleAction;
  /** Runs right after the container starts. @default - none */
  readonly postStart?: LifecycleAction;
}

/** A container beside the service: an init container, or a native sidecar. */
export interface ExtraContainerOptions {
  /** Its image, pinned by a tag other than latest or by a digest. */
  readonly image: string;
  /** @default - the image's entrypoint */
  readonly command?: readonly string[];
  /** @default - the image's */
  readonly args?: readonly string[];
  /** Plain environment variables. @default - none */
  readonly env?: Readonly<Record<string, string>>;
  /** @default '10m' */
  readonly cpuRequest?: string;
  /** Request and limit (the same: the memory it may use). @default '64Mi' */
  readonly memory?: string;
}

const EXTRA_CONTAINER_PROPS: PropNames<ExtraContainerOptions> = { image: true, command: true, args: true, env: true, cpuRequest: true, memory: true };
const TOLERATION_PROPS: PropNames<Toleration> = { key: true, operator: true, value: true, effect: true, tolerationSeconds: true };

/** The pod fields, checked: JSON fragments for the pod spec, its metadata and the main container. */
export interface ResolvedPodFields {
  readonly pod: Readonly<Record<string, unknown>>;
  readonly podLabels: Readonly<Record<string, string>>;
  readonly podAnnotations: Readonly<Record<string, string>>;
  readonly container: Readonly<Record<string, unknown>>;
  /** Init containers then sidecars, in name order each, before goship's security context is added. */
  readonly initContainers: readonly Record<string, unknown>[];
}

/**
 * Checks the everyday pod fields of {@link PodOptions} and the container's `lifecycle`. `reserved` are the selector labels (not to be changed) and
 * `mainContainer` the service container's name (extra containers need others).
 */
export function resolvePodFields(props: PodOptions & Pick<ContainerOptions, 'lifecycle'>, reserved: Readonly<Record<string, string>>, mainContainer: string): ResolvedPodFields {
  const pullSecrets = (props.imagePullSecrets ?? []).map((s, i) => dns1123Subdomain(`imagePullSecrets[${i}]`, s));
  const tolerations = (props.tolerations ?? []).map((t, i) => toleration(`tolerations[${i}]`, t));
  const nodeSelector = labels('nodeSelector', props.nodeSelector);
  const podAnnotations = annotations('podAnnotations', props.podAnnotations);
  const podLabels = labels('podLabels', props.podLabels);
  for (const key of Object.keys(podLabels).filter((k) => k in reserved)) {
    throw ValidationError.invalid(`podLabels.${key}`, podLabels[key], 'is a selector label goship sets: changing it orphans the running pods', 'use another label key');
  }
  const priority = props.priorityClassName === undefined ? undefined : dns1123Subdomain('priorityClassName', props.priorityClassName);
  const lifecycle = resolveLifecycle(props.lifecycle);
  const names = new Set([mainContainer]);
  const extra = (prop: 'initContainers' | 'sidecars') => Object.keys(props[prop] ?? {}).sort().map((name) => {
    const c = extraContainer(`${prop}.${name}`, name, props[prop]![name]);
    if (names.has(c.name as string)) {
      throw ValidationError.invalid(`${prop}.${name}`, name, 'is the name of another container of the pod', 'give each container its own name');
    }
    names.add(c.name as string);
    return prop === 'sidecars' ? { ...c, restartPolicy: 'Always' } : c;
  });
  const initContainers = [...extra('initContainers'), ...extra('sidecars')];
  return {
    pod: {
      ...(pullSecrets.length > 0 ? { imagePullSecrets: pullSecrets.map((name) => ({ name })) } : {}),
      ...(tolerations.length > 0 ? { tolerations } : {}),
      ...(Object.keys(nodeSelector).length > 0 ? { nodeSelector } : {}),
      ...(priority ? { priorityClassName: priority } : {}),
    },
    podLabels,
    podAnnotations,
    container: lifecycle ? { lifecycle } : {},
    initContainers,
  };
}

function toleration(prop: string, t: Toleration): Record<string, unknown> {
  if (typeof t !== 'object' || t === null) {
    throw ValidationError.invalid(prop, t, 'not a toleration', "use e.g. { key: 'dedicated', value: 'batch', effect: 'NoSchedule' }");
  }
  rejectUnknownProps(t, TOLERATION_PROPS, 'Toleration', prop);
  const operator = t.operator ?? 'Equal';
  if (operator !== 'Equal' && operator !== 'Exists') {
    throw ValidationError.invalid(`${prop}.operator`, operator, 'not a toleration operator', "use 'Equal' or 'Exists'");
  }
  if (operator === 'Exists' && t.value !== undefined) {
    throw ValidationError.invalid(`${prop}.value`, t.value, "is set with operator 'Exists', which matches any value; the API server rejects it", "remove value, or use operator 'Equal'");
  }
  if (t.key === undefined && operator !== 'Exists') {
    throw ValidationError.invalid(`${prop}.key`, undefined, "is required unless operator is 'Exists'", "set key, or operator: 'Exists' to tolerate every taint");
  }
  if (t.effect !== undefined && !['NoSchedule', 'PreferNoSchedule', 'NoExecute'].includes(t.effect)) {
    throw ValidationError.invalid(`${prop}.effect`, t.effect, 'not a taint effect', "use 'NoSchedule', 'PreferNoSchedule' or 'NoExecute'");
  }
  if (t.tolerationSeconds !== undefined && (t.effect !== 'NoExecute' || !Number.isInteger(t.tolerationSeconds) || t.tolerationSeconds < 0)) {
    throw ValidationError.invalid(`${prop}.tolerationSeconds`, t.tolerationSeconds, "applies only to effect 'NoExecute', as whole seconds", "set effect: 'NoExecute', or remove tolerationSeconds");
  }
  return {
    ...(t.key !== undefined ? { key: labelKey(`${prop}.key`, t.key) } : {}),
    operator,
    ...(t.value !== undefined ? { value: labelValue(`${prop}.value`, t.value) } : {}),
    ...(t.effect !== undefined ? { effect: t.effect } : {}),
    ...(t.tolerationSeconds !== undefined ? { tolerationSeconds: t.tolerationSeconds } : {}),
  };
}

function labels(prop: string, value: Readonly<Record<string, string>> | undefined): Record<string, string> {
  if (value === undefined) {
    return {};
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw ValidationError.invalid(prop, value, 'must map label keys to values', `use e.g. { 'team': 'payments' }`);
  }
  return Object.fromEntries(Object.keys(value).sort().map((k) => [labelKey(`${prop}.${k}`, k), labelValue(`${prop}.${k}`, value[k])]));
}

function annotations(prop: string, value: Readonly<Record<string, string>> | undefined): Record<string, string> {
  if (value === undefined) {
    return {};
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw ValidationError.invalid(prop, value, 'must map annotation keys to strings', `use e.g. { 'prometheus.io/scrape': 'true' }`);
  }
  return Object.fromEntries(Object.keys(value).sort().map((k) => {
    if (typeof value[k] !== 'string') {
      throw ValidationError.invalid(`${prop}.${k}`, value[k], 'must be a string (the API server refuses other types)', `quote it, e.g. '${String(value[k])}'`);
    }
    return [labelKey(`${prop}.${k}`, k), value[k]];
  }));
}

function resolveLifecycle(props: LifecycleOptions | undefined): Record<string, unknown> | undefined {
  if (props === undefined) {
    return undefined;
  }
  rejectUnknownProps(props, { preStop: true, postStart: true }, 'lifecycle', 'lifecycle');
  const out: Record<string, unknown> = {};
  for (const hook of ['postStart', 'preStop'] as const) {
    const action = props[hook];
    if (action === undefined) {
      continue;
    }
    if (!(action instanceof LifecycleAction)) {
      throw ValidationError.invalid(`lifecycle.${hook}`, action, 'not a LifecycleAction', 'use LifecycleAction.sleep(5), .httpGet(path, port) or .exec(command)');
    }
    out[hook] = action.handler;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

function extraContainer(prop: string, name: string, c: ExtraContainerOptions): Record<string, unknown> {
  if (typeof c !== 'object' || c === null) {
    throw ValidationError.invalid(prop, c, 'not a container', "use e.g. { image: 'ghcr.io/acme/migrate:1.2.0', args: ['up'] }");
  }
  rejectUnknownProps(c, EXTRA_CONTAINER_PROPS, 'a container', prop);
  dns1123Label(prop, name);
  const image = parseImageReference(`${prop}.image`, c.image);
  if (image.tag === 'latest' && image.digest === undefined) {
    throw ValidationError.invalid(`${prop}.image`, c.image, 'latest is mutable: replicas and rollbacks would run different builds', 'pin a version tag or a digest');
  }
  const strings = (p: string, v: readonly string[] | undefined) => {
    if (v !== undefined && (!Array.isArray(v) || v.some((x) => typeof x !== 'string'))) {
      throw ValidationError.invalid(`${prop}.${p}`, v, 'must be a list of strings', "use e.g. ['--once']");
    }
    return v === undefined ? {} : { [p]: [...v] };
  };
  const env = Object.keys(c.env ?? {}).sort().map((k) => {
    envVarName(`${prop}.env.${k}`, k);
    if (typeof c.env![k] !== 'string') {
      throw ValidationError.invalid(`${prop}.env.${k}`, c.env![k], 'must be a string', 'quote it');
    }
    return { name: k, value: c.env![k] };
  });
  const cpu = c.cpuRequest ?? '10m';
  const memory = c.memory ?? '64Mi';
  cpuMillis(`${prop}.cpuRequest`, cpu);
  byteQuantity(`${prop}.memory`, memory);
  return {
    name,
    image: c.image,
    imagePullPolicy: 'IfNotPresent',
    ...strings('command', c.command),
    ...strings('args', c.args),
    ...(env.length > 0 ? { env } : {}),
    resources: { requests: { cpu, memory }, limits: { memory } },
    securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, readOnlyRootFilesystem: true },
    volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
  };
}
