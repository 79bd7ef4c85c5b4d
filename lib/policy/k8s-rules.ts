import { ManifestRule, say } from './finding';
import { perWorkload } from './pss-common';
import {
  ContainerRef, KubeObject, ManifestSet, Workload, containerPorts, dig, isCustomResource, isRecord, list, selectorKeys, selects,
  splitImage, stringMap,
} from './workloads';

/**
 * Rules for workloads and Services beyond Pod Security: probes, resources, image
 * references, selectors and the Service → pod wiring.
 */

const mainContainers = (w: Workload) => w.containers.filter((c) => c.kind === 'container');
const runContainers = (w: Workload) => w.containers.filter((c) => c.kind !== 'ephemeral container');
/** Containers that run beside the app: the main ones and native sidecars (init containers with restartPolicy: Always). */
const servingContainers = (w: Workload) => w.containers.filter((c) => c.kind === 'container' || (c.kind === 'init container' && c.spec.restartPolicy === 'Always'));

/**
 * Whether a container is known to run Go: it sets a Go runtime variable (GOMEMLIMIT, GOMAXPROCS,
 * GOGC, GODEBUG…) or goship made the object. Go-only advice is given only then.
 */
function knownGo(w: Workload, c: ContainerRef): boolean {
  const managedBy = (labels: unknown) => dig(labels, 'app.kubernetes.io/managed-by') === 'goship';
  return managedBy(dig(w.obj.raw, 'metadata', 'labels')) || managedBy(w.podLabels)
    || list(c.spec.env).some((e) => /^GO[A-Z]+$/.test(String(dig(e, 'name'))));
}
const PROBES = ['readinessProbe', 'livenessProbe', 'startupProbe'] as const;
const VERSION_LABELS = ['app.kubernetes.io/version', 'version'];

/** Renders a port set for a message: `8080, 'http'`. */
function describePorts(containers: readonly ContainerRef[]): string {
  const parts = containers.flatMap((c) => list(c.spec.ports).map((p) => {
    const name = dig(p, 'name');
    return `${String(dig(p, 'containerPort'))}${typeof name === 'string' ? ` '${name}'` : ''}`;
  }));
  return parts.length > 0 ? parts.join(', ') : 'none';
}

/** Whether any of the containers declares the port (a name, or a number; digit strings count as numbers). */
function declaresPort(containers: readonly ContainerRef[], port: unknown): boolean {
  const p = typeof port === 'string' && /^\d+$/.test(port) ? Number(port) : port;
  return containers.some((c) => {
    const { numbers, names } = containerPorts(c.spec);
    return typeof p === 'number' ? numbers.has(p) : typeof p === 'string' && names.has(p);
  });
}

/** A port given as a number (or a digit string): the process may listen on it without declaring it. */
const isNumericPort = (p: unknown) => typeof p === 'number' || (typeof p === 'string' && /^\d+$/.test(p));

/** Probe handlers whose port is not declared by the container, numeric or named as asked. */
function undeclaredProbePorts(w: Workload, numeric: boolean): { c: ContainerRef; probe: string; handler: string; port: unknown }[] {
  const out: { c: ContainerRef; probe: string; handler: string; port: unknown }[] = [];
  for (const c of mainContainers(w)) {
    for (const probe of PROBES) {
      for (const handler of ['httpGet', 'tcpSocket', 'grpc']) {
        const port = dig(c.spec, probe, handler, 'port');
        if (dig(c.spec, probe, handler) !== undefined && isNumericPort(port) === numeric && !declaresPort([c], port)) {
          out.push({ c, probe, handler, port });
        }
      }
    }
  }
  return out;
}

const showPort = (p: unknown) => (typeof p === 'string' ? `'${p}'` : String(p));
const showLabels = (l: Readonly<Record<string, string>>) => `{${Object.entries(l).map(([k, v]) => `${k}: ${v}`).join(', ')}}`;

function probeRule(id: string, field: 'readinessProbe' | 'livenessProbe', why: string, fix: string, unserved?: string): ManifestRule {
  return {
    target: 'manifests',
    id,
    severity: 'error',
    description: `Every container of a long-running workload has a ${field}${unserved ? ' (a notice when no Service selects its pods)' : ''}.`,
    check: perWorkload((w, hit, set) => {
      if (!w.longRunning) {
        return;
      }
      const served = !unserved || servedWorkloads(set).has(w);
      for (const c of mainContainers(w).filter((x) => x.spec[field] === undefined)) {
        if (served) {
          hit(say(`${c.label} has no ${field}`, why, `add ${c.path}.${field}${fix}`));
        } else {
          hit(say(`${c.label} has no ${field}`, unserved!, `add ${c.path}.${field}${fix} if a Service elsewhere selects these pods`), 'notice');
        }
      }
    }),
  };
}

