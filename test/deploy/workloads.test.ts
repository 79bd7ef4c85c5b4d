import { Testing } from 'cdk8s';
import {
  EmptyDirOptions, EnvFrom, EnvValue, FileSource, HealthCheck, looksSecret, NetworkPeer, Protocol, ResourceLimits, RollingDeployment,
  RollingDeploymentProps, ServiceAccount, WorkloadIdentity,
} from '../../lib/deploy';
import { ValidationError } from '../../lib/model/errors';
import { checkManifests } from '../../lib/policy';
import { validateManifests } from '../schema/validate';
import { container, HELLO_IMAGE, Obj, one, podSpec, synthHello } from './fixtures';

/** The ValidationError creating `hello` with these props throws. */
function rejection(props: Record<string, unknown>): ValidationError {
  try {
    new RollingDeployment(Testing.chart(), 'hello', { image: HELLO_IMAGE, ...props } as RollingDeploymentProps);
  } catch (e) {
    expect(e).toBeInstanceOf(ValidationError);
    return e as ValidationError;
  }
  throw new Error('expected a ValidationError');
}

const kinds = (objects: readonly Obj[]) => objects.map((o) => o.kind);
const WORKER: Partial<RollingDeploymentProps> = {
  protocol: Protocol.NONE,
  args: ['--queue', 'orders'],
  extraPorts: { metrics: { port: 9090, onService: false } },
  health: HealthCheck.http({ port: 'metrics' }),
};

describe('container', () => {
  test('command, args, envFrom, files and emptyDirs', () => {
    // GIVEN
    const emptyDirs: Record<string, EmptyDirOptions> = { '/var/cache/shop': { sizeLimit: '256Mi' }, '/run/shop': { sizeLimit: '8Mi', inMemory: true } };
    // WHEN
    const { objects } = synthHello({
      command: ['/app', 'serve'],
      args: ['--verbose'],
      envFrom: [EnvFrom.configMap('flags'), EnvFrom.secret('db', { prefix: 'DB_', optional: true })],
      files: { '/etc/shop/tls': FileSource.secret('tls', { items: { 'tls.crt': 'tls.crt' } }), '/etc/shop/config': FileSource.configMap('cfg', { defaultMode: 0o400 }) },
      emptyDirs,
    });
    // THEN
    const c = container(objects);
    expect([c.command, c.args]).toEqual([['/app', 'serve'], ['--verbose']]);
    expect(c.envFrom).toEqual([{ configMapRef: { name: 'flags' } }, { prefix: 'DB_', secretRef: { name: 'db', optional: true } }]);
    expect(c.volumeMounts).toEqual([
      { name: 'tmp', mountPath: '/tmp' },
      { name: 'run-shop', mountPath: '/run/shop' },
      { name: 'var-cache-shop', mountPath: '/var/cache/shop' },
      { name: 'etc-shop-config', mountPath: '/etc/shop/config', readOnly: true },
      { name: 'etc-shop-tls', mountPath: '/etc/shop/tls', readOnly: true },
    ]);
    expect(podSpec(objects).volumes.slice(1)).toEqual([
      { name: 'run-shop', emptyDir: { medium: 'Memory', sizeLimit: '8Mi' } },
      { name: 'var-cache-shop', emptyDir: { sizeLimit: '256Mi' } },
      { name: 'etc-shop-config', configMap: { name: 'cfg', defaultMode: 0o400 } },
      { name: 'etc-shop-tls', secret: { secretName: 'tls', items: [{ key: 'tls.crt', path: 'tls.crt' }], defaultMode: 0o440 } },
    ]);
    // the process's group may read the 0440 files
    expect(podSpec(objects).securityContext.fsGroup).toBe(65532);
    expect(validateManifests(objects)).toEqual([]);
    expect(checkManifests(objects)).toEqual([]);
  });

  test('no fsGroup without files', () => {
    expect(podSpec(synthHello().objects).securityContext.fsGroup).toBeUndefined();
  });

  test.each([
    ['args is not a list', { args: '--queue orders' }, 'args'],
    ['a command item is not a string', { command: ['/app', 3] }, 'command[1]'],
    ['envFrom holds a plain object', { envFrom: [{ configMap: 'x' }] }, 'envFrom[0]'],
    ['an envFrom prefix is not a variable name', { envFrom: [EnvFrom.secret('db', { prefix: '1X' })] }, 'envFrom[0].prefix'],
    ['an envFrom option is misspelt', { envFrom: [EnvFrom.secret('db', { prefx: 'X' } as never)] }, 'envFrom[0].prefx'],
    ['a file mount is not absolute', { files: { 'etc/x': FileSource.secret('s') } }, 'files.etc/x'],
    ['a file mount hides /tmp', { files: { '/tmp/keys': FileSource.secret('s') } }, 'files./tmp/keys'],
    ['two mounts nest', { files: { '/etc/a': FileSource.secret('s') }, emptyDirs: { '/etc/a/b': { sizeLimit: '1Mi' } } }, 'files./etc/a'],
    ['a file mode is world-readable', { files: { '/etc/a': FileSource.secret('s', { defaultMode: 0o444 }) } }, 'files./etc/a.defaultMode'],
    ['a file mode is writable', { files: { '/etc/a': FileSource.secret('s', { defaultMode: 0o640 }) } }, 'files./etc/a.defaultMode'],
    ['an item path climbs out', { files: { '/etc/a': FileSource.secret('s', { items: { k: '../k' } }) } }, 'files./etc/a.items.k'],
    ['an emptyDir has no size limit', { emptyDirs: { '/cache': {} } }, 'emptyDirs./cache.sizeLimit'],
    ['an emptyDir size is not a quantity', { emptyDirs: { '/cache': { sizeLimit: '1gb' } } }, 'emptyDirs./cache.sizeLimit'],
  ])('fails if %s', (_, props, prop) => {
    expect(rejection(props).prop).toBe(prop);
  });
});

