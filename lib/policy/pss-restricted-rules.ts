import { ManifestRule, say } from './finding';
import {
  BASELINE_CAPABILITIES, PROFILE_OK, RESTRICTED, RESTRICTED_VOLUMES, perWorkload, podSc, relaxedForUserNamespace, sc, show,
} from './pss-common';
import { dig, isRecord, list } from './workloads';

/**
 * The Pod Security Standards "restricted" controls: hardening beyond baseline. Each rule
 * reports only what baseline allows, so a violation of both is one `pss-baseline/*`
 * finding; a workload that passes every `pss-*` rule is admitted into a namespace labelled
 * `pod-security.kubernetes.io/enforce: restricted`.
 */

/** Pod Security restricted rules, in README order. */
export const PSS_RESTRICTED_RULES: readonly ManifestRule[] = [
  {
    target: 'manifests',
    id: 'pss-restricted/volume-types',
    severity: 'error',
    description: 'Only configMap, csi, downwardAPI, emptyDir, ephemeral, image, persistentVolumeClaim, projected and secret volumes.',
    check: perWorkload((w, hit) => {
      for (const v of list(w.pod.volumes)) {
        const types = isRecord(v) ? Object.keys(v).filter((k) => k !== 'name' && k !== 'hostPath' && v[k] !== null && v[k] !== undefined) : [];
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
    description: 'Every container sets allowPrivilegeEscalation: false (not checked for Windows pods).',
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
    description: 'runAsNonRoot: true on the pod or on every container, and false nowhere (any with hostUsers: false, 1.35 and later).',
    check: perWorkload((w, hit, set) => {
      if (relaxedForUserNamespace(w, set)) {
        return;
      }
      const pod = podSc(w, 'runAsNonRoot');
      const set_ = (v: unknown) => v !== undefined && v !== null;
      if (set_(pod) && pod !== true) {
        hit(say(`${w.specPath}.securityContext.runAsNonRoot is ${show(pod)}`, `the kubelet would start containers whose image runs as root; ${RESTRICTED}`, `set ${w.specPath}.securityContext.runAsNonRoot: true`));
      }
      for (const c of w.containers.filter((x) => set_(sc(x, 'runAsNonRoot')) && sc(x, 'runAsNonRoot') !== true)) {
        hit(say(`${c.label}: securityContext.runAsNonRoot is ${show(sc(c, 'runAsNonRoot'))}`, `the kubelet would start it even if its image runs as root; ${RESTRICTED}`, `set ${c.path}.securityContext.runAsNonRoot: true`));
      }
      const unset = w.containers.filter((c) => !set_(sc(c, 'runAsNonRoot')));
      if (!set_(pod) && unset.length > 0) {
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
    description: 'runAsUser is never 0 (any with hostUsers: false, 1.35 and later).',
    check: perWorkload((w, hit, set) => {
      if (relaxedForUserNamespace(w, set)) {
        return;
      }
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
    description: 'A seccompProfile is set on the pod or on every container (not checked for Windows pods).',
    check: perWorkload((w, hit) => {
      if (w.windows) {
        return;
      }
      // A profile set to a bad type is a baseline violation; restricted adds that one must be set.
      const pod = podSc(w, 'seccompProfile');
      if (isRecord(pod) && PROFILE_OK.has(pod.type as string)) {
        return;
      }
      const unset = w.containers.filter((c) => !isRecord(sc(c, 'seccompProfile')));
      if (unset.length > 0) {
        hit(say(`${w.specPath}.securityContext.seccompProfile is ${isRecord(pod) ? `${show(pod.type)}` : 'unset'} and ${unset.map((c) => c.label).join(', ')} set${unset.length === 1 ? 's' : ''} none`,
          `without a profile the container runs Unconfined on most clusters; ${RESTRICTED}`,
          `set ${w.specPath}.securityContext.seccompProfile.type: RuntimeDefault`));
      }
    }),
  },
  {
    target: 'manifests',
    id: 'pss-restricted/capabilities',
    severity: 'error',
    description: 'Every container drops ALL capabilities and adds back at most NET_BIND_SERVICE (not checked for Windows pods).',
    check: perWorkload((w, hit) => {
      if (w.windows) {
        return;
      }
      for (const c of w.containers) {
        const drop = list(sc(c, 'capabilities', 'drop'));
        // Capabilities beyond the default set are a baseline violation.
        const extra = list(sc(c, 'capabilities', 'add')).filter((a) => a !== 'NET_BIND_SERVICE' && BASELINE_CAPABILITIES.has(a as string));
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
  {
    target: 'manifests',
    id: 'pss-restricted/proc-mount',
    severity: 'error',
    description: 'procMount is Default, also with hostUsers: false (Kubernetes 1.35 and later; before, baseline checks it).',
    check: perWorkload((w, hit, set) => {
      if (!relaxedForUserNamespace(w, set)) {
        return;
      }
      for (const c of w.containers) {
        const pm = sc(c, 'procMount');
        if (pm !== undefined && pm !== null && pm !== 'Default') {
          hit(say(`${c.label}: securityContext.procMount is ${show(pm)}`, `an unmasked /proc exposes kernel interfaces the runtime normally hides, even in a user namespace; ${RESTRICTED}`, 'remove procMount'));
        }
      }
    }),
  },
];
