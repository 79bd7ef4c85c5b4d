import { POLICY_RULES, checkManifests } from '../../lib/policy';
import { Obj, appOf, deployment, podOf, service } from './fixtures';

const rulesOf = (objects: Obj[]) => checkManifests(objects).map((f) => f.rule);

/** [rule, what is wrong, how to break the good Deployment + Service (and what to check with them)]. */
type Case = [string, string, (d: Obj, s: Obj) => void | Obj[]];

const failing: Case[] = [
  // Pod Security baseline
  ['pss-baseline/privileged', 'a container is privileged', (d) => { appOf(d).securityContext.privileged = true; }],
  ['pss-baseline/host-namespaces', 'the pod uses hostNetwork', (d) => { podOf(d).hostNetwork = true; }],
  ['pss-baseline/host-namespaces', 'the pod uses hostPID', (d) => { podOf(d).hostPID = true; }],
  ['pss-baseline/host-namespaces', 'the pod uses hostIPC', (d) => { podOf(d).hostIPC = true; }],
  ['pss-baseline/host-process', 'a container is a Windows HostProcess', (d) => { appOf(d).securityContext.windowsOptions = { hostProcess: true }; }],
  ['pss-baseline/host-path-volumes', 'a volume is a hostPath', (d) => { podOf(d).volumes = [{ name: 'logs', hostPath: { path: '/var/log' } }]; }],
  ['pss-baseline/host-ports', 'a port sets hostPort', (d) => { appOf(d).ports[0].hostPort = 8080; }],
  ['pss-baseline/proc-mount', 'procMount is Unmasked', (d) => { appOf(d).securityContext.procMount = 'Unmasked'; }],
  ['pss-baseline/sysctls', 'an unsafe sysctl is set', (d) => { podOf(d).securityContext.sysctls = [{ name: 'kernel.msgmax', value: '1' }]; }],
  ['pss-baseline/selinux', 'a custom SELinux type is set', (d) => { podOf(d).securityContext.seLinuxOptions = { type: 'spc_t' }; }],
  ['pss-baseline/selinux', 'an SELinux user is set', (d) => { appOf(d).securityContext.seLinuxOptions = { user: 'system_u' }; }],
  ['pss-baseline/apparmor', 'the AppArmor annotation says unconfined', (d) => { d.spec.template.metadata.annotations = { 'container.apparmor.security.beta.kubernetes.io/app': 'unconfined' }; }],
  ['pss-baseline/apparmor', 'appArmorProfile is Unconfined', (d) => { appOf(d).securityContext.appArmorProfile = { type: 'Unconfined' }; }],
  ['pss-baseline/capabilities', 'NET_ADMIN is added', (d) => { appOf(d).securityContext.capabilities.add = ['NET_ADMIN']; }],
  ['pss-baseline/seccomp-profile', 'a container is Unconfined', (d) => { appOf(d).securityContext.seccompProfile = { type: 'Unconfined' }; }],
  ['pss-baseline/host-probes', 'a probe connects to another host', (d) => { appOf(d).readinessProbe.httpGet.host = '169.254.169.254'; }],
  ['pss-baseline/host-probes', 'a preStop hook connects to another host', (d) => { appOf(d).lifecycle = { preStop: { httpGet: { host: 'db', port: 80 } } }; }],
  // Pod Security restricted
  ['pss-restricted/volume-types', 'a volume is an nfs share', (d) => { podOf(d).volumes = [{ name: 'data', nfs: { server: 'nas', path: '/x' } }]; }],
  ['pss-restricted/allow-privilege-escalation', 'allowPrivilegeEscalation is unset', (d) => { delete appOf(d).securityContext.allowPrivilegeEscalation; }],
  ['pss-restricted/allow-privilege-escalation', 'allowPrivilegeEscalation is true', (d) => { appOf(d).securityContext.allowPrivilegeEscalation = true; }],
  ['pss-restricted/run-as-non-root', 'runAsNonRoot is set nowhere', (d) => { delete podOf(d).securityContext.runAsNonRoot; }],
  ['pss-restricted/run-as-non-root', 'a container sets runAsNonRoot: false', (d) => { appOf(d).securityContext.runAsNonRoot = false; }],
  ['pss-restricted/run-as-non-root', 'the pod sets runAsNonRoot: false', (d) => { podOf(d).securityContext.runAsNonRoot = false; appOf(d).securityContext.runAsNonRoot = true; }],
  ['pss-restricted/run-as-non-root', 'an init container is not covered', (d) => {
    delete podOf(d).securityContext.runAsNonRoot;
    appOf(d).securityContext.runAsNonRoot = true;
    podOf(d).initContainers = [{ ...appOf(d), name: 'migrate', securityContext: { ...appOf(d).securityContext, runAsNonRoot: undefined } }];
  }],
  ['pss-restricted/run-as-user', 'the pod runs as uid 0', (d) => { podOf(d).securityContext.runAsUser = 0; }],
  ['pss-restricted/run-as-user', 'a container runs as uid 0', (d) => { appOf(d).securityContext.runAsUser = 0; }],
  ['pss-restricted/seccomp-profile', 'no seccomp profile is set', (d) => { delete podOf(d).securityContext.seccompProfile; }],
  ['pss-restricted/seccomp-profile', 'the pod is Unconfined', (d) => { podOf(d).securityContext.seccompProfile.type = 'Unconfined'; }],
  ['pss-restricted/capabilities', 'capabilities are not dropped', (d) => { delete appOf(d).securityContext.capabilities; }],
  ['pss-restricted/capabilities', 'CHOWN (of the default set) is added back', (d) => { appOf(d).securityContext.capabilities.add = ['CHOWN']; }],
  ['pss-restricted/proc-mount', 'a user-namespace pod unmasks /proc', (d) => { podOf(d).hostUsers = false; appOf(d).securityContext.procMount = 'Unmasked'; }],
  // Probes
  ['probes/readiness', 'the container has no readinessProbe', (d) => { delete appOf(d).readinessProbe; }],
  ['probes/liveness', 'the container has no livenessProbe', (d) => { delete appOf(d).livenessProbe; }],
  ['probes/port', 'a probe names a port the container does not have', (d) => { appOf(d).readinessProbe.httpGet.port = 'metrics'; }],
  ['probes/port', 'a tcpSocket startup probe names an undeclared port', (d) => { appOf(d).startupProbe = { tcpSocket: { port: 'admin' } }; }],
  ['probes/port-undeclared', 'a probe uses a number the container does not declare', (d) => { appOf(d).livenessProbe.httpGet.port = 9090; }],
  ['probes/port-undeclared', 'a tcpSocket startup probe targets an undeclared port', (d) => { appOf(d).startupProbe = { tcpSocket: { port: 81 } }; }],
  // Resources
  ['resources/requests', 'cpu is not requested', (d) => { delete appOf(d).resources.requests.cpu; }],
  ['resources/requests', 'nothing is requested', (d) => { delete appOf(d).resources.requests; }],
  ['resources/memory-limit', 'there is no memory limit', (d) => { delete appOf(d).resources.limits; }],
  // Images
  ['image/tag', 'the image is tagged latest', (d) => { appOf(d).image = 'ghcr.io/acme/hello:latest'; }],
  ['image/tag', 'the image is untagged', (d) => { appOf(d).image = 'registry:5000/acme/hello'; }],
  ['image/tag', 'the container has no image', (d) => { delete appOf(d).image; }],
  ['image/pull-policy', 'imagePullPolicy is Always for a pinned tag', (d) => { appOf(d).imagePullPolicy = 'Always'; }],
  ['container/read-only-root-filesystem', 'the root filesystem is writable', (d) => { delete appOf(d).securityContext.readOnlyRootFilesystem; }],
  // Selectors
  ['selector/matches-template', 'the selector does not match the template labels', (d) => { d.spec.selector.matchLabels['app.kubernetes.io/name'] = 'other'; }],
  ['selector/matches-template', 'a matchExpressions entry excludes the pods', (d) => {
    d.spec.selector.matchExpressions = [{ key: 'tier', operator: 'In', values: ['web'] }];
  }],
  ['selector/matches-template', 'the selector is missing', (d) => { delete d.spec.selector; }],
  ['selector/no-version-label', 'the selector uses app.kubernetes.io/version', (d) => { d.spec.selector.matchLabels['app.kubernetes.io/version'] = '1a2b3c4'; }],
  ['selector/no-version-label', 'the selector uses version in an expression', (d) => {
    d.spec.template.metadata.labels.version = 'v1';
    d.spec.selector.matchExpressions = [{ key: 'version', operator: 'Exists' }];
  }],
  // Services
  ['service/selector', 'the Service selects no pods', (_d, s) => { s.spec.selector = { 'app.kubernetes.io/name': 'hallo' }; }],
  ['service/selector', 'the pods live in another namespace', (_d, s) => { s.metadata.namespace = 'other'; }],
  ['service/target-port', 'targetPort names a port no container has', (_d, s) => { s.spec.ports[0].targetPort = 'web'; }],
  ['service/selector-unknown-pods', 'its pods come from a custom resource', (_d, s) => {
    s.spec.selector = { app: 'db' };
    return [{ apiVersion: 'acid.zalan.do/v1', kind: 'postgresql', metadata: { name: 'db' }, spec: { numberOfInstances: 2 } }];
  }],
  ['service/target-port-undeclared', 'targetPort is a number no container declares', (_d, s) => { s.spec.ports[0].targetPort = 9000; }],
  ['service/target-port-undeclared', 'targetPort is unset and port is not a container port', (_d, s) => { delete s.spec.ports[0].targetPort; }],
  // API versions
  ['api/removed-version', 'the Deployment is at extensions/v1beta1', (d) => { d.apiVersion = 'extensions/v1beta1'; }],
  ['api/removed-version', 'the Deployment is at apps/v1beta2', (d) => { d.apiVersion = 'apps/v1beta2'; }],
  // Opt-outs
  ['policy/skip-annotation', 'a skip annotation names no rule', (d) => { d.metadata.annotations = { 'goship.dev/skip': 'probes/readyness' }; }],
];

