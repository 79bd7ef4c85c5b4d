/**
 * Pod Security admission as the anchor: every pod below (the cases of the Pod Security policy
 * tests, test/policy/pss-levels.test.ts, and a few more controls) is checked by
 * `goship check --level L --kubernetes-version <the cluster's>` and created with a server-side
 * dry run in namespaces that enforce baseline and restricted. The verdicts must agree.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Cleanup } from '../e2e/tools/cleanup';
import { goship } from '../e2e/tools/goship';
import { createNamespace, kubectl, requireCluster, serverMinorVersion } from './tools/kube';

const describeCluster = requireCluster() ? describe : describe.skip;
const LEVELS = ['baseline', 'restricted'] as const;
type Level = typeof LEVELS[number];
type Spec = Record<string, any>;

/** A Pod that passes restricted (containers and init containers), probes and resources included. */
function pod(name: string, change: (spec: Spec, pod: Spec) => void = () => undefined): Spec {
  const container = (n: string) => ({
    name: n,
    image: 'registry.k8s.io/pause:3.10',
    securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
    resources: { requests: { cpu: '10m', memory: '16Mi' }, limits: { memory: '32Mi' } },
  });
  const app = { ...container('app'), readinessProbe: { tcpSocket: { port: 8080 } }, livenessProbe: { tcpSocket: { port: 8080 } } };
  const spec: Spec = {
    securityContext: { runAsNonRoot: true, runAsUser: 65532, seccompProfile: { type: 'RuntimeDefault' } },
    containers: [app],
    initContainers: [container('init')],
  };
  const p: Spec = { apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec };
  change(spec, p);
  return p;
}

/** Unhardened: passes baseline, not restricted. */
const plain = (name: string, change: (spec: Spec, pod: Spec) => void = () => undefined) => pod(name, (s, p) => {
  delete s.securityContext;
  s.containers[0].securityContext = {};
  s.initContainers[0].securityContext = {};
  change(s, p);
});

const sysctl = (name: string) => (s: Spec) => {
  s.securityContext.sysctls = [{ name, value: '1' }];
};

/** The cases: one pod each. */
const CASES: Spec[] = [
  pod('hardened'),
  plain('unhardened'),
  plain('adds-net-raw', (s) => { s.containers[0].securityContext.capabilities = { add: ['NET_RAW'] }; }),
  plain('seccomp-unconfined', (s) => { s.securityContext = { seccompProfile: { type: 'Unconfined' } }; }),
  plain('host-path', (s) => { s.volumes = [{ name: 'sock', hostPath: { path: '/var/run/docker.sock' } }]; }),
  pod('adds-chown', (s) => { s.containers[0].securityContext.capabilities.add = ['CHOWN']; }),
  plain('privileged', (s) => { s.containers[0].securityContext.privileged = true; }),
  plain('host-network', (s) => { s.hostNetwork = true; }),
  plain('host-pid', (s) => { s.hostPID = true; }),
  plain('host-ipc', (s) => { s.hostIPC = true; }),
  plain('host-port', (s) => { s.containers[0].ports = [{ containerPort: 8080, hostPort: 8080 }]; }),
  pod('sysctl-ip-local-reserved-ports', sysctl('net.ipv4.ip_local_reserved_ports')),
  pod('sysctl-tcp-keepalive-time', sysctl('net.ipv4.tcp_keepalive_time')),
  pod('sysctl-tcp-rmem', sysctl('net.ipv4.tcp_rmem')),
  pod('sysctl-tcp-notsent-lowat', sysctl('net.ipv4.tcp_notsent_lowat')),
  pod('sysctl-unsafe', sysctl('kernel.msgmax')),
  pod('selinux-container-engine', (s) => { s.securityContext.seLinuxOptions = { type: 'container_engine_t' }; }),
  pod('selinux-spc', (s) => { s.securityContext.seLinuxOptions = { type: 'spc_t' }; }),
  pod('selinux-user', (s) => { s.securityContext.seLinuxOptions = { user: 'system_u' }; }),
  pod('probe-host', (s) => { s.containers[0].livenessProbe = { tcpSocket: { host: '10.0.0.1', port: 8080 } }; }),
  pod('lifecycle-host', (s) => { s.containers[0].lifecycle = { postStart: { httpGet: { host: '10.0.0.1', port: 8080 } } }; }),
  pod('lifecycle-sleep', (s) => { s.containers[0].lifecycle = { preStop: { sleep: { seconds: 5 } } }; }),
  pod('run-as-root-user', (s) => { s.securityContext.runAsUser = 0; }),
  pod('run-as-non-root-false', (s) => { s.securityContext.runAsNonRoot = false; }),
  pod('no-run-as-non-root', (s) => { delete s.securityContext.runAsNonRoot; }),
  pod('privilege-escalation', (s) => { s.containers[0].securityContext.allowPrivilegeEscalation = true; }),
  pod('no-drop-all', (s) => { s.containers[0].securityContext.capabilities = {}; }),
  pod('no-seccomp', (s) => { delete s.securityContext.seccompProfile; }),
  pod('seccomp-in-container', (s) => {
    delete s.securityContext.seccompProfile;
    s.containers[0].securityContext.seccompProfile = { type: 'RuntimeDefault' };
    s.initContainers[0].securityContext.seccompProfile = { type: 'Localhost', localhostProfile: 'p.json' };
  }),
  pod('nfs-volume', (s) => { s.volumes = [{ name: 'n', nfs: { server: '10.0.0.1', path: '/x' } }]; }),
  pod('ephemeral-volume', (s) => {
    s.volumes = [{ name: 'e', ephemeral: { volumeClaimTemplate: { spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } } } }];
  }),
  pod('apparmor-annotation-empty', (_s, p) => { p.metadata.annotations = { 'container.apparmor.security.beta.kubernetes.io/app': '' }; }),
  pod('apparmor-unconfined', (s) => { s.securityContext.appArmorProfile = { type: 'Unconfined' }; }),
  pod('apparmor-unconfined-annotation', (_s, p) => { p.metadata.annotations = { 'container.apparmor.security.beta.kubernetes.io/app': 'unconfined' }; }),
  pod('proc-mount-unmasked', (s) => {
    s.hostUsers = false;
    s.containers[0].securityContext.procMount = 'Unmasked';
  }),
  pod('host-users-false-root', (s) => {
    s.hostUsers = false;
    s.securityContext.runAsNonRoot = false;
    s.securityContext.runAsUser = 0;
  }),
  pod('windows', (s) => {
    s.os = { name: 'windows' };
    s.securityContext = { runAsNonRoot: true };
    s.containers[0].securityContext = {};
    s.initContainers[0].securityContext = {};
  }),
];

