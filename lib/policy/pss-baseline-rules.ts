import { ManifestRule, say } from './finding';
import {
  BASELINE, BASELINE_CAPABILITIES, PROFILE_OK, perWorkload, podSc, relaxedForUserNamespace, safeSysctls, sc, selinuxTypes, show,
} from './pss-common';
import { dig, isRecord, list } from './workloads';

/**
 * The Pod Security Standards "baseline" controls
 * (kubernetes.io/docs/concepts/security/pod-security-standards): what stops known privilege
 * escalations. A workload that passes every `pss-baseline/*` rule is admitted into a
 * namespace labelled `pod-security.kubernetes.io/enforce: baseline`.
 */

const APPARMOR_ANNOTATION = 'container.apparmor.security.beta.kubernetes.io/';
const PROBES = ['livenessProbe', 'readinessProbe', 'startupProbe'] as const;

/** Pod Security baseline rules, in README order. */
export const PSS_BASELINE_RULES: readonly ManifestRule[] = [
  {
    target: 'manifests',
    id: 'pss-baseline/privileged',
    severity: 'error',
    description: 'No privileged containers.',
    check: perWorkload((w, hit) => {
      for (const c of w.containers.filter((x) => sc(x, 'privileged') === true)) {
        hit(say(`${c.label}: securityContext.privileged is true`,
          `a privileged container has every capability and the host's devices, it is root on the node; ${BASELINE}`,
          `remove ${c.path}.securityContext.privileged`));
      }
    }),
  },
  {
    target: 'manifests',
    id: 'pss-baseline/host-namespaces',
    severity: 'error',
    description: 'No hostNetwork, hostPID or hostIPC.',
    check: perWorkload((w, hit) => {
      for (const f of ['hostNetwork', 'hostPID', 'hostIPC']) {
        if (w.pod[f] === true) {
          hit(say(`${w.specPath}.${f} is true`,
            `the pod shares the node's ${f.slice(4)} namespace and can see or reach what other pods and the host keep private; ${BASELINE}`,
            `remove ${w.specPath}.${f}${f === 'hostNetwork' ? ' and expose the port through a Service' : ''}`));
        }
      }
    }),
  },
  {
    target: 'manifests',
    id: 'pss-baseline/host-process',
    severity: 'error',
    description: 'No Windows HostProcess containers.',
    check: perWorkload((w, hit) => {
      if (podSc(w, 'windowsOptions', 'hostProcess') === true) {
        hit(say(`${w.specPath}.securityContext.windowsOptions.hostProcess is true`, `a HostProcess pod runs directly on the Windows node; ${BASELINE}`, 'remove it'));
      }
      for (const c of w.containers.filter((x) => sc(x, 'windowsOptions', 'hostProcess') === true)) {
        hit(say(`${c.label}: securityContext.windowsOptions.hostProcess is true`, `a HostProcess container runs directly on the Windows node; ${BASELINE}`, 'remove it'));
      }
    }),
  },
  {
    target: 'manifests',
    id: 'pss-baseline/host-path-volumes',
    severity: 'error',
    description: 'No hostPath volumes.',
    check: perWorkload((w, hit) => {
      for (const v of list(w.pod.volumes).filter((x) => dig(x, 'hostPath') !== undefined && dig(x, 'hostPath') !== null)) {
        hit(say(`volume '${String(dig(v, 'name'))}' is a hostPath (${String(dig(v, 'hostPath', 'path'))})`,
          `it mounts a directory of the node, so a write escapes the container and outlives it; ${BASELINE}`,
          'use an emptyDir, a ConfigMap or Secret, or a PersistentVolumeClaim'));
      }
    }),
  },
  {
    target: 'manifests',
    id: 'pss-baseline/host-ports',
    severity: 'error',
    description: 'No hostPort on container ports.',
    check: perWorkload((w, hit) => {
      for (const c of w.containers) {
        for (const p of list(c.spec.ports)) {
          const hostPort = dig(p, 'hostPort');
          if (hostPort !== undefined && hostPort !== null && hostPort !== 0) {
            hit(say(`${c.label}: port ${String(dig(p, 'containerPort'))} has hostPort ${show(hostPort)}`,
              `it binds the port on the node itself, so two replicas cannot share a node and the node's address becomes part of the contract; ${BASELINE}`,
              'remove hostPort and reach the pod through a Service'));
          }
        }
      }
    }),
  },
  {
    target: 'manifests',
    id: 'pss-baseline/host-probes',
    severity: 'error',
    description: 'Probes and lifecycle hooks set no host (Kubernetes 1.34 and later).',
    check: perWorkload((w, hit, set) => {
      if (set.kubernetesMinor < 34) {
        return;
      }
      for (const c of w.containers) {
        const handlers = [
          ...PROBES.map((p) => [p, c.spec[p]] as const),
          ...(['postStart', 'preStop'] as const).map((h) => [`lifecycle.${h}`, dig(c.spec, 'lifecycle', h)] as const),
        ];
        for (const [where, handler] of handlers) {
          for (const kind of ['httpGet', 'tcpSocket']) {
            const host = dig(handler, kind, 'host');
            if (host !== undefined && host !== null && host !== '') {
              hit(say(`${c.label}: ${where}.${kind}.host is ${show(host)}`,
                `the kubelet would connect from the node to any address it is given, reaching what the pod's network cannot; ${BASELINE}`,
                `remove ${c.path}.${where}.${kind}.host: the kubelet then probes the pod's own IP`));
            }
          }
        }
      }
    }),
  },
  {
    target: 'manifests',
    id: 'pss-baseline/proc-mount',
    severity: 'error',
    description: 'procMount is Default (any value with hostUsers: false, Kubernetes 1.35 and later).',
    check: perWorkload((w, hit, set) => {
      if (relaxedForUserNamespace(w, set)) {
        return;
      }
      for (const c of w.containers) {
        const pm = sc(c, 'procMount');
        if (pm !== undefined && pm !== null && pm !== 'Default') {
          hit(say(`${c.label}: securityContext.procMount is ${show(pm)}`, `an unmasked /proc exposes kernel interfaces the runtime normally hides; ${BASELINE}`,
            'remove procMount (or run the pod in a user namespace with hostUsers: false)'));
        }
      }
    }),
  },
  {
    target: 'manifests',
    id: 'pss-baseline/sysctls',
    severity: 'error',
    description: "Only the safe, pod-isolated sysctls of the Kubernetes version.",
    check: perWorkload((w, hit, set) => {
      const safe = safeSysctls(set.kubernetesMinor);
      for (const s of list(podSc(w, 'sysctls'))) {
        const name = String(dig(s, 'name'));
        if (!safe.has(name)) {
          hit(say(`${w.specPath}.securityContext.sysctls sets '${name}'`,
            `it is not one of the safe, pod-isolated sysctls of Kubernetes 1.${set.kubernetesMinor}, so it can change the node for every pod; ${BASELINE}`,
            `remove it, or use one of ${[...safe].join(', ')}`));
        }
      }
    }),
  },
  {
    target: 'manifests',
    id: 'pss-baseline/selinux',
    severity: 'error',
    description: 'No custom SELinux user or role; only container SELinux types.',
    check: perWorkload((w, hit, set) => {
      const types = selinuxTypes(set.kubernetesMinor);
      const check = (where: string, opts: unknown) => {
        if (!isRecord(opts)) {
          return;
        }
        const type = opts.type ?? '';
        if (typeof type !== 'string' || !types.has(type)) {
          hit(say(`${where}.seLinuxOptions.type is ${show(type)}`, `only the container types may be chosen; ${BASELINE}`,
            `remove it, or use one of ${[...types].filter((t) => t !== '').map((t) => `'${t}'`).join(', ')}`));
        }
        for (const f of ['user', 'role']) {
          if (opts[f] !== undefined && opts[f] !== null && opts[f] !== '') {
            hit(say(`${where}.seLinuxOptions.${f} is ${show(opts[f])}`, `a custom SELinux ${f} can lift the container's confinement; ${BASELINE}`, `remove seLinuxOptions.${f}`));
          }
        }
      };
      check(`${w.specPath}.securityContext`, podSc(w, 'seLinuxOptions'));
      for (const c of w.containers) {
        check(`${c.label}: securityContext`, sc(c, 'seLinuxOptions'));
      }
    }),
  },
  {
    target: 'manifests',
    id: 'pss-baseline/apparmor',
    severity: 'error',
    description: 'AppArmor profile RuntimeDefault or Localhost (annotations: empty, runtime/default or localhost/…).',
    check: perWorkload((w, hit) => {
      for (const [k, v] of Object.entries(w.podAnnotations)) {
        if (k.startsWith(APPARMOR_ANNOTATION) && v !== '' && v !== 'runtime/default' && !v.startsWith('localhost/')) {
          hit(say(`annotation ${k} is '${v}'`, `the container runs without the runtime's AppArmor profile; ${BASELINE}`, "use 'runtime/default' or 'localhost/<profile>', or remove the annotation"));
        }
      }
      const type = podSc(w, 'appArmorProfile', 'type');
      if (isRecord(podSc(w, 'appArmorProfile')) && !PROFILE_OK.has(type as string)) {
        hit(say(`${w.specPath}.securityContext.appArmorProfile.type is ${show(type)}`, `the pod runs without an AppArmor profile; ${BASELINE}`, "use 'RuntimeDefault' or 'Localhost'"));
      }
      for (const c of w.containers.filter((x) => isRecord(sc(x, 'appArmorProfile')) && !PROFILE_OK.has(sc(x, 'appArmorProfile', 'type') as string))) {
        hit(say(`${c.label}: securityContext.appArmorProfile.type is ${show(sc(c, 'appArmorProfile', 'type'))}`, `the container runs without an AppArmor profile; ${BASELINE}`, "use 'RuntimeDefault' or 'Localhost'"));
      }
    }),
  },
  {
    target: 'manifests',
    id: 'pss-baseline/capabilities',
    severity: 'error',
    description: "Containers add only capabilities of the runtime's default set (no NET_RAW, SYS_ADMIN, …).",
    check: perWorkload((w, hit) => {
      for (const c of w.containers) {
        const extra = list(sc(c, 'capabilities', 'add')).filter((a) => !BASELINE_CAPABILITIES.has(a as string));
        if (extra.length > 0) {
          hit(say(`${c.label}: securityContext.capabilities.add has ${extra.map(String).join(', ')}`,
            `they are beyond the container runtime's default set and open known escapes from the container; ${BASELINE}`,
            `remove them from ${c.path}.securityContext.capabilities.add`));
        }
      }
    }),
  },
  {
    target: 'manifests',
    id: 'pss-baseline/seccomp-profile',
    severity: 'error',
    description: 'No seccompProfile other than RuntimeDefault or Localhost (no Unconfined).',
    check: perWorkload((w, hit) => {
      const pod = podSc(w, 'seccompProfile');
      if (isRecord(pod) && !PROFILE_OK.has(pod.type as string)) {
        hit(say(`${w.specPath}.securityContext.seccompProfile.type is ${show(pod.type)}`, `containers could make every system call, including ones used to escape; ${BASELINE}`, "set it to 'RuntimeDefault'"));
      }
      for (const c of w.containers.filter((x) => isRecord(sc(x, 'seccompProfile')) && !PROFILE_OK.has(sc(x, 'seccompProfile', 'type') as string))) {
        hit(say(`${c.label}: securityContext.seccompProfile.type is ${show(sc(c, 'seccompProfile', 'type'))}`, `the container could make every system call; ${BASELINE}`, "set it to 'RuntimeDefault' or remove it to use the pod's"));
      }
    }),
  },
];