/** The workloads some Service of the set selects. */
function servedWorkloads(set: ManifestSet): Set<Workload> {
  return new Set(servicesAndPods(set).flatMap((s) => s.pods));
}

interface ServicePods {
  readonly svc: KubeObject;
  readonly selector: Readonly<Record<string, string>>;
  readonly pods: readonly Workload[];
}

const servicePodsCache = new WeakMap<ManifestSet, readonly ServicePods[]>();

/**
 * Services with a selector, each with the workloads in its namespace whose pod labels it
 * selects. Workloads are indexed by namespace and label, so thousands of Services and
 * Deployments stay linear. Computed once per set.
 */
/** Labels the StatefulSet controller puts on each pod it creates, beside the template's. */
const CONTROLLER_LABELS = new Set(['statefulset.kubernetes.io/pod-name', 'apps.kubernetes.io/pod-index']);

/** Whether the workload's controller gives some of its pods this label: a StatefulSet names pod `<name>-<ordinal>`. */
function addedByController(w: Workload, key: string, value: string): boolean {
  if (w.obj.kind !== 'StatefulSet') {
    return false;
  }
  if (key === 'statefulset.kubernetes.io/pod-name') {
    return value.startsWith(`${w.obj.name}-`) && /^\d+$/.test(value.slice(w.obj.name.length + 1));
  }
  return key === 'apps.kubernetes.io/pod-index' && /^\d+$/.test(value);
}

function servicesAndPods(set: ManifestSet): readonly ServicePods[] {
  const cached = servicePodsCache.get(set);
  if (cached) {
    return cached;
  }
  const index = new Map<string, Workload[]>();
  for (const w of set.workloads) {
    for (const [k, v] of Object.entries(w.podLabels)) {
      const key = JSON.stringify([w.obj.namespace, k, v]);
      const list = index.get(key);
      if (list) {
        list.push(w);
      } else {
        index.set(key, [w]);
      }
    }
  }
  const result = set.objects
    .filter((o) => o.kind === 'Service' && !isCustomResource(o) && dig(o.raw, 'spec', 'type') !== 'ExternalName')
    .map((svc) => ({ svc, selector: stringMap(dig(svc.raw, 'spec', 'selector')) }))
    .filter((s) => Object.keys(s.selector).length > 0)
    .map((s) => {
      // The workloads carrying the rarest of the selector's template labels; then all of them
      // must match. Labels a controller adds to each pod (a StatefulSet's pod name) are in no
      // template: they are matched against the workload itself.
      const templateLabels = Object.entries(s.selector).filter(([k]) => !CONTROLLER_LABELS.has(k));
      const candidates = templateLabels.length === 0
        ? set.workloads.filter((w) => w.obj.namespace === s.svc.namespace)
        : templateLabels
          .map(([k, v]) => index.get(JSON.stringify([s.svc.namespace, k, v])) ?? [])
          .reduce((a, b) => (b.length < a.length ? b : a));
      return { ...s, pods: candidates.filter((w) => Object.entries(s.selector).every(([k, v]) => w.podLabels[k] === v || addedByController(w, k, v))) };
    });
  servicePodsCache.set(set, result);
  return result;
}

