import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import { ValidationError } from '../model/errors';

/**
 * How the Pulumi backend applies one Kubernetes object: which `@pulumi/kubernetes` resource
 * class, whether the object is cluster-scoped, and in which wave it goes.
 *
 * Pure data over the objects `GoshipApp.manifests()` returns; no resources are created here.
 */

/** A `@pulumi/kubernetes` resource: every one has `metadata` as an output. */
export type KubernetesResource = pulumi.CustomResource & {
  readonly metadata: pulumi.Output<k8s.types.output.meta.v1.ObjectMeta>;
};

type ResourceClass = new (name: string, args: any, opts?: pulumi.CustomResourceOptions) => KubernetesResource;

/** Built-in kinds by `apiVersion/kind`: a typed class keeps the provider's per-kind handling (a Secret's data stays secret). */
const TYPED: Readonly<Record<string, ResourceClass>> = {
  'v1/ConfigMap': k8s.core.v1.ConfigMap,
  'v1/Endpoints': k8s.core.v1.Endpoints,
  'v1/LimitRange': k8s.core.v1.LimitRange,
  'v1/Namespace': k8s.core.v1.Namespace,
  'v1/PersistentVolume': k8s.core.v1.PersistentVolume,
  'v1/PersistentVolumeClaim': k8s.core.v1.PersistentVolumeClaim,
  'v1/Pod': k8s.core.v1.Pod,
  'v1/ReplicationController': k8s.core.v1.ReplicationController,
  'v1/ResourceQuota': k8s.core.v1.ResourceQuota,
  'v1/Secret': k8s.core.v1.Secret,
  'v1/Service': k8s.core.v1.Service,
  'v1/ServiceAccount': k8s.core.v1.ServiceAccount,
  'apps/v1/DaemonSet': k8s.apps.v1.DaemonSet,
  'apps/v1/Deployment': k8s.apps.v1.Deployment,
  'apps/v1/StatefulSet': k8s.apps.v1.StatefulSet,
  'autoscaling/v2/HorizontalPodAutoscaler': k8s.autoscaling.v2.HorizontalPodAutoscaler,
  'batch/v1/CronJob': k8s.batch.v1.CronJob,
  'batch/v1/Job': k8s.batch.v1.Job,
  'networking.k8s.io/v1/Ingress': k8s.networking.v1.Ingress,
  'networking.k8s.io/v1/NetworkPolicy': k8s.networking.v1.NetworkPolicy,
  'policy/v1/PodDisruptionBudget': k8s.policy.v1.PodDisruptionBudget,
  'rbac.authorization.k8s.io/v1/ClusterRole': k8s.rbac.v1.ClusterRole,
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': k8s.rbac.v1.ClusterRoleBinding,
  'rbac.authorization.k8s.io/v1/Role': k8s.rbac.v1.Role,
  'rbac.authorization.k8s.io/v1/RoleBinding': k8s.rbac.v1.RoleBinding,
};

/** Kinds without a namespace; a namespace override leaves them alone. Custom resources count as namespaced. */
const CLUSTER_SCOPED = new Set([
  'APIService', 'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition', 'IngressClass',
  'MutatingWebhookConfiguration', 'Namespace', 'PersistentVolume', 'PriorityClass', 'RuntimeClass',
  'StorageClass', 'ValidatingWebhookConfiguration',
]);

/**
 * Apply waves: what others live in first (namespaces, CRDs), then what pods read (config,
 * accounts, claims), then everything else. Each object depends on every object of an earlier
 * wave, so a Deployment never starts before the ConfigMap its pods load.
 */
const WAVES: readonly ReadonlySet<string>[] = [
  new Set(['Namespace', 'CustomResourceDefinition']),
  new Set(['ConfigMap', 'Secret', 'ServiceAccount', 'PersistentVolumeClaim', 'LimitRange', 'ResourceQuota', 'Role', 'RoleBinding', 'ClusterRole', 'ClusterRoleBinding']),
];

/** Keys of a pod spec whose items carry an `image`. */
const CONTAINER_LISTS = new Set(['containers', 'initContainers', 'ephemeralContainers']);

