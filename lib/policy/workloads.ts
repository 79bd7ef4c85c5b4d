/**
 * Kubernetes objects as the manifest rules see them: any object with a pod template —
 * Pod, PodTemplate, Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController,
 * Job, CronJob, and custom resources with a pod template at a known path (Argo Rollouts,
 * Knative, OpenKruise, KEDA, or any `spec.template.spec.containers`) — reduced to its pod
 * spec, pod labels and selector. Input is untrusted JSON: every read goes through
 * {@link dig}, nothing assumes a field has the right type.
 */

/** A JSON object. */
export type Json = Record<string, unknown>;

/** An object to check and where it came from. */
export interface ManifestSource {
  readonly object: unknown;
  /** The file it was read from, put on its findings. */
  readonly file?: string;
  /** The 1-based line of `file` the object starts on, put on its findings. */
  readonly line?: number;
  /** The kustomization.yaml whose `commonLabels` (or `labels` with `includeSelectors`) are added to this object when it is built. */
  readonly kustomization?: string;
  /** The kustomization.yaml that applies this file as a patch: its objects are partial, not checked as objects. */
  readonly patchOf?: string;
}

/** One Kubernetes object. */
export interface KubeObject {
  readonly kind: string;
  readonly name: string;
  /** `metadata.namespace`, or the default namespace when unset. */
  readonly namespace: string;
  /** `apiVersion`, `''` when unset. */
  readonly apiVersion: string;
  readonly raw: Json;
  readonly file?: string;
  readonly line?: number;
  /** `Kind/name`, as findings name it. */
  readonly ref: string;
}

/** One container of a pod spec. */
export interface ContainerRef {
  readonly spec: Json;
  readonly name: string;
  readonly kind: 'container' | 'init container' | 'ephemeral container';
  /** Field path, e.g. `spec.template.spec.containers[0]`. */
  readonly path: string;
  /** How messages name it: `container 'app'`. */
  readonly label: string;
}

/** An object that runs pods. */
export interface Workload {
  readonly obj: KubeObject;
  /** Where the pod spec is, e.g. `spec.template.spec`. */
  readonly specPath: string;
  readonly pod: Json;
  readonly podLabels: Readonly<Record<string, string>>;
  readonly podAnnotations: Readonly<Record<string, string>>;
  /** The workload's label selector and its field path, for kinds that have one. */
  readonly selector?: { readonly value: unknown; readonly path: string };
  /** Serves or runs until stopped (not a Job, CronJob or run-to-completion Pod): probes apply. */
  readonly longRunning: boolean;
  /** Containers, init containers and ephemeral containers. */
  readonly containers: readonly ContainerRef[];
  /** `spec.os.name` is `windows`: some Linux-only controls do not apply. */
  readonly windows: boolean;
  /** `spec.hostUsers` is false: the pod runs in a user namespace, and Pod Security relaxes some controls (1.35 and later). */
  readonly userNamespace: boolean;
}

/** Everything one check looks at. */
export interface ManifestSet {
  readonly objects: readonly KubeObject[];
  readonly workloads: readonly Workload[];
  /** The Kubernetes minor version the Pod Security rules apply, e.g. 37 for 1.37. */
  readonly kubernetesMinor: number;
  /** File → the kustomization.yaml that adds labels and selectors to its objects (see {@link ManifestSource.kustomization}). */
  readonly kustomized: ReadonlyMap<string, string>;
  /**
   * Kustomize patches: objects of a file a kustomization.yaml applies as a patch, or with a
   * `$patch` directive. Partial by design, so no rule reads them; not in {@link objects}.
   */
  readonly patches: readonly KubeObject[];
  /** Files of the check whose documents were not all read (templates, YAML errors): pods may be in them. */
  readonly unreadFiles: readonly string[];
}

/** Reads a nested field; `undefined` as soon as a step is missing or not an object/array. */
export function dig(v: unknown, ...path: readonly (string | number)[]): unknown {
  let cur = v;
  for (const p of path) {
    if (typeof p === 'number' ? !Array.isArray(cur) : !isRecord(cur)) {
      return undefined;
    }
    cur = (cur as Record<string | number, unknown>)[p];
  }
  return cur;
}

