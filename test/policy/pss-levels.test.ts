import { checkManifests, reportManifests } from '../../lib/policy';
import { Obj, appOf, deployment, podOf, service } from './fixtures';

/**
 * Pod Security levels and versions, with cases written from the Pod Security Standards page
 * (kubernetes.io/docs/concepts/security/pod-security-standards) and its version notes.
 */

const pss = (objects: Obj[], opts: Parameters<typeof checkManifests>[1] = {}) =>
  checkManifests(objects, opts).filter((f) => f.rule.startsWith('pss-')).map((f) => f.rule);

/** A bare Pod that passes restricted (containers and init containers), like the PSS examples. */
function pod(change: (spec: Obj) => void = () => undefined): Obj {
  const hardened = () => ({ allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
  const spec: Obj = {
    securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
    containers: [{ name: 'app', image: 'registry.k8s.io/pause:3.9', securityContext: hardened() }],
    initContainers: [{ name: 'init', image: 'registry.k8s.io/pause:3.9', securityContext: hardened() }],
  };
  change(spec);
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec };
}

/** A Pod that passes baseline but not restricted: no hardening at all. */
const plainPod = (change: (spec: Obj) => void = () => undefined) => pod((s) => {
  delete s.securityContext;
  s.containers[0].securityContext = {};
  s.initContainers[0].securityContext = {};
  change(s);
});

describe('Pod Security levels', () => {
  test('GIVEN an unhardened pod WHEN checked at baseline THEN it passes, and at restricted it fails', () => {
    expect(pss([plainPod()], { level: 'baseline' })).toEqual([]);
    expect(new Set(pss([plainPod()]))).toEqual(new Set([
      'pss-restricted/allow-privilege-escalation', 'pss-restricted/run-as-non-root', 'pss-restricted/seccomp-profile', 'pss-restricted/capabilities',
    ]));
  });

  test.each([
    ['adds NET_RAW', (s: Obj) => { s.containers[0].securityContext.capabilities = { add: ['NET_RAW'] }; }, 'pss-baseline/capabilities'],
    ['sets seccomp Unconfined', (s: Obj) => { s.securityContext = { seccompProfile: { type: 'Unconfined' } }; }, 'pss-baseline/seccomp-profile'],
    ['mounts a hostPath', (s: Obj) => { s.volumes = [{ name: 'sock', hostPath: { path: '/var/run/docker.sock' } }]; }, 'pss-baseline/host-path-volumes'],
  ])('fails baseline if a pod %s, reported as a baseline rule at both levels', (_what, change, rule) => {
    expect(pss([plainPod(change)], { level: 'baseline' })).toEqual([rule]);
    expect(pss([plainPod(change)], { level: 'restricted' })).toContain(rule);
  });

  test('a capability of the default set is a restricted violation only', () => {
    const p = pod((s) => { s.containers[0].securityContext.capabilities.add = ['CHOWN']; });
    expect(pss([p])).toEqual(['pss-restricted/capabilities']);
    expect(pss([p], { level: 'baseline' })).toEqual([]);
  });

  test('fails if the level is not one goship knows', () => {
    expect(() => checkManifests([], { level: 'privileged' as never })).toThrow(/level: 'privileged' — .* — use 'baseline' or 'restricted'/);
  });
});

describe('Pod Security versions', () => {
  test.each([
    ['net.ipv4.ip_local_reserved_ports', '1.26', '1.27'],
    ['net.ipv4.tcp_keepalive_time', '1.28', '1.29'],
    ['net.ipv4.tcp_rmem', '1.31', '1.32'],
    ['net.ipv4.tcp_notsent_lowat', '1.36', '1.37'],
  ])('the sysctl %s is unsafe in %s and safe from %s', (name, before, since) => {
    const p = pod((s) => { s.securityContext.sysctls = [{ name, value: '1' }]; });
    expect(pss([p], { kubernetesVersion: before })).toEqual(['pss-baseline/sysctls']);
    expect(pss([p], { kubernetesVersion: since })).toEqual([]);
  });

  test('the SELinux type container_engine_t is allowed from 1.31', () => {
    const p = pod((s) => { s.securityContext.seLinuxOptions = { type: 'container_engine_t' }; });
    expect(pss([p], { kubernetesVersion: '1.30' })).toEqual(['pss-baseline/selinux']);
    expect(pss([p], { kubernetesVersion: '1.31' })).toEqual([]);
  });

  test('a probe or lifecycle host is forbidden from 1.34', () => {
    const p = pod((s) => {
      s.containers[0].livenessProbe = { tcpSocket: { host: '10.0.0.1', port: 8080 } };
      s.containers[0].lifecycle = { postStart: { httpGet: { host: '', port: 8080 } } };
    });
    expect(pss([p], { kubernetesVersion: '1.33' })).toEqual([]);
    expect(pss([p], { kubernetesVersion: '1.34' })).toEqual(['pss-baseline/host-probes']);
  });

  test('hostUsers: false relaxes runAsNonRoot, runAsUser and baseline procMount from 1.35', () => {
    const p = pod((s) => {
      s.hostUsers = false;
      s.securityContext.runAsNonRoot = false;
      s.securityContext.runAsUser = 0;
      s.containers[0].securityContext.procMount = 'Unmasked';
    });
    expect(pss([p], { kubernetesVersion: '1.34' })).toEqual(['pss-baseline/proc-mount', 'pss-restricted/run-as-non-root', 'pss-restricted/run-as-user']);
    expect(pss([p], { kubernetesVersion: '1.35', level: 'baseline' })).toEqual([]);
    expect(pss([p], { kubernetesVersion: '1.35' })).toEqual(['pss-restricted/proc-mount']);
  });

  test('hostUsers: true gets no exemption', () => {
    const p = pod((s) => { s.hostUsers = true; s.containers[0].securityContext.procMount = 'Unmasked'; });
    expect(pss([p], { level: 'baseline' })).toEqual(['pss-baseline/proc-mount']);
  });

  test('image volumes and an empty AppArmor annotation pass restricted', () => {
    const p = pod((s) => { s.volumes = [{ name: 'model', image: { reference: 'ghcr.io/acme/model:1' } }]; });
    p.metadata.annotations = { 'container.apparmor.security.beta.kubernetes.io/app': '' };
    expect(pss([p])).toEqual([]);
  });

  test('a Windows pod is not held to the Linux-only restricted controls', () => {
    const p = plainPod((s) => { s.os = { name: 'windows' }; s.securityContext = { runAsNonRoot: true }; });
    expect(pss([p])).toEqual([]);
  });

  test.each(['1.24', '1.38', '2.0', 'latest', ''])('fails if the Kubernetes version is %p', (v) => {
    expect(() => checkManifests([], { kubernetesVersion: v })).toThrow(/kubernetesVersion: .* — goship knows the Pod Security Standards of Kubernetes 1.25 to 1.37 — /);
  });
});

describe('workloads beyond the built-in controllers', () => {
  const privileged = () => {
    const t = deployment().spec.template;
    t.spec.containers[0].securityContext.privileged = true;
    t.spec.volumes = [{ name: 'docker', hostPath: { path: '/var/run/docker.sock' } }];
    return t;
  };

  test.each([
    ['an Argo Rollout', { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', metadata: { name: 'r' }, spec: { selector: { matchLabels: { 'app.kubernetes.io/name': 'hello' } }, template: privileged() } }],
    ['an OpenKruise CloneSet', { apiVersion: 'apps.kruise.io/v1alpha1', kind: 'CloneSet', metadata: { name: 'r' }, spec: { template: privileged() } }],
    ['a Knative Service', { apiVersion: 'serving.knative.dev/v1', kind: 'Service', metadata: { name: 'r' }, spec: { template: privileged() } }],
    ['a KEDA ScaledJob', { apiVersion: 'keda.sh/v1alpha1', kind: 'ScaledJob', metadata: { name: 'r' }, spec: { jobTargetRef: { template: privileged() } } }],
    ['a PodTemplate', { apiVersion: 'v1', kind: 'PodTemplate', metadata: { name: 'r' }, template: privileged() }],
  ])('fails if %s runs a privileged pod with the Docker socket', (_what, obj) => {
    const report = reportManifests([{ object: obj }]);
    expect(report.findings.filter((f) => f.rule.startsWith('pss-')).map((f) => `${f.object} ${f.rule}`)).toEqual([
      `${obj.kind}/r pss-baseline/privileged`, `${obj.kind}/r pss-baseline/host-path-volumes`,
    ]);
    expect(report).toMatchObject({ objects: 1, checked: 1, skippedKinds: {} });
  });

  test('a Knative Service is not mistaken for a core Service, and needs no probes', () => {
    const ksvc = { apiVersion: 'serving.knative.dev/v1', kind: 'Service', metadata: { name: 'k' }, spec: { template: deployment().spec.template } };
    delete ksvc.spec.template.spec.containers[0].readinessProbe;
    expect(checkManifests([ksvc])).toEqual([]);
  });

  test('an old extensions/v1beta1 Deployment is still a Deployment', () => {
    const d = { ...deployment(), apiVersion: 'extensions/v1beta1' };
    appOf(d).securityContext.privileged = true;
    expect(checkManifests([d]).map((f) => f.rule)).toEqual(['pss-baseline/privileged', 'api/removed-version']);
  });

  test('the report counts checked objects and names the kinds no rule inspects', () => {
    const cert = { apiVersion: 'cert-manager.io/v1', kind: 'Certificate', metadata: { name: 'c' }, spec: {} };
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } };
    const report = reportManifests([deployment(), service(), cert, cm, { ...cm }].map((object) => ({ object })));
    expect(report).toEqual({ findings: [], objects: 5, checked: 2, skippedKinds: { 'Certificate (cert-manager.io)': 1, ConfigMap: 2 } });
  });
});

describe('opting out', () => {
  const noProbes = () => {
    const d = deployment();
    delete appOf(d).readinessProbe;
    delete appOf(d).livenessProbe;
    podOf(d).securityContext.runAsUser = 0;
    return d;
  };

  test('the goship.dev/skip annotation drops the named rules and groups for that object only', () => {
    const skipped = noProbes();
    skipped.metadata.annotations = { 'goship.dev/skip': 'probes, pss-restricted/run-as-user' };
    const other = noProbes();
    other.metadata.name = 'other';
    expect(checkManifests([skipped, other]).map((f) => `${f.object} ${f.rule}`)).toEqual([
      'Deployment/other pss-restricted/run-as-user', 'Deployment/other probes/readiness', 'Deployment/other probes/liveness',
    ]);
  });

  test('skip takes a whole rule group', () => {
    expect(checkManifests([noProbes()], { skip: ['probes', 'pss-restricted'] })).toEqual([]);
  });
});