/** [rule, variant that is still fine]. */
const passing: Case[] = [
  ['pss-restricted/run-as-non-root', 'every container sets runAsNonRoot instead of the pod', (d) => {
    delete podOf(d).securityContext.runAsNonRoot;
    appOf(d).securityContext.runAsNonRoot = true;
  }],
  ['pss-restricted/seccomp-profile', 'every container sets a Localhost profile instead of the pod', (d) => {
    delete podOf(d).securityContext.seccompProfile;
    appOf(d).securityContext.seccompProfile = { type: 'Localhost', localhostProfile: 'go.json' };
  }],
  ['pss-restricted/capabilities', 'NET_BIND_SERVICE is added back', (d) => { appOf(d).securityContext.capabilities.add = ['NET_BIND_SERVICE']; }],
  ['pss-restricted/capabilities', 'a Windows pod drops nothing', (d) => {
    podOf(d).os = { name: 'windows' };
    delete appOf(d).securityContext.capabilities;
    delete appOf(d).securityContext.allowPrivilegeEscalation;
    delete podOf(d).securityContext.seccompProfile;
  }],
  ['pss-restricted/volume-types', 'volumes are emptyDir, configMap, secret, projected and a PVC', (d) => {
    podOf(d).volumes = [
      { name: 'tmp', emptyDir: {} }, { name: 'cfg', configMap: { name: 'c' } }, { name: 's', secret: { secretName: 's' } },
      { name: 'tok', projected: { sources: [] } }, { name: 'data', persistentVolumeClaim: { claimName: 'd' } },
    ];
  }],
  ['pss-baseline/sysctls', 'a safe sysctl is set', (d) => { podOf(d).securityContext.sysctls = [{ name: 'net.ipv4.ip_unprivileged_port_start', value: '0' }]; }],
  ['pss-baseline/selinux', 'the SELinux type is container_t', (d) => { podOf(d).securityContext.seLinuxOptions = { type: 'container_t', level: 's0:c1,c2' }; }],
  ['pss-baseline/apparmor', 'AppArmor is runtime/default', (d) => { d.spec.template.metadata.annotations = { 'container.apparmor.security.beta.kubernetes.io/app': 'runtime/default' }; }],
  ['pss-baseline/host-ports', 'hostPort is 0', (d) => { appOf(d).ports[0].hostPort = 0; }],
  ['probes/port', 'an exec probe has no port', (d) => { appOf(d).livenessProbe = { exec: { command: ['/app', 'health'] } }; }],
  ['resources/requests', 'only limits are set (requests default to them)', (d) => {
    appOf(d).resources = { limits: { cpu: '1', memory: '128Mi' } };
  }],
  ['image/tag', 'the image is pinned by digest only', (d) => { appOf(d).image = `ghcr.io/acme/hello@sha256:${'b'.repeat(64)}`; }],
  ['image/tag', 'a latest tag is pinned by digest', (d) => { appOf(d).image = `ghcr.io/acme/hello:latest@sha256:${'b'.repeat(64)}`; }],
  ['image/pull-policy', 'imagePullPolicy is IfNotPresent', (d) => { appOf(d).imagePullPolicy = 'IfNotPresent'; }],
  ['selector/matches-template', 'a matchExpressions entry selects the pods', (d) => {
    d.spec.selector.matchExpressions = [{ key: 'tier', operator: 'DoesNotExist' }, { key: 'app.kubernetes.io/name', operator: 'In', values: ['hello'] }];
  }],
  ['service/selector', 'the Service has no selector (endpoints managed elsewhere)', (_d, s) => { delete s.spec.selector; }],
  ['service/selector', 'an ExternalName Service', (_d, s) => { s.spec = { type: 'ExternalName', externalName: 'db.example.com', selector: { x: 'y' } }; }],
  ['service/target-port', 'targetPort is the container port number', (_d, s) => { s.spec.ports[0].targetPort = 8080; }],
  ['service/target-port', 'both live in the same explicit namespace', (d, s) => { d.metadata.namespace = 'shop'; s.metadata.namespace = 'shop'; }],
];