describe('health and ports', () => {
  test('Protocol.GRPC names the port grpc, sets appProtocol and probes with the native grpc probe on its number', () => {
    // GIVEN / WHEN
    const { objects } = synthHello({ protocol: Protocol.GRPC });
    // THEN
    const c = container(objects);
    expect(c.ports).toEqual([{ name: 'grpc', containerPort: 8080, protocol: 'TCP' }]);
    expect([c.readinessProbe.grpc, c.livenessProbe.grpc, c.startupProbe.grpc]).toEqual([{ port: 8080 }, { port: 8080 }, { port: 8080 }]);
    expect(one(objects, 'Service').spec.ports).toEqual([{ name: 'grpc', port: 80, targetPort: 'grpc', protocol: 'TCP', appProtocol: 'grpc' }]);
    expect(validateManifests(objects)).toEqual([]);
    expect(checkManifests(objects)).toEqual([]);
  });

  test('Protocol.H2C uses kubernetes.io/h2c; a TCP check and a named gRPC service are available', () => {
    const h2c = synthHello({ protocol: Protocol.H2C, health: HealthCheck.tcp() }).objects;
    expect(one(h2c, 'Service').spec.ports[0]).toMatchObject({ name: 'h2c', appProtocol: 'kubernetes.io/h2c' });
    expect(container(h2c).readinessProbe.tcpSocket).toEqual({ port: 'h2c' });
    const named = synthHello({ protocol: Protocol.GRPC, health: HealthCheck.grpc({ service: 'shop.v1.Catalog' }) }).objects;
    expect(container(named).readinessProbe.grpc).toEqual({ port: 8080, service: 'shop.v1.Catalog' });
  });

  test('a worker has no Service, no main port, and probes its metrics port', () => {
    // GIVEN / WHEN
    const { rd, objects } = synthHello(WORKER);
    // THEN
    expect(kinds(objects)).toEqual(['Deployment', 'PodDisruptionBudget']);
    expect(rd.service).toBeUndefined();
    expect(rd.serviceName).toBeUndefined();
    const c = container(objects);
    expect(c.ports).toEqual([{ name: 'metrics', containerPort: 9090, protocol: 'TCP' }]);
    expect(c.readinessProbe.httpGet).toEqual({ path: '/health', port: 'metrics' });
    expect(c.args).toEqual(['--queue', 'orders']);
    expect(validateManifests(objects)).toEqual([]);
    expect(checkManifests(objects)).toEqual([]);
  });

  test('an extra port can stay off the Service', () => {
    const { objects } = synthHello({ extraPorts: { metrics: { port: 9090, onService: false }, admin: 9091 } });
    expect(one(objects, 'Service').spec.ports.map((p: Obj) => p.name)).toEqual(['http', 'admin']);
    expect(container(objects).ports.map((p: Obj) => p.name)).toEqual(['http', 'admin', 'metrics']);
  });

  test.each([
    ['a worker has no health check', { protocol: Protocol.NONE, extraPorts: { metrics: 9090 } }, 'health'],
    ['a worker health check names no port', { protocol: Protocol.NONE, health: HealthCheck.http() }, 'health'],
    ['a health check names an unknown port', { health: HealthCheck.tcp({ port: 'admin' }) }, 'health.port'],
    ['health and healthPath are both set', { health: HealthCheck.http(), healthPath: '/x' }, 'healthPath'],
    ['livenessPath is set with a gRPC check', { protocol: Protocol.GRPC, livenessPath: '/live' }, 'livenessPath'],
    ['health is not a HealthCheck', { health: { path: '/x' } }, 'health'],
    ['a health option is misspelt', { health: HealthCheck.http({ pth: '/x' } as never) }, 'health.pth'],
    ['protocol is a string', { protocol: 'grpc' }, 'protocol'],
    ['servicePort is set on a worker', { ...WORKER, servicePort: 80 }, 'servicePort'],
    ['an extra port option is misspelt', { extraPorts: { metrics: { port: 9090, onservice: false } } }, 'extraPorts.metrics.onservice'],
    ['an extra port is named after the main one', { protocol: Protocol.GRPC, extraPorts: { grpc: 9000 } }, 'extraPorts.grpc'],
  ])('fails if %s', (_, props, prop) => {
    expect(rejection(props).prop).toBe(prop);
  });
});