/** Whether `v` is a plain JSON object. */
export function isRecord(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `v` if it is an array, else `[]`. */
export function list(v: unknown): readonly unknown[] {
  return Array.isArray(v) ? v : [];
}

/** The string-valued entries of an object (labels, annotations, selectors). */
export function stringMap(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (isRecord(v)) {
    for (const [k, x] of Object.entries(v)) {
      if (typeof x === 'string') {
        out[k] = x;
      }
    }
  }
  return out;
}

/** Builds the set: flattens `List`s, keeps objects with a `kind`, extracts workloads. */
export function manifestSet(sources: readonly ManifestSource[], defaultNamespace = 'default', kubernetesMinor = LATEST_MINOR, unreadFiles: readonly string[] = []): ManifestSet {
  const objects: KubeObject[] = [];
  const patches: KubeObject[] = [];
  const add = (o: unknown, file: string | undefined, line: number | undefined, patch: boolean) => {
    if (!isRecord(o) || typeof o.kind !== 'string') {
      return;
    }
    if (o.kind.endsWith('List') && Array.isArray(o.items)) {
      o.items.forEach((i) => add(i, file, line, patch));
      return;
    }
    const name = dig(o, 'metadata', 'name') ?? dig(o, 'metadata', 'generateName') ?? '(unnamed)';
    const ns = dig(o, 'metadata', 'namespace');
    (patch || typeof o.$patch === 'string' ? patches : objects).push({
      kind: o.kind,
      apiVersion: typeof o.apiVersion === 'string' ? o.apiVersion : '',
      name: String(name),
      namespace: typeof ns === 'string' && ns !== '' ? ns : defaultNamespace,
      raw: o,
      ...(file !== undefined ? { file } : {}),
      ...(line !== undefined ? { line } : {}),
      ref: `${o.kind}/${String(name)}`,
    });
  };
  sources.forEach((s) => add(s.object, s.file, s.line, s.patchOf !== undefined));
  const workloads = objects.map(toWorkload).filter((w): w is Workload => w !== undefined);
  const kustomized = new Map(sources.filter((s) => s.file !== undefined && s.kustomization !== undefined).map((s) => [s.file!, s.kustomization!]));
  return { objects, workloads, kubernetesMinor, kustomized, patches, unreadFiles };
}

/** The newest Kubernetes minor version whose Pod Security Standards goship knows. */
export const LATEST_MINOR = 37;

/** API versions whose controllers defaulted an omitted selector to the template labels. */
const SELECTOR_DEFAULTED = new Set(['extensions/v1beta1', 'apps/v1beta1']);

const TEMPLATED = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'ReplicationController']);

/** The API group of an `apiVersion` (`''` for the core group). */
export function apiGroup(apiVersion: string): string {
  return apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
}

/** Built-in API groups: their kinds are Kubernetes' own, never a custom resource. */
const BUILTIN_GROUPS = new Set([
  '', 'apps', 'batch', 'extensions', 'autoscaling', 'policy', 'networking.k8s.io', 'rbac.authorization.k8s.io', 'storage.k8s.io',
  'scheduling.k8s.io', 'coordination.k8s.io', 'discovery.k8s.io', 'node.k8s.io', 'admissionregistration.k8s.io',
  'apiextensions.k8s.io', 'apiregistration.k8s.io', 'certificates.k8s.io', 'flowcontrol.apiserver.k8s.io',
  'events.k8s.io', 'resource.k8s.io', 'authentication.k8s.io', 'authorization.k8s.io',
]);

/** Whether the object is a custom resource (its group is not one of Kubernetes' own). */
export function isCustomResource(obj: KubeObject): boolean {
  return !BUILTIN_GROUPS.has(apiGroup(obj.apiVersion));
}

/**
 * Custom resources whose pod template lives somewhere other than `spec.template`, by
 * `group/Kind`: where the template is, and whether its pods serve until stopped.
 */
const CUSTOM_TEMPLATES: Readonly<Record<string, { readonly path: readonly string[]; readonly longRunning: boolean }>> = {
  // KEDA: a Job per event batch.
  'keda.sh/ScaledJob': { path: ['spec', 'jobTargetRef', 'template'], longRunning: false },
  // Knative: the revision template; Knative adds its own readiness probe and port.
  'serving.knative.dev/Service': { path: ['spec', 'template'], longRunning: false },
  'serving.knative.dev/Configuration': { path: ['spec', 'template'], longRunning: false },
  // OpenKruise: a cron of jobs; Argo Workflows and others keep containers elsewhere.
  'apps.kruise.io/AdvancedCronJob': { path: ['spec', 'template', 'jobTemplate', 'spec', 'template'], longRunning: false },
};