/** One object, ready to become one resource. */
export interface ObjectPlan {
  /** Pulumi resource name: `<kind>-<namespace>-<name>`, or `<kind>-<name>` without a namespace. */
  readonly resourceName: string;
  /** The chart's file name the object comes from (`hello`). */
  readonly chart: string;
  readonly apiVersion: string;
  readonly kind: string;
  /** The object as the YAML path writes it, namespace override applied. A private copy. */
  readonly object: Record<string, any>;
  /** False for cluster-scoped kinds. */
  readonly namespaced: boolean;
  /** Apply wave: 0, 1 or 2. */
  readonly wave: number;
  /** The image references (GoStaticImage.imageRef) its containers use. */
  readonly imageRefs: readonly string[];
  /**
   * Fields Pulumi leaves to someone else: `spec.replicas` of a Deployment that an autoscaler
   * in the app scales.
   */
  readonly ignoreChanges: readonly string[];
}

/** The resource class for an object: typed for built-in kinds, `CustomResource` for other API groups. */
export function resourceClassOf(apiVersion: string, kind: string, where: string): ResourceClass {
  const typed = TYPED[`${apiVersion}/${kind}`];
  if (typed) {
    return typed;
  }
  if (!apiVersion.includes('/')) {
    throw new ValidationError({
      prop: 'kind',
      value: `${apiVersion}/${kind}`,
      why: 'is a core kind the Pulumi backend does not apply',
      fix: `use one of ${Object.keys(TYPED).filter((k) => !k.slice(0, k.lastIndexOf('/')).includes('/')).join(', ')}, or apply it outside goship`,
    }, where);
  }
  return k8s.apiextensions.CustomResource as unknown as ResourceClass;
}

/** True for kinds that have no namespace. */
export function isClusterScoped(kind: string): boolean {
  return CLUSTER_SCOPED.has(kind);
}

/** The apply wave of a kind. */
export function waveOf(kind: string): number {
  const i = WAVES.findIndex((w) => w.has(kind));
  return i < 0 ? WAVES.length : i;
}

/** `<kind>-<namespace>-<name>` in lower case, or `<kind>-<name>` for objects without a namespace. */
export function resourceNameOf(kind: string, name: string, namespace?: string): string {
  return [kind.toLowerCase(), ...(namespace ? [namespace] : []), name].join('-');
}

/**
 * Plans every object of the app's charts: a deep copy of each, with the namespace override
 * applied to namespaced kinds, its resource name, wave and the image references it uses.
 * Throws if two objects would get the same name or an object holds a Pulumi Output.
 */
export function planObjects(
  charts: readonly { readonly name: string; readonly objects: readonly any[] }[],
  imageRefs: ReadonlySet<string>,
  namespace?: string,
): ObjectPlan[] {
  const plans: ObjectPlan[] = [];
  const byName = new Map<string, string>();
  for (const chart of charts) {
    for (const source of chart.objects) {
      const where = `${chart.name}/${source?.kind}/${source?.metadata?.name}`;
      assertPlain(source, where, '');
      const object = JSON.parse(JSON.stringify(source)) as Record<string, any>;
      const apiVersion = object.apiVersion;
      const kind = object.kind;
      const name = object.metadata?.name;
      if (typeof apiVersion !== 'string' || typeof kind !== 'string' || typeof name !== 'string') {
        throw ValidationError.invalid('object', source, `an object of chart '${chart.name}' lacks apiVersion, kind or metadata.name`, 'give every ApiObject an apiVersion, a kind and a metadata.name');
      }
      resourceClassOf(apiVersion, kind, where);
      if (namespace !== undefined && !isClusterScoped(kind)) {
        object.metadata.namespace = namespace;
      }
      const resourceName = resourceNameOf(kind, name, isClusterScoped(kind) ? undefined : object.metadata.namespace);
      const other = byName.get(resourceName);
      if (other !== undefined) {
        throw new ValidationError({
          prop: 'metadata.name',
          value: name,
          why: `${other} is the same ${kind} (both would be the Pulumi resource '${resourceName}')`,
          fix: 'give one of them another name or namespace',
        }, where);
      }
      byName.set(resourceName, where);
      plans.push({ resourceName, chart: chart.name, apiVersion, kind, object, namespaced: !isClusterScoped(kind), wave: waveOf(kind), imageRefs: containerImages(object, imageRefs), ignoreChanges: [] });
    }
  }
  const scaled = autoscaledDeployments(plans);
  return plans.map((p) => (p.kind === 'Deployment' && scaled.has(`${p.object.metadata.namespace ?? ''}/${p.object.metadata.name}`)
    ? { ...p, ignoreChanges: ['spec.replicas'] }
    : p));
}