describe('manifest rules', () => {
  test('the good Deployment and Service pass every rule', () => {
    expect(checkManifests([deployment(), service()])).toEqual([]);
  });

  test.each(failing)('%s: fails if %s', (rule, _what, breakIt) => {
    // GIVEN a good Deployment and Service with one thing broken
    const d = deployment();
    const s = service();
    const extra = breakIt(d, s) ?? [];
    // WHEN
    const findings = checkManifests([d, s, ...extra], { file: 'hello.k8s.yaml' });
    // THEN the rule fires, with a located, actionable message
    const f = findings.find((x) => x.rule === rule);
    expect(f).toBeDefined();
    expect(f).toMatchObject({ file: 'hello.k8s.yaml', severity: POLICY_RULES.find((r) => r.id === rule)?.severity });
    expect(f?.object).toMatch(/^(Deployment|Service)\/hello$/);
    expect(f?.message.split(' — ')).toHaveLength(3);
  });

  test.each(passing)('%s: passes when %s', (rule, _what, change) => {
    const d = deployment();
    const s = service();
    change(d, s);
    expect(rulesOf([d, s])).not.toContain(rule);
  });

  test('every manifest rule has a failing case', () => {
    const ids = POLICY_RULES.filter((r) => r.target === 'manifests').map((r) => r.id);
    expect(ids.filter((id) => !new Set(failing.map((c) => c[0])).has(id))).toEqual([]);
  });

  test("an object without a namespace is in 'default'", () => {
    // GIVEN a Service in 'default' and a Deployment without a namespace, listed after it
    const s = service();
    s.metadata.namespace = 'default';
    expect(rulesOf([s, deployment()])).toEqual([]);
  });

  test('messages name the container and the field to set', () => {
    const d = deployment();
    delete appOf(d).securityContext.allowPrivilegeEscalation;
    const [f] = checkManifests([d]).filter((x) => x.rule === 'pss-restricted/allow-privilege-escalation');
    expect(f.message).toBe("container 'app': securityContext.allowPrivilegeEscalation is unset (true) — a setuid binary in the image could gain privileges its parent process never had; Pod Security 'restricted' rejects the pod — set spec.template.spec.containers[0].securityContext.allowPrivilegeEscalation: false");
  });

  test('runAsNonRoot set nowhere is one finding on the pod, not one per container', () => {
    const d = deployment();
    delete podOf(d).securityContext.runAsNonRoot;
    podOf(d).containers.push({ ...appOf(d), name: 'sidecar' });
    const found = checkManifests([d]).filter((x) => x.rule === 'pss-restricted/run-as-non-root');
    expect(found).toHaveLength(1);
    expect(found[0].message).toMatch(/^spec\.template\.spec\.securityContext\.runAsNonRoot is unset and no container sets it/);
  });

  test('skip leaves a rule out, and an unknown id is rejected naming the prop', () => {
    const d = deployment();
    delete appOf(d).securityContext.readOnlyRootFilesystem;
    expect(checkManifests([d], { skip: ['container/read-only-root-filesystem'] })).toEqual([]);
    expect(() => checkManifests([d], { skip: ['no/such-rule'] })).toThrow(/skip: 'no\/such-rule' — not a policy rule/);
  });

  test('ignores objects that are not Kubernetes objects and flattens Lists', () => {
    const bad = deployment('bad');
    appOf(bad).image = 'nginx';
    const findings = checkManifests([null, 42, 'x', { foo: 1 }, { apiVersion: 'v1', kind: 'List', items: [bad] }]);
    expect(findings.map((f) => [f.object, f.rule])).toEqual([['Deployment/bad', 'image/tag']]);
  });

  test('survives malformed fields without throwing', () => {
    const d = deployment();
    podOf(d).containers = [{ name: 'x', ports: 'nope', securityContext: 'nope', resources: [] }, 7];
    podOf(d).volumes = { not: 'a list' };
    d.spec.selector = 'app=hello';
    expect(() => checkManifests([d, { kind: 'Deployment', spec: 'x' }, { kind: 'Service', spec: { ports: 'x', selector: 'y' } }])).not.toThrow();
  });
});