describe('ServiceAccount', () => {
  test('created with a workload identity; the token stays unmounted unless asked for', () => {
    // GIVEN / WHEN
    const { rd, objects } = synthHello({ serviceAccount: ServiceAccount.create({ identity: WorkloadIdentity.aws('arn:aws:iam::123456789012:role/hello') }) });
    // THEN
    const sa = one(objects, 'ServiceAccount');
    expect(kinds(objects)[0]).toBe('ServiceAccount');
    expect(sa.metadata.annotations).toEqual({ 'eks.amazonaws.com/role-arn': 'arn:aws:iam::123456789012:role/hello' });
    expect(sa.automountServiceAccountToken).toBe(false);
    expect(podSpec(objects).serviceAccountName).toBe('hello');
    expect(podSpec(objects).automountServiceAccountToken).toBe(false);
    expect(rd.serviceAccountName).toBe('hello');
    expect(validateManifests(objects)).toEqual([]);
    const mounted = synthHello({ serviceAccount: ServiceAccount.existing('reader'), automountServiceAccountToken: true }).objects;
    expect(kinds(mounted)).not.toContain('ServiceAccount');
    expect(podSpec(mounted)).toMatchObject({ serviceAccountName: 'reader', automountServiceAccountToken: true });
  });

  test('GKE and Azure identities: Azure also labels the pods for its webhook', () => {
    const gcp = synthHello({ serviceAccount: ServiceAccount.create({ identity: WorkloadIdentity.gcp('hello-app@acme.iam.gserviceaccount.com') }) }).objects;
    expect(one(gcp, 'ServiceAccount').metadata.annotations).toEqual({ 'iam.gke.io/gcp-service-account': 'hello-app@acme.iam.gserviceaccount.com' });
    const azure = synthHello({ serviceAccount: ServiceAccount.create({ identity: WorkloadIdentity.azure('0b7a1c2d-3e4f-4a5b-8c9d-0e1f2a3b4c5d') }) }).objects;
    expect(one(azure, 'ServiceAccount').metadata.annotations).toEqual({ 'azure.workload.identity/client-id': '0b7a1c2d-3e4f-4a5b-8c9d-0e1f2a3b4c5d' });
    expect(one(azure, 'Deployment').spec.template.metadata.labels['azure.workload.identity/use']).toBe('true');
    // the selector never includes it: changing identity must not orphan the ReplicaSets
    expect(one(azure, 'Deployment').spec.selector.matchLabels['azure.workload.identity/use']).toBeUndefined();
  });

  test.each([
    ['an AWS identity is not a role ARN', () => WorkloadIdentity.aws('hello-role')],
    ['a GCP identity is not a service account email', () => WorkloadIdentity.gcp('hello@gmail.com')],
    ['an Azure identity is not a GUID', () => WorkloadIdentity.azure('hello')],
  ])('fails if %s', (_, make) => {
    expect(make).toThrow(ValidationError);
  });

  test.each([
    ['serviceAccount is a name', { serviceAccount: 'hello' }, 'serviceAccount'],
    ['an annotation key is invalid', { serviceAccount: ServiceAccount.create({ annotations: { 'a b': 'x' } }) }, 'serviceAccount.annotations.a b'],
    ['automount is not a boolean', { automountServiceAccountToken: 'yes' }, 'automountServiceAccountToken'],
  ])('fails if %s', (_, props, prop) => {
    expect(rejection(props).prop).toBe(prop);
  });
});

