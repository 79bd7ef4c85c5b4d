import { ManifestRule, ObjectHit, say } from './finding';
import { ContainerRef, ManifestSet, Workload, dig, isRecord, list } from './workloads';

/**
 * The Pod Security Standards (kubernetes.io/docs/concepts/security/pod-security-standards),
 * "baseline" and "restricted" controls, as the pod-security admission controller applies
 * them. A workload that passes every `pss-*` rule is admitted into a namespace labelled
 * `pod-security.kubernetes.io/enforce: restricted`.
 */

const BASELINE = "even Pod Security 'baseline' rejects the pod";
const RESTRICTED = "Pod Security 'restricted' rejects the pod";

const SAFE_SYSCTLS = new Set([
  'kernel.shm_rmid_forced', 'net.ipv4.ip_local_port_range', 'net.ipv4.ip_unprivileged_port_start',
  'net.ipv4.tcp_syncookies', 'net.ipv4.ping_group_range', 'net.ipv4.ip_local_reserved_ports',
  'net.ipv4.tcp_keepalive_time', 'net.ipv4.tcp_fin_timeout', 'net.ipv4.tcp_keepalive_intvl',
  'net.ipv4.tcp_keepalive_probes',
]);
const SELINUX_TYPES = new Set(['', 'container_t', 'container_init_t', 'container_kvm_t', 'container_engine_t']);
const RESTRICTED_VOLUMES = new Set([
  'configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret',
]);
const SECCOMP_OK = new Set(['RuntimeDefault', 'Localhost']);
const APPARMOR_ANNOTATION = 'container.apparmor.security.beta.kubernetes.io/';

/** Runs `f` over every workload and collects its hits. */
function perWorkload(f: (w: Workload, hit: (message: string) => void) => void): (set: ManifestSet) => ObjectHit[] {
  return (set) => {
    const out: ObjectHit[] = [];
    for (const w of set.workloads) {
      f(w, (message) => out.push({ on: w.obj, message }));
    }
    return out;
  };
}

const sc = (c: ContainerRef, ...path: string[]) => dig(c.spec, 'securityContext', ...path);
const podSc = (w: Workload, ...path: string[]) => dig(w.pod, 'securityContext', ...path);
const show = (v: unknown) => (typeof v === 'string' ? `'${v}'` : JSON.stringify(v));