describeCluster('Pod Security admission of the real API server against goship check', () => {
  const cleanup = new Cleanup();
  let version: string;
  let dir: string;
  const namespaces: Record<Level, string> = { baseline: 'goship-psa-baseline', restricted: 'goship-psa-restricted' };

  beforeAll(async () => {
    version = await serverMinorVersion();
    dir = cleanup.tmpdir('psa');
    for (const c of CASES) {
      fs.writeFileSync(path.join(dir, `${c.metadata.name}.yaml`), JSON.stringify(c));
    }
    for (const level of LEVELS) {
      cleanup.add(`delete namespace ${namespaces[level]}`, await createNamespace(namespaces[level], level, `v${version}`));
    }
  });

  afterAll(() => cleanup.run());

  test('every pod gets the same verdict from goship check and from admission, at both levels', async () => {
    const rows: string[] = [];
    const differences: string[] = [];
    let agree = 0;
    for (const level of LEVELS) {
      // goship check, once for all pods
      const check = await goship(['check', '--json', '--level', level, '--kubernetes-version', version, dir]);
      const findings = (JSON.parse(check.stdout) as { findings: Array<{ rule: string; object: string }> }).findings
        .filter((f) => f.rule.startsWith('pss-'));
      for (const c of CASES) {
        const name = c.metadata.name as string;
        const rules = findings.filter((f) => f.object === `Pod/${name}`).map((f) => f.rule);
        // the API server, one dry run per pod
        const server = await kubectl(['create', '--dry-run=server', '-n', namespaces[level], '-f', path.join(dir, `${name}.yaml`)], { allowFailure: true });
        const rejected = server.exitCode !== 0;
        const byPsa = /violates PodSecurity/.test(server.stderr);
        if (rejected && !byPsa) {
          differences.push(`${level} ${name}: the API server refused it for another reason: ${server.stderr.trim()}`);
          continue;
        }
        const goshipPasses = rules.length === 0;
        rows.push(`${level.padEnd(10)} ${name.padEnd(32)} goship ${goshipPasses ? 'pass' : `fail (${rules.join(', ')})`} | admission ${rejected ? `reject (${server.stderr.replace(/^.*violates PodSecurity "[^"]*": /s, '').trim()})` : 'accept'}`);
        if (goshipPasses === rejected) {
          differences.push(`${level} ${name}: goship ${goshipPasses ? 'passes' : 'fails'} it, admission ${rejected ? 'rejects' : 'accepts'} it`);
        } else {
          agree++;
        }
      }
    }
    process.stdout.write(`cluster: Pod Security at Kubernetes ${version}, ${CASES.length} pods x ${LEVELS.length} levels\n${rows.join('\n')}\n`);
    process.stdout.write(`cluster: ${agree} of ${CASES.length * LEVELS.length} verdicts agree; differences:\n${differences.join('\n') || 'none'}\n`);
    expect(differences).toEqual([]);
  });
});