describe('autoscaling', () => {
  test('an HPA with a scale-down window, no replicas on the Deployment, a PDB for minReplicas', () => {
    // GIVEN / WHEN
    const { rd, objects } = synthHello({ autoscaling: { minReplicas: 3, maxReplicas: 12, memoryUtilization: 80, cpuUtilization: 60 } });
    // THEN
    const hpa = one(objects, 'HorizontalPodAutoscaler');
    expect(hpa.apiVersion).toBe('autoscaling/v2');
    expect(hpa.spec).toEqual({
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'hello' },
      minReplicas: 3,
      maxReplicas: 12,
      metrics: [
        { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 60 } } },
        { type: 'Resource', resource: { name: 'memory', target: { type: 'Utilization', averageUtilization: 80 } } },
      ],
      behavior: { scaleDown: { stabilizationWindowSeconds: 300 } },
    });
    expect('replicas' in one(objects, 'Deployment').spec).toBe(false);
    expect(rd.replicas).toBeUndefined();
    expect(one(objects, 'PodDisruptionBudget').spec.maxUnavailable).toBe(1);
    expect(validateManifests(objects)).toEqual([]);
    expect(checkManifests(objects)).toEqual([]);
  });

  test('defaults to 2 to the given max at 70% CPU; minReplicas 1 has no PDB', () => {
    expect(one(synthHello({ autoscaling: { maxReplicas: 4 } }).objects, 'HorizontalPodAutoscaler').spec).toMatchObject({
      minReplicas: 2, metrics: [{ resource: { name: 'cpu', target: { averageUtilization: 70 } } }],
    });
    expect(kinds(synthHello({ autoscaling: { minReplicas: 1, maxReplicas: 4 } }).objects)).not.toContain('PodDisruptionBudget');
  });

  test.each([
    ['replicas is set too', { replicas: 3, autoscaling: { maxReplicas: 5 } }, 'replicas'],
    ['maxReplicas is below minReplicas', { autoscaling: { minReplicas: 4, maxReplicas: 3 } }, 'autoscaling.maxReplicas'],
    ['maxReplicas is missing', { autoscaling: {} }, 'autoscaling.maxReplicas'],
    ['a utilization is 0', { autoscaling: { maxReplicas: 3, cpuUtilization: 0 } }, 'autoscaling.cpuUtilization'],
    ['an autoscaling prop is misspelt', { autoscaling: { maxReplica: 3 } }, 'autoscaling.maxReplica'],
  ])('fails if %s', (_, props, prop) => {
    expect(rejection(props).prop).toBe(prop);
  });
});