/** Pod Security Standards rules, in README order. */
export const PSS_RULES: readonly ManifestRule[] = [
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
      for (const v of list(w.pod.volumes).filter((x) => dig(x, 'hostPath') !== undefined)) {
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
          if (hostPort !== undefined && hostPort !== 0) {
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
    id: 'pss-baseline/proc-mount',
    severity: 'error',
    description: 'procMount is Default.',
    check: perWorkload((w, hit) => {
      for (const c of w.containers) {
        const pm = sc(c, 'procMount');
        if (pm !== undefined && pm !== 'Default') {
          hit(say(`${c.label}: securityContext.procMount is ${show(pm)}`, `an unmasked /proc exposes kernel interfaces the runtime normally hides; ${BASELINE}`, 'remove procMount'));
        }
      }
    }),
  },
  {
    target: 'manifests',
    id: 'pss-baseline/sysctls',
    severity: 'error',
    description: 'Only namespaced, safe sysctls.',
    check: perWorkload((w, hit) => {
      for (const s of list(podSc(w, 'sysctls'))) {
        const name = String(dig(s, 'name'));
        if (!SAFE_SYSCTLS.has(name)) {
          hit(say(`${w.specPath}.securityContext.sysctls sets '${name}'`,
            `it is not one of the safe, pod-isolated sysctls, so it can change the node for every pod; ${BASELINE}`,
            `remove it, or use one of ${[...SAFE_SYSCTLS].join(', ')}`));
        }
      }
    }),
  },
  {
    target: 'manifests',
    id: 'pss-baseline/selinux',
    severity: 'error',
    description: 'No custom SELinux user or role; only container SELinux types.',
    check: perWorkload((w, hit) => {
      const check = (where: string, opts: unknown) => {
        if (!isRecord(opts)) {
          return;
        }
        const type = opts.type ?? '';
        if (typeof type !== 'string' || !SELINUX_TYPES.has(type)) {
          hit(say(`${where}.seLinuxOptions.type is ${show(type)}`, `only the container types may be chosen; ${BASELINE}`, "remove it, or use 'container_t', 'container_init_t' or 'container_kvm_t'"));
        }
        for (const f of ['user', 'role']) {
          if (opts[f] !== undefined && opts[f] !== '') {
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
    description: 'AppArmor is not Unconfined.',
    check: perWorkload((w, hit) => {
      for (const [k, v] of Object.entries(w.podAnnotations)) {
        if (k.startsWith(APPARMOR_ANNOTATION) && v !== 'runtime/default' && !v.startsWith('localhost/')) {
          hit(say(`annotation ${k} is '${v}'`, `the container runs without the runtime's AppArmor profile; ${BASELINE}`, "use 'runtime/default' or 'localhost/<profile>', or remove the annotation"));
        }
      }
      if (podSc(w, 'appArmorProfile', 'type') === 'Unconfined') {
        hit(say(`${w.specPath}.securityContext.appArmorProfile.type is 'Unconfined'`, `the pod runs without an AppArmor profile; ${BASELINE}`, "use 'RuntimeDefault'"));
      }
      for (const c of w.containers.filter((x) => sc(x, 'appArmorProfile', 'type') === 'Unconfined')) {
        hit(say(`${c.label}: securityContext.appArmorProfile.type is 'Unconfined'`, `the container runs without an AppArmor profile; ${BASELINE}`, "use 'RuntimeDefault'"));
      }
    }),
  },
  {
    target: 'manifests',
    id: 'pss-restricted/volume-types',
    severity: 'error',
    description: 'Only configMap, csi, downwardAPI, emptyDir, ephemeral, persistentVolumeClaim, projected and secret volumes.',
    check: perWorkload((w, hit) => {
      for (const v of list(w.pod.volumes)) {
        const types = isRecord(v) ? Object.keys(v).filter((k) => k !== 'name' && k !== 'hostPath') : [];
        for (const t of types.filter((x) => !RESTRICTED_VOLUMES.has(x))) {
          hit(say(`volume '${String(dig(v, 'name'))}' is of type ${t}`,
            `${RESTRICTED}: it allows only ${[...RESTRICTED_VOLUMES].join(', ')}`,
            'mount the storage through a PersistentVolumeClaim (or a CSI volume) instead'));
        }
      }
    }),
  },
  {
    target: 'manifests',
    id: 'pss-restricted/allow-privilege-escalation',
    severity: 'error',
    description: 'Every container sets allowPrivilegeEscalation: false.',
    check: perWorkload((w, hit) => {
      if (w.windows) {
        return;
      }
      for (const c of w.containers) {
        const v = sc(c, 'allowPrivilegeEscalation');
        if (v !== false) {
          hit(say(`${c.label}: securityContext.allowPrivilegeEscalation is ${v === undefined ? 'unset (true)' : show(v)}`,
            `a setuid binary in the image could gain privileges its parent process never had; ${RESTRICTED}`,
            `set ${c.path}.securityContext.allowPrivilegeEscalation: false`));
        }
      }
    }),
  },
  {
    target: 'manifests',
    id: 'pss-restricted/run-as-non-root',
    severity: 'error',
    description: 'runAsNonRoot: true on the pod or on every container, and false nowhere.',
    check: perWorkload((w, hit) => {
      const pod = podSc(w, 'runAsNonRoot');
      if (pod !== undefined && pod !== true) {
        hit(say(`${w.specPath}.securityContext.runAsNonRoot is ${show(pod)}`, `the kubelet would start containers whose image runs as root; ${RESTRICTED}`, `set ${w.specPath}.securityContext.runAsNonRoot: true`));
      }
      const unset = w.containers.filter((c) => sc(c, 'runAsNonRoot') === undefined);
      for (const c of w.containers.filter((x) => ![true, undefined].includes(sc(x, 'runAsNonRoot') as boolean | undefined))) {
        hit(say(`${c.label}: securityContext.runAsNonRoot is ${show(sc(c, 'runAsNonRoot'))}`, `the kubelet would start it even if its image runs as root; ${RESTRICTED}`, `set ${c.path}.securityContext.runAsNonRoot: true`));
      }
      if (pod === undefined && unset.length > 0) {
        const who = unset.length === w.containers.length ? 'no container sets it' : `${unset.map((c) => c.label).join(', ')} do${unset.length === 1 ? 'es' : ''} not set it`;
        hit(say(`${w.specPath}.securityContext.runAsNonRoot is unset and ${who}`,
          `without it the kubelet starts the container even if the image runs as root (uid 0); ${RESTRICTED}`,
          `set ${w.specPath}.securityContext.runAsNonRoot: true (and a numeric USER in the image)`));
      }
    }),
  },
  {
    target: 'manifests',
    id: 'pss-restricted/run-as-user',
    severity: 'error',
    description: 'runAsUser is never 0.',
    check: perWorkload((w, hit) => {
      if (podSc(w, 'runAsUser') === 0) {
        hit(say(`${w.specPath}.securityContext.runAsUser is 0`, `every container would run as root; ${RESTRICTED}`, `use the image's numeric non-root uid, e.g. runAsUser: 65532`));
      }
      for (const c of w.containers.filter((x) => sc(x, 'runAsUser') === 0)) {
        hit(say(`${c.label}: securityContext.runAsUser is 0`, `the container runs as root; ${RESTRICTED}`, `use a non-root uid, e.g. ${c.path}.securityContext.runAsUser: 65532`));
      }
    }),
  },
  {
    target: 'manifests',
    id: 'pss-restricted/seccomp-profile',
    severity: 'error',
    description: 'seccompProfile RuntimeDefault or Localhost, on the pod or on every container.',
    check: perWorkload((w, hit) => {
      if (w.windows) {
        return;
      }
      const pod = podSc(w, 'seccompProfile', 'type');
      if (pod !== undefined && !SECCOMP_OK.has(pod as string)) {
        hit(say(`${w.specPath}.securityContext.seccompProfile.type is ${show(pod)}`, `containers could make every system call, including ones used to escape; ${RESTRICTED}`, "set it to 'RuntimeDefault'"));
      }
      for (const c of w.containers) {
        const t = sc(c, 'seccompProfile', 'type');
        if (t !== undefined && !SECCOMP_OK.has(t as string)) {
          hit(say(`${c.label}: securityContext.seccompProfile.type is ${show(t)}`, `the container could make every system call; ${RESTRICTED}`, "set it to 'RuntimeDefault' or remove it to use the pod's"));
        }
      }
      const unset = w.containers.filter((c) => sc(c, 'seccompProfile', 'type') === undefined);
      if (pod === undefined && unset.length > 0) {
        hit(say(`${w.specPath}.securityContext.seccompProfile is unset and ${unset.map((c) => c.label).join(', ')} set${unset.length === 1 ? 's' : ''} none`,
          `without a profile the container runs Unconfined on most clusters; ${RESTRICTED}`,
          `set ${w.specPath}.securityContext.seccompProfile.type: RuntimeDefault`));
      }
    }),
  },
  {
    target: 'manifests',
    id: 'pss-restricted/capabilities',
    severity: 'error',
    description: 'Every container drops ALL capabilities and adds back at most NET_BIND_SERVICE.',
    check: perWorkload((w, hit) => {
      if (w.windows) {
        return;
      }
      for (const c of w.containers) {
        const drop = list(sc(c, 'capabilities', 'drop'));
        const extra = list(sc(c, 'capabilities', 'add')).filter((a) => a !== 'NET_BIND_SERVICE');
        if (!drop.includes('ALL')) {
          hit(say(`${c.label}: securityContext.capabilities.drop does not include ALL`,
            `the container keeps the runtime's default capabilities (CHOWN, SETUID, NET_RAW, …) that a Go service never needs; ${RESTRICTED}`,
            `set ${c.path}.securityContext.capabilities.drop: [ALL]`));
        }
        if (extra.length > 0) {
          hit(say(`${c.label}: securityContext.capabilities.add has ${extra.map(String).join(', ')}`,
            `only NET_BIND_SERVICE may be added back; ${RESTRICTED}`,
            'remove them (listen on a port above 1023, or add only NET_BIND_SERVICE)'));
        }
      }
    }),
  },
];
