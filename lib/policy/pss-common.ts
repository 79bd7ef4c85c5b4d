import { ObjectHit, Severity } from './finding';
import { ContainerRef, ManifestSet, Workload, dig } from './workloads';

/**
 * What the Pod Security rules share: how they visit workloads and read security contexts,
 * and the controls that changed between Kubernetes versions (1.25 to {@link LATEST_MINOR}),
 * as the pod-security admission controller applies them.
 */

/** The oldest Kubernetes minor version whose Pod Security Standards goship applies. */
export const OLDEST_MINOR = 25;

/** Why a baseline rule matters, in every message. */
export const BASELINE = "Pod Security 'baseline' rejects the pod";
/** Why a restricted rule matters, in every message. */
export const RESTRICTED = "Pod Security 'restricted' rejects the pod";

/** Runs `f` over every workload and collects its hits. */
export function perWorkload(f: (w: Workload, hit: (message: string, severity?: Severity) => void, set: ManifestSet) => void): (set: ManifestSet) => ObjectHit[] {
  return (set) => {
    const out: ObjectHit[] = [];
    for (const w of set.workloads) {
      f(w, (message, severity) => out.push({ on: w.obj, message, ...(severity ? { severity } : {}) }), set);
    }
    return out;
  };
}

/** A field of a container's securityContext. */
export const sc = (c: ContainerRef, ...path: string[]): unknown => dig(c.spec, 'securityContext', ...path);
/** A field of the pod's securityContext. */
export const podSc = (w: Workload, ...path: string[]): unknown => dig(w.pod, 'securityContext', ...path);
/** A value as a message quotes it. */
export const show = (v: unknown): string => (typeof v === 'string' ? `'${v}'` : JSON.stringify(v));

/**
 * From 1.35 a pod with `hostUsers: false` runs in a user namespace: root in the container is
 * not root on the node, so runAsNonRoot, runAsUser and (at baseline) procMount are relaxed.
 */
export function relaxedForUserNamespace(w: Workload, set: ManifestSet): boolean {
  return w.userNamespace && set.kubernetesMinor >= 35;
}

/** Sysctls that are namespaced and isolated between pods, by the version that allowed them. */
const SAFE_SYSCTLS: readonly [number, readonly string[]][] = [
  [0, ['kernel.shm_rmid_forced', 'net.ipv4.ip_local_port_range', 'net.ipv4.tcp_syncookies', 'net.ipv4.ping_group_range', 'net.ipv4.ip_unprivileged_port_start']],
  [27, ['net.ipv4.ip_local_reserved_ports']],
  [29, ['net.ipv4.tcp_keepalive_time', 'net.ipv4.tcp_fin_timeout', 'net.ipv4.tcp_keepalive_intvl', 'net.ipv4.tcp_keepalive_probes']],
  [32, ['net.ipv4.tcp_rmem', 'net.ipv4.tcp_wmem']],
  [37, ['net.ipv4.tcp_slow_start_after_idle', 'net.ipv4.tcp_notsent_lowat']],
];

/** The safe sysctls of a Kubernetes minor version. */
export function safeSysctls(minor: number): ReadonlySet<string> {
  return new Set(SAFE_SYSCTLS.filter(([since]) => since <= minor).flatMap(([, names]) => names));
}

/** The SELinux types a container may choose (`container_engine_t` from 1.31). */
export function selinuxTypes(minor: number): ReadonlySet<string> {
  return new Set(['', 'container_t', 'container_init_t', 'container_kvm_t', ...(minor >= 31 ? ['container_engine_t'] : [])]);
}

/** Capabilities baseline lets a container add: the container runtime's default set. */
export const BASELINE_CAPABILITIES: ReadonlySet<string> = new Set([
  'AUDIT_WRITE', 'CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'MKNOD', 'NET_BIND_SERVICE', 'SETFCAP', 'SETGID',
  'SETPCAP', 'SETUID', 'SYS_CHROOT',
]);

/** Volume types restricted allows (`hostPath` is reported by the baseline rule). */
export const RESTRICTED_VOLUMES: ReadonlySet<string> = new Set([
  'configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'image', 'persistentVolumeClaim', 'projected', 'secret',
]);

/** seccomp and AppArmor profile types that keep a profile on. */
export const PROFILE_OK: ReadonlySet<string> = new Set(['RuntimeDefault', 'Localhost']);