function toWorkload(obj: KubeObject): Workload | undefined {
  const raw = obj.raw;
  if (isCustomResource(obj)) {
    const known = CUSTOM_TEMPLATES[`${apiGroup(obj.apiVersion)}/${obj.kind}`];
    // Any other custom resource with `spec.template.spec.containers` (Argo Rollouts, OpenKruise
    // CloneSet, …) is a controller of pods: checked like a Deployment.
    const path = known?.path ?? ['spec', 'template'];
    if (!Array.isArray(dig(raw, ...path, 'spec', 'containers'))) {
      return undefined;
    }
    const selector = dig(raw, 'spec', 'selector') !== undefined && known === undefined ? { value: dig(raw, 'spec', 'selector'), path: 'spec.selector' } : undefined;
    return workload(obj, dig(raw, ...path), path.join('.'), selector, known?.longRunning ?? true);
  }
  if (obj.kind === 'PodTemplate') {
    return workload(obj, dig(raw, 'template'), 'template', undefined, false);
  }
  if (obj.kind === 'Pod') {
    const restart = dig(raw, 'spec', 'restartPolicy');
    return workload(obj, raw, '', undefined, restart !== 'Never' && restart !== 'OnFailure');
  }
  if (TEMPLATED.has(obj.kind)) {
    let selector: Workload['selector'] = { value: dig(raw, 'spec', 'selector'), path: 'spec.selector' };
    if (obj.kind === 'ReplicationController') {
      // A plain map; when omitted it defaults to the template labels.
      const sel = dig(raw, 'spec', 'selector');
      selector = sel === undefined ? undefined : { value: { matchLabels: sel }, path: 'spec.selector' };
    } else if (SELECTOR_DEFAULTED.has(obj.apiVersion) && dig(raw, 'spec', 'selector') === undefined) {
      // Before apps/v1beta2 an omitted selector defaulted to the template labels (these
      // versions are removed: api/removed-version says so).
      selector = undefined;
    }
    return workload(obj, dig(raw, 'spec', 'template'), 'spec.template', selector, true);
  }
  if (obj.kind === 'Job') {
    const manual = dig(raw, 'spec', 'manualSelector') === true;
    const selector = manual ? { value: dig(raw, 'spec', 'selector'), path: 'spec.selector' } : undefined;
    return workload(obj, dig(raw, 'spec', 'template'), 'spec.template', selector, false);
  }
  if (obj.kind === 'CronJob') {
    return workload(obj, dig(raw, 'spec', 'jobTemplate', 'spec', 'template'), 'spec.jobTemplate.spec.template', undefined, false);
  }
  return undefined;
}

function workload(obj: KubeObject, template: unknown, templatePath: string, selector: Workload['selector'], longRunning: boolean): Workload | undefined {
  const pod = dig(template, 'spec');
  if (!isRecord(pod)) {
    return undefined;
  }
  const specPath = templatePath === '' ? 'spec' : `${templatePath}.spec`;
  const containers: ContainerRef[] = [];
  const groups = [['containers', 'container'], ['initContainers', 'init container'], ['ephemeralContainers', 'ephemeral container']] as const;
  for (const [field, kind] of groups) {
    list(pod[field]).forEach((c, i) => {
      if (isRecord(c)) {
        const name = typeof c.name === 'string' ? c.name : `#${i}`;
        containers.push({ spec: c, name, kind, path: `${specPath}.${field}[${i}]`, label: `${kind} '${name}'` });
      }
    });
  }
  return {
    obj,
    specPath,
    pod,
    podLabels: stringMap(dig(template, 'metadata', 'labels')),
    podAnnotations: stringMap(dig(template, 'metadata', 'annotations')),
    ...(selector ? { selector } : {}),
    longRunning,
    containers,
    windows: dig(pod, 'os', 'name') === 'windows',
    userNamespace: pod.hostUsers === false,
  };
}

/** Whether a `LabelSelector` (`matchLabels` and `matchExpressions`) selects these labels. */
export function selects(selector: unknown, labels: Readonly<Record<string, string>>): boolean {
  for (const [k, v] of Object.entries(stringMap(dig(selector, 'matchLabels')))) {
    if (labels[k] !== v) {
      return false;
    }
  }
  for (const e of list(dig(selector, 'matchExpressions'))) {
    const key = String(dig(e, 'key'));
    const values = list(dig(e, 'values')).map(String);
    const has = Object.prototype.hasOwnProperty.call(labels, key);
    const ok = {
      In: has && values.includes(labels[key]),
      NotIn: !has || !values.includes(labels[key]),
      Exists: has,
      DoesNotExist: !has,
    }[String(dig(e, 'operator'))];
    if (ok !== true) {
      return false;
    }
  }
  return true;
}

/** The label keys a selector constrains. */
export function selectorKeys(selector: unknown): string[] {
  return [
    ...Object.keys(stringMap(dig(selector, 'matchLabels'))),
    ...list(dig(selector, 'matchExpressions')).map((e) => String(dig(e, 'key'))),
  ];
}

/** An image reference split leniently (no validation): `name[:tag][@digest]`. */
export function splitImage(ref: string): { readonly name: string; readonly tag?: string; readonly digest?: string } {
  const at = ref.indexOf('@');
  const digest = at >= 0 ? ref.slice(at + 1) : undefined;
  const nameTag = at >= 0 ? ref.slice(0, at) : ref;
  const colon = nameTag.indexOf(':', nameTag.lastIndexOf('/') + 1);
  const name = colon >= 0 ? nameTag.slice(0, colon) : nameTag;
  const tag = colon >= 0 ? nameTag.slice(colon + 1) : undefined;
  return { name, ...(tag !== undefined ? { tag } : {}), ...(digest !== undefined ? { digest } : {}) };
}

/** Ports a container declares: numbers and names. */
export function containerPorts(c: Json): { readonly numbers: ReadonlySet<number>; readonly names: ReadonlySet<string> } {
  const numbers = new Set<number>();
  const names = new Set<string>();
  for (const p of list(c.ports)) {
    const n = dig(p, 'containerPort');
    const name = dig(p, 'name');
    if (typeof n === 'number') {
      numbers.add(n);
    }
    if (typeof name === 'string') {
      names.add(name);
    }
  }
  return { numbers, names };
}