/**
 * `<namespace>/<name>` of every Deployment a HorizontalPodAutoscaler of the app scales. Such a
 * Deployment is rendered without `replicas`, so the server-side apply never claims the field
 * the autoscaler writes (claiming it would conflict, or reset the count on every `up`);
 * ignoring it also keeps `pulumi up` from showing the autoscaler's count as a diff.
 */
function autoscaledDeployments(plans: readonly ObjectPlan[]): Set<string> {
  return new Set(plans
    .filter((p) => p.kind === 'HorizontalPodAutoscaler' && p.object.spec?.scaleTargetRef?.kind === 'Deployment')
    .map((p) => `${p.object.metadata.namespace ?? ''}/${p.object.spec.scaleTargetRef.name}`));
}

/** The references of `known` that the object's containers (in any pod spec, at any depth) use. */
export function containerImages(object: unknown, known: ReadonlySet<string>): string[] {
  const found = new Set<string>();
  forEachContainer(object, (c) => {
    if (typeof c.image === 'string' && known.has(c.image)) {
      found.add(c.image);
    }
  });
  return [...found].sort();
}

/**
 * A copy of the object whose container `image` fields that match a key of `pins` are replaced
 * by its value (the pushed, digest-pinned reference). Only containers, initContainers and
 * ephemeralContainers of pod specs are touched; no other string is ever rewritten.
 */
export function pinImages(object: Record<string, any>, pins: ReadonlyMap<string, pulumi.Input<string>>): Record<string, any> {
  const copy = JSON.parse(JSON.stringify(object)) as Record<string, any>;
  forEachContainer(copy, (c) => {
    const pinned = typeof c.image === 'string' ? pins.get(c.image) : undefined;
    if (pinned !== undefined) {
      c.image = pinned;
    }
  });
  return copy;
}

function forEachContainer(value: unknown, fn: (container: Record<string, any>) => void): void {
  if (Array.isArray(value)) {
    value.forEach((v) => forEachContainer(v, fn));
  } else if (typeof value === 'object' && value !== null) {
    for (const [key, child] of Object.entries(value)) {
      if (CONTAINER_LISTS.has(key) && Array.isArray(child)) {
        child.filter((c) => typeof c === 'object' && c !== null).forEach(fn);
      }
      forEachContainer(child, fn);
    }
  }
}

/** What an Output turns into inside a template string (`toString`) or JSON (`toJSON`). */
const OUTPUT_TEXT = 'on an [Output<T>] is not supported';

/**
 * Rejects Pulumi Outputs in the construct tree: the YAML path cannot write them, so an object
 * holding one would differ between the two backends. Plain values only; use the component's
 * outputs to pass results on.
 */
function assertPlain(value: unknown, where: string, at: string): void {
  if (pulumi.Output.isInstance(value) || (typeof value === 'string' && value.includes(OUTPUT_TEXT))) {
    throw new ValidationError({
      prop: at || 'object',
      value: '<Output>',
      why: 'holds a Pulumi Output; the construct tree must be plain values, the same for the YAML and the Pulumi path',
      fix: 'pass plain strings and numbers to the constructs (read Pulumi config with config.get/require before building the app)',
    }, where);
  }
  if (Array.isArray(value)) {
    value.forEach((v, i) => assertPlain(v, where, `${at}[${i}]`));
  } else if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value)) {
      assertPlain(v, where, at ? `${at}.${k}` : k);
    }
  }
}