/** Workload, Service and container rules, in README order. */
export const K8S_RULES: readonly ManifestRule[] = [
  probeRule('probes/readiness', 'readinessProbe',
    'without one a rollout sends traffic to pods that are not serving yet, and a pod that stops serving stays behind the Service',
    ' (e.g. httpGet on a /readyz path of a declared port)',
    'no Service in the checked files selects its pods, so no traffic may depend on it; a rollout still counts a started pod as ready, even one that is not working yet'),
  probeRule('probes/liveness', 'livenessProbe',
    'without one a deadlocked process is never restarted',
    ' (e.g. httpGet on a /healthz path of a declared port, with a longer period than the readiness probe)'),
  {
    target: 'manifests',
    id: 'probes/port',
    severity: 'error',
    description: "Probes that name a port name one declared in the container's ports.",
    check: perWorkload((w, hit) => {
      for (const { c, probe, handler, port } of undeclaredProbePorts(w, false)) {
        hit(say(`${c.label}: ${probe}.${handler}.port ${showPort(port)} is not one of its ports (${describePorts([c])})`,
          'the kubelet cannot resolve the name, so the pod never becomes ready or is restarted in a loop',
          `probe a port from ${c.path}.ports, or declare the port there with that name`));
      }
    }),
  },
  {
    target: 'manifests',
    id: 'probes/port-undeclared',
    severity: 'warning',
    description: "Probes on a port number the container does not declare (it may still listen there).",
    check: perWorkload((w, hit) => {
      for (const { c, probe, handler, port } of undeclaredProbePorts(w, true)) {
        hit(say(`${c.label}: ${probe}.${handler}.port ${showPort(port)} is not one of its declared ports (${describePorts([c])})`,
          'declared ports are documentation only, so this works if the process listens there; if it does not, the pod never becomes ready',
          `declare ${port} in ${c.path}.ports (best with a name the probe then uses)`));
      }
    }),
  },
  {
    target: 'manifests',
    id: 'resources/requests',
    severity: 'error',
    description: 'Every container requests cpu and memory.',
    check: perWorkload((w, hit) => {
      // A plain init container runs before the others: the pod's request is the larger of it
      // and the sum of the others, so it needs none of its own. Native sidecars run beside them.
      for (const c of servingContainers(w)) {
        // Requests default to the limits when only limits are set.
        const missing = ['cpu', 'memory'].filter((r) => dig(c.spec, 'resources', 'requests', r) === undefined && dig(c.spec, 'resources', 'limits', r) === undefined);
        if (missing.length > 0) {
          hit(say(`${c.label} requests no ${missing.join(' and ')}`,
            'the scheduler places the pod blindly, and a pod without requests is the first one evicted when the node runs short',
            `set ${missing.map((r) => `${c.path}.resources.requests.${r}`).join(' and ')} (e.g. cpu: 100m, memory: 64Mi)`));
        }
      }
    }),
  },
  {
    target: 'manifests',
    id: 'resources/memory-limit',
    severity: 'error',
    description: 'Every container has a memory limit.',
    check: perWorkload((w, hit) => {
      for (const c of runContainers(w).filter((x) => dig(x.spec, 'resources', 'limits', 'memory') === undefined)) {
        hit(say(`${c.label} has no memory limit`,
          'a leak grows until the node runs out of memory and the kernel kills some other pod; with a limit only this container is restarted',
          `set ${c.path}.resources.limits.memory${knownGo(w, c) ? ' (and GOMEMLIMIT a little below it)' : ''}`));
      }
    }),
  },
  {
    target: 'manifests',
    id: 'image/tag',
    severity: 'error',
    description: 'Images are pinned by a tag other than latest, or by a digest.',
    check: perWorkload((w, hit) => {
      for (const c of w.containers) {
        const image = c.spec.image;
        if (typeof image !== 'string' || image === '') {
          hit(say(`${c.label} has no image`, 'the API server rejects the pod', `set ${c.path}.image to a tagged reference`));
          continue;
        }
        const ref = splitImage(image);
        if (ref.digest === undefined && (ref.tag === undefined || ref.tag === 'latest')) {
          hit(say(`${c.label}: image '${image}' is ${ref.tag === undefined ? 'untagged, which means :latest' : 'tagged latest'}`,
            'a mutable tag runs whatever was pushed last: nodes cache different builds, replicas disagree and a rollback changes nothing',
            `pin ${c.path}.image to a version tag or a digest, e.g. '${ref.name}:1a2b3c4' or '${ref.name}@sha256:…'`));
        }
      }
    }),
  },
  {
    target: 'manifests',
    id: 'image/pull-policy',
    severity: 'warning',
    description: 'No imagePullPolicy: Always with an immutable tag or digest.',
    check: perWorkload((w, hit) => {
      for (const c of w.containers.filter((x) => x.spec.imagePullPolicy === 'Always' && typeof x.spec.image === 'string')) {
        const ref = splitImage(c.spec.image as string);
        if (ref.digest !== undefined || (ref.tag !== undefined && ref.tag !== 'latest')) {
          hit(say(`${c.label}: imagePullPolicy is Always for the pinned image '${String(c.spec.image)}'`,
            'a pinned image never changes, so Always only adds a registry round trip to every container start; a registry outage then blocks restarts and scale-ups',
            `remove ${c.path}.imagePullPolicy (IfNotPresent is the default for a pinned image)`));
        }
      }
    }),
  },
  {
    target: 'manifests',
    id: 'container/read-only-root-filesystem',
    severity: 'warning',
    description: 'Containers set readOnlyRootFilesystem: true.',
    check: perWorkload((w, hit) => {
      for (const c of runContainers(w).filter((x) => dig(x.spec, 'securityContext', 'readOnlyRootFilesystem') !== true)) {
        hit(say(`${c.label}: securityContext.readOnlyRootFilesystem is not true`,
          `a writable root lets an intruder drop binaries or change files the service trusts${knownGo(w, c) ? '; a static Go binary needs no writes there' : ''}`,
          `set ${c.path}.securityContext.readOnlyRootFilesystem: true (mount an emptyDir at /tmp if it writes temporary files)`));
      }
    }),
  },
  {
    target: 'manifests',
    id: 'selector/matches-template',
    severity: 'error',
    description: "A workload's selector is set and selects its own pod template labels.",
    check: perWorkload((w, hit, set) => {
      if (!w.selector) {
        return;
      }
      const sel = w.selector.value;
      const kustomization = w.obj.file === undefined ? undefined : set.kustomized.get(w.obj.file);
      if (sel === undefined && kustomization !== undefined) {
        hit(say(`${w.selector.path} is missing here`,
          `${kustomization} adds labels with selectors (commonLabels), so the built object probably has one; goship checks the files as written`,
          `check the built output: kustomize build <dir> | goship check -`), 'notice');
      } else if (!isRecord(sel) || selectorKeys(sel).length === 0) {
        hit(say(`${w.selector.path} is ${sel === undefined ? 'missing' : 'empty'}`,
          'the API server rejects the object: a controller needs a selector to find its pods',
          `set ${w.selector.path}.matchLabels to stable labels of the pod template, e.g. app.kubernetes.io/name`));
      } else if (!selects(sel, w.podLabels)) {
        hit(say(`${w.selector.path} does not select the pod template's labels ${showLabels(w.podLabels)}`,
          'the API server rejects the object (selector does not match template labels)',
          `give ${w.specPath.replace(/\.spec$/, '')}.metadata.labels every label the selector requires`));
      }
    }),
  },
  {
    target: 'manifests',
    id: 'selector/no-version-label',
    severity: 'error',
    description: 'Selectors do not use app.kubernetes.io/version or version.',
    check: perWorkload((w, hit) => {
      if (!w.selector) {
        return;
      }
      for (const key of selectorKeys(w.selector.value).filter((k) => VERSION_LABELS.includes(k))) {
        hit(say(`${w.selector.path} uses the version label '${key}'`,
          'a selector is immutable: the next version cannot be applied (field is immutable), and recreating the object orphans the old pods instead of rolling them',
          'select on stable labels only (app.kubernetes.io/name, app.kubernetes.io/instance) and keep the version as a pod label'));
      }
    }),
  },
  {
    target: 'manifests',
    id: 'service/selector',
    severity: 'error',
    description: "A Service's selector matches the pod labels of some workload in its namespace (a notice when its pods may come from files or places goship did not read).",
    check: (set) => servicesAndPods(set).filter((s) => s.pods.length === 0 && podMakers(set, s.svc).length === 0).map(({ svc, selector }) => {
      const candidates = set.workloads.filter((w) => w.obj.namespace === svc.namespace);
      const elsewhere = set.workloads.filter((w) => w.obj.namespace !== svc.namespace && selects({ matchLabels: selector }, w.podLabels));
      const hint = elsewhere.length > 0
        ? `${elsewhere[0].obj.ref} in namespace '${elsewhere[0].obj.namespace}' has these labels: a Service selects pods of its own namespace only`
        : candidates.length > 0
          ? `e.g. ${candidates[0].obj.ref} has pod labels ${showLabels(candidates[0].podLabels)}`
          : `no workload in namespace '${svc.namespace}' was checked with it`;
      const what = `spec.selector ${showLabels(selector)} matches no pod template in namespace '${svc.namespace}'`;
      const fix = `set spec.selector to labels of the pods it fronts (${hint})`;
      // Without a workload of its namespace or its labels anywhere, or with files goship could
      // not read, its pods may come from elsewhere: another repository, the platform, a template.
      const unsure = set.unreadFiles.length > 0
        ? `not read: ${set.unreadFiles.slice(0, 3).join(', ')}${set.unreadFiles.length > 3 ? ', …' : ''}`
        : candidates.length === 0 && elsewhere.length === 0 ? `no workload of namespace '${svc.namespace}' was checked` : undefined;
      return unsure === undefined
        ? { on: svc, message: say(what, 'the Service gets no endpoints and every request to it fails', fix) }
        : {
          on: svc,
          severity: 'notice' as const,
          message: say(`spec.selector ${showLabels(selector)} matches no pod template goship read in namespace '${svc.namespace}' (${unsure})`,
            'its pods may be created elsewhere (another repository, the platform, a template); if not, the Service gets no endpoints and every request to it fails',
            `check the pods that run in the cluster carry these labels, or ${fix}`),
        };
    }),
  },
  {
    target: 'manifests',
    id: 'service/selector-unknown-pods',
    severity: 'notice',
    description: 'A Service that selects no known workload, next to custom resources that may create its pods.',
    check: (set) => servicesAndPods(set).filter((s) => s.pods.length === 0).flatMap(({ svc, selector }) => {
      const makers = podMakers(set, svc);
      return makers.length === 0 ? [] : [{
        on: svc,
        message: say(`spec.selector ${showLabels(selector)} matches no pod template goship can read in namespace '${svc.namespace}'`,
          `its pods may be created by ${makers.slice(0, 3).map((o) => `${o.ref} (${o.apiVersion})`).join(', ')}${makers.length > 3 ? ', …' : ''}, whose pods goship cannot see`,
          'check that the operator labels its pods with the selector; its targetPorts are not checked'),
      }];
    }),
  },
  {
    target: 'manifests',
    id: 'service/target-port',
    severity: 'error',
    description: "A Service's named targetPort is a port name its pods' containers declare.",
    check: (set) => undeclaredTargets(set, false).map(({ svc, p, target, pods, containers }) => ({
      on: svc,
      message: say(`port ${portLabel(p)} targets ${showPort(target)}, which no container of ${pods.map((w) => w.obj.ref).join(', ')} declares (${describePorts(containers)})`,
        'a name that no container declares does not resolve: the Service has no endpoints for this port and requests fail although the pods are ready',
        'set targetPort to the name or number of the container port'),
    })),
  },
  {
    target: 'manifests',
    id: 'service/target-port-undeclared',
    severity: 'warning',
    description: "A Service's numeric targetPort is not declared by its pods' containers (they may still listen there).",
    check: (set) => undeclaredTargets(set, true).map(({ svc, p, target, pods, containers }) => ({
      on: svc,
      message: say(`port ${portLabel(p)} targets ${showPort(target)}, which no container of ${pods.map((w) => w.obj.ref).join(', ')} declares (${describePorts(containers)})`,
        'declared ports are documentation only, so this works if the process listens there; if it does not, requests fail although the pods are ready',
        'declare the port in the container and target it by name'),
    })),
  },
];