describe('workload kinds', () => {
  /** Wraps the good pod template into each kind, with one broken container. */
  const template = () => {
    const d = deployment();
    appOf(d).image = 'ghcr.io/acme/hello:latest';
    return d.spec.template;
  };
  const selector = { matchLabels: { 'app.kubernetes.io/name': 'hello' } };
  const kinds: [string, Obj][] = [
    ['Pod', { kind: 'Pod', metadata: { name: 'hello', labels: template().metadata.labels }, spec: template().spec }],
    ['StatefulSet', { kind: 'StatefulSet', metadata: { name: 'hello' }, spec: { serviceName: 'hello', selector, template: template() } }],
    ['DaemonSet', { kind: 'DaemonSet', metadata: { name: 'hello' }, spec: { selector, template: template() } }],
    ['ReplicaSet', { kind: 'ReplicaSet', metadata: { name: 'hello' }, spec: { selector, template: template() } }],
    ['ReplicationController', { kind: 'ReplicationController', metadata: { name: 'hello' }, spec: { template: template() } }],
    ['Job', { kind: 'Job', metadata: { name: 'hello' }, spec: { template: template() } }],
    ['CronJob', { kind: 'CronJob', metadata: { name: 'hello' }, spec: { schedule: '* * * * *', jobTemplate: { spec: { template: template() } } } }],
  ];

  test.each(kinds)('checks the pod spec of a %s', (kind, obj) => {
    const findings = checkManifests([{ apiVersion: 'v1', ...obj }]);
    expect(findings.map((f) => [f.object, f.rule])).toEqual([[`${kind}/hello`, 'image/tag']]);
    const path = { Pod: 'spec', CronJob: 'spec.jobTemplate.spec.template.spec' }[kind] ?? 'spec.template.spec';
    expect(findings[0].message).toContain(`pin ${path}.containers[0].image to`);
  });

  test('Jobs, CronJobs and run-to-completion Pods need no probes', () => {
    const strip = (t: Obj) => { delete t.spec.containers[0].readinessProbe; delete t.spec.containers[0].livenessProbe; return t; };
    const job = { kind: 'Job', metadata: { name: 'once' }, spec: { template: strip(deployment().spec.template) } };
    const cron = { kind: 'CronJob', metadata: { name: 'nightly' }, spec: { jobTemplate: { spec: { template: strip(deployment().spec.template) } } } };
    const pod = { kind: 'Pod', metadata: { name: 'task' }, spec: { ...strip(deployment().spec.template).spec, restartPolicy: 'Never' } };
    const longPod = { kind: 'Pod', metadata: { name: 'server' }, spec: strip(deployment().spec.template).spec };
    expect(checkManifests([job, cron, pod, longPod]).map((f) => `${f.object} ${f.rule}`)).toEqual([
      'Pod/server probes/readiness',
      'Pod/server probes/liveness',
    ]);
  });

  test('a ReplicationController selector is a plain map', () => {
    const rc = { kind: 'ReplicationController', metadata: { name: 'hello' }, spec: { selector: { app: 'other' }, template: deployment().spec.template } };
    expect(checkManifests([rc]).map((f) => f.rule)).toEqual(['selector/matches-template']);
  });

  test('a Job selector is checked only with manualSelector', () => {
    const job = (manualSelector: boolean) => ({ kind: 'Job', metadata: { name: 'j' }, spec: { manualSelector, selector: { matchLabels: { x: 'y' } }, template: deployment().spec.template } });
    expect(checkManifests([job(false)])).toEqual([]);
    expect(checkManifests([job(true)]).map((f) => f.rule)).toEqual(['selector/matches-template']);
  });

  test('init and ephemeral containers are held to Pod Security too', () => {
    const d = deployment();
    podOf(d).initContainers = [{ name: 'migrate', image: 'ghcr.io/acme/migrate:1', resources: appOf(d).resources, securityContext: { readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } } }];
    podOf(d).ephemeralContainers = [{ name: 'debug', image: 'busybox:1.36', securityContext: { allowPrivilegeEscalation: false, privileged: true, capabilities: { drop: ['ALL'] } } }];
    expect(checkManifests([d]).map((f) => `${f.rule} ${f.message.split(':')[0]}`)).toEqual([
      'pss-baseline/privileged ephemeral container \'debug\'',
      'pss-restricted/allow-privilege-escalation init container \'migrate\'',
    ]);
  });
});