describe('Ingress and Gateway API routes', () => {
  test('an Ingress with class, hosts, paths and TLS to the main port by name', () => {
    const { objects } = synthHello({ ingress: { className: 'nginx', hosts: ['hello.example.com'], paths: ['/api'], tlsSecret: 'hello-tls' } });
    expect(one(objects, 'Ingress').spec).toEqual({
      ingressClassName: 'nginx',
      tls: [{ hosts: ['hello.example.com'], secretName: 'hello-tls' }],
      rules: [{ host: 'hello.example.com', http: { paths: [{ path: '/api', pathType: 'Prefix', backend: { service: { name: 'hello', port: { name: 'http' } } } }] } }],
    });
    expect(validateManifests(objects)).toEqual([]);
    expect(checkManifests(objects)).toEqual([]);
  });

  test('an HTTPRoute and a GRPCRoute to the Service port by number', () => {
    const http = synthHello({ servicePort: 8000, httpRoute: { parentRefs: [{ name: 'gw', namespace: 'infra', sectionName: 'https' }], hostnames: ['hello.example.com'], paths: ['/'] } }).objects;
    expect(one(http, 'HTTPRoute')).toMatchObject({
      apiVersion: 'gateway.networking.k8s.io/v1',
      spec: {
        parentRefs: [{ name: 'gw', namespace: 'infra', sectionName: 'https' }],
        hostnames: ['hello.example.com'],
        rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/' } }], backendRefs: [{ name: 'hello', port: 8000 }] }],
      },
    });
    const grpc = synthHello({ protocol: Protocol.GRPC, grpcRoute: { parentRefs: [{ name: 'gw' }] } }).objects;
    expect(one(grpc, 'GRPCRoute').spec).toEqual({ parentRefs: [{ name: 'gw' }], rules: [{ backendRefs: [{ name: 'hello', port: 80 }] }] });
    expect(validateManifests([...http, ...grpc])).toEqual([]);
    expect(checkManifests([...http, ...grpc])).toEqual([]);
  });

  test.each([
    ['an Ingress has no host', { ingress: { hosts: [] } }, 'ingress.hosts'],
    ['an Ingress host has upper case', { ingress: { hosts: ['Hello.example.com'] } }, 'ingress.hosts[0]'],
    ['an Ingress fronts gRPC', { protocol: Protocol.GRPC, ingress: { hosts: ['a.example.com'] } }, 'ingress'],
    ['a worker has an Ingress', { ...WORKER, ingress: { hosts: ['a.example.com'] } }, 'ingress'],
    ['a GRPCRoute goes to an HTTP port', { grpcRoute: { parentRefs: [{ name: 'gw' }] } }, 'grpcRoute'],
    ['an HTTPRoute goes to a gRPC port', { protocol: Protocol.GRPC, httpRoute: { parentRefs: [{ name: 'gw' }] } }, 'httpRoute'],
    ['a route has no parent', { httpRoute: { parentRefs: [] } }, 'httpRoute.parentRefs'],
    ['a parentRef is misspelt', { httpRoute: { parentRefs: [{ nam: 'gw' }] } }, 'httpRoute.parentRefs[0].nam'],
    ['a GRPCRoute has paths', { protocol: Protocol.GRPC, grpcRoute: { parentRefs: [{ name: 'gw' }], paths: ['/'] } }, 'grpcRoute.paths'],
  ])('fails if %s', (_, props, prop) => {
    expect(rejection(props).prop).toBe(prop);
  });
});

describe('NetworkPolicy', () => {
  test('admits the listed peers to the Service ports, and the metrics peers to the others', () => {
    // GIVEN / WHEN
    const { objects } = synthHello({
      extraPorts: { metrics: { port: 9090, onService: false } },
      networkPolicy: {
        from: [NetworkPeer.namespace('ingress-nginx'), NetworkPeer.app('web'), NetworkPeer.sameApp(), NetworkPeer.pods({ role: 'batch' }, 'jobs')],
        metricsFrom: [NetworkPeer.namespace('monitoring')],
      },
    });
    // THEN
    expect(one(objects, 'NetworkPolicy').spec).toEqual({
      podSelector: { matchLabels: { 'app.kubernetes.io/instance': 'hello', 'app.kubernetes.io/name': 'hello' } },
      policyTypes: ['Ingress'],
      ingress: [
        {
          from: [
            { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } } },
            { podSelector: { matchLabels: { 'app.kubernetes.io/name': 'web' } } },
            { podSelector: { matchLabels: { 'app.kubernetes.io/instance': 'hello', 'app.kubernetes.io/name': 'hello' } } },
            { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'jobs' } }, podSelector: { matchLabels: { role: 'batch' } } },
          ],
          ports: [{ protocol: 'TCP', port: 'http' }],
        },
        { from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }], ports: [{ protocol: 'TCP', port: 'metrics' }] },
      ],
    });
    expect(validateManifests(objects)).toEqual([]);
  });

  test.each([
    ['from is empty', { networkPolicy: { from: [] } }, 'networkPolicy.from'],
    ['a peer is a string', { networkPolicy: { from: ['ingress-nginx'] } }, 'networkPolicy.from[0]'],
    ['metricsFrom has no port to admit to', { networkPolicy: { from: [NetworkPeer.sameApp()], metricsFrom: [NetworkPeer.namespace('monitoring')] } }, 'networkPolicy.metricsFrom'],
    ['a pod peer has no labels', { networkPolicy: { from: [NetworkPeer.pods({})] } }, 'networkPolicy.from[0]'],
    ['a namespace peer is not a DNS label', { networkPolicy: { from: [NetworkPeer.namespace('Ingress')] } }, 'networkPolicy.from[0]'],
  ])('fails if %s', (_, props, prop) => {
    expect(rejection(props).prop).toBe(prop);
  });
});