/** Custom resources in a Service's namespace that are not read as workloads: they may create its pods (operators, CRDs). */
function podMakers(set: ManifestSet, svc: KubeObject): KubeObject[] {
  const workloads = new Set(set.workloads.map((w) => w.obj));
  // A kustomization.yaml is read as an object but never reaches the cluster: it creates no pods.
  return set.objects.filter((o) => o.namespace === svc.namespace && isCustomResource(o) && !workloads.has(o) && !o.apiVersion.startsWith('kustomize.config.k8s.io/'));
}

const portLabel = (p: unknown) => {
  const name = dig(p, 'name');
  return `${typeof name === 'string' ? `'${name}' ` : ''}(${String(dig(p, 'port'))})`;
};

/** Service ports whose target no selected container declares, numeric or named as asked. */
function undeclaredTargets(set: ManifestSet, numeric: boolean) {
  return servicesAndPods(set).filter((s) => s.pods.length > 0).flatMap(({ svc, pods }) => {
    const containers = pods.flatMap(mainContainers);
    return list(dig(svc.raw, 'spec', 'ports')).flatMap((p) => {
      const target = dig(p, 'targetPort') ?? dig(p, 'port');
      return declaresPort(containers, target) || isNumericPort(target) !== numeric ? [] : [{ svc, p, target, pods, containers }];
    });
  });
}