describe('rollback restores the env', () => {
  test('env values live in the pod template, so each ReplicaSet keeps its own; secrets stay references', () => {
    // GIVEN two revisions that differ only in env
    const revision = (level: string) => one(synthHello({ env: { LOG_LEVEL: level }, secretEnv: { DB_PASSWORD: { secret: 'db', key: 'password' } } }).objects, 'Deployment').spec.template;
    // WHEN
    const v1 = revision('info');
    const v2 = revision('debug');
    // THEN the template itself carries the value (no ConfigMap is changed in place)
    expect(v1.spec.containers[0].env).toContainEqual({ name: 'LOG_LEVEL', value: 'info' });
    expect(v2.spec.containers[0].env).toContainEqual({ name: 'LOG_LEVEL', value: 'debug' });
    expect(v1.spec.containers[0].env).toContainEqual({ name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } });
    expect(v1.spec.containers[0].envFrom).toBeUndefined();
  });
});

describe('secret-name rule', () => {
  test.each(['TOKEN_TTL', 'PASSWORD_MIN_LENGTH', 'OAUTH_TOKEN_URL', 'SECRET_NAME', 'VAULT_SECRET_PATH', 'DB_PASSWORD_FILE', 'JWT_TOKEN_ISSUER'])('%s describes a secret, it does not hold one', (name) => {
    expect(looksSecret(name)).toBe(false);
  });

  test.each(['API_KEY', 'DB_PASSWORD', 'GITHUB_TOKEN', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'CLIENT_SECRET', 'SECRET'])('%s still looks secret', (name) => {
    expect(looksSecret(name)).toBe(true);
  });

  test('EnvValue.notSecret() writes a secret-looking name, visibly, in the diff', () => {
    const c = container(synthHello({ env: { TOKEN_AUDIENCE_SECRET: EnvValue.notSecret('sts.amazonaws.com') } }).objects);
    expect(c.env).toContainEqual({ name: 'TOKEN_AUDIENCE_SECRET', value: 'sts.amazonaws.com' });
    expect(rejection({ env: { TOKEN_AUDIENCE_SECRET: 'sts.amazonaws.com' } }).prop).toBe('env.TOKEN_AUDIENCE_SECRET');
  });
});

describe('Go runtime', () => {
  test('GOMEMLIMIT is 90% of the memory limit and GOMAXPROCS the whole cores of a CPU limit', () => {
    const env = (props: Partial<RollingDeploymentProps>) => container(synthHello(props).objects).env as Obj[];
    expect(env({ resources: { limits: ResourceLimits.of({ memory: '1Gi', cpu: '2500m' }) } })).toEqual([
      { name: 'GOMAXPROCS', value: '2' },
      { name: 'GOMEMLIMIT', value: '921MiB' },
    ]);
    expect(env({ resources: { limits: ResourceLimits.of({ memory: '512Mi', cpu: '500m' }) } })).toEqual([
      { name: 'GOMAXPROCS', value: '1' },
      { name: 'GOMEMLIMIT', value: '460MiB' },
    ]);
    expect(container(synthHello({ resources: { limits: ResourceLimits.none() } }).objects).env).toBeUndefined();
  });

  test('the user\'s GOMEMLIMIT and GOMAXPROCS win', () => {
    const env = container(synthHello({ env: { GOMEMLIMIT: '100MiB' }, secretEnv: { GOMAXPROCS: { secret: 's', key: 'k' } } }).objects).env as Obj[];
    expect(env.filter((e) => e.name === 'GOMEMLIMIT')).toEqual([{ name: 'GOMEMLIMIT', value: '100MiB' }]);
  });
});

describe('nested props', () => {
  test.each([
    ['resources', { resources: { memoryRequets: '64Mi' } }, 'resources.memoryRequets'],
    ['probe timings', { readinessProbe: { periodSecond: 5 } }, 'readinessProbe.periodSecond'],
    ['secretEnv entries', { secretEnv: { DB_PASSWORD: { secret: 'db', kye: 'password' } } }, 'secretEnv.DB_PASSWORD.kye'],
  ])('fails if a prop of %s is misspelt', (_, props, prop) => {
    expect(rejection(props).prop).toBe(prop);
  });
});
