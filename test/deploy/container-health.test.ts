import { EmptyDirOptions, EnvFrom, FileSource, HealthCheck, Protocol } from '../../lib/deploy';
import { checkManifests } from '../../lib/policy';
import { validateManifests } from '../schema/validate';
import { container, kinds, Obj, one, podSpec, rejection, synthHello, WORKER } from './fixtures';

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
    ['inMemory is not a boolean', { emptyDirs: { '/cache': { sizeLimit: '1Mi', inMemory: 'yes' } } }, 'emptyDirs./cache.inMemory'],
    ['a file source names no valid Secret', { files: { '/etc/a': FileSource.secret('Bad_Name') } }, 'files./etc/a.name'],
    ['a file source option is misspelt', { files: { '/etc/a': FileSource.configMap('c', { defaultmode: 0o400 } as never) } }, 'files./etc/a.defaultmode'],
    ['files holds a plain object', { files: { '/etc/a': { secret: 's' } } }, 'files./etc/a'],
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
    ['livenessPath is set on a gRPC check', { protocol: Protocol.GRPC, health: HealthCheck.grpc({ livenessPath: '/live' } as never) }, 'health.livenessPath'],
    ['a probe timing is misspelt', { health: HealthCheck.http({ readiness: { periodSecond: 5 } as never }) }, 'health.readiness.periodSecond'],
    ['health is not a HealthCheck', { health: { path: '/x' } }, 'health'],
    ['a health option is misspelt', { health: HealthCheck.http({ pth: '/x' } as never) }, 'health.pth'],
    ['protocol is a string', { protocol: 'grpc' }, 'protocol'],
    ['servicePort is set on a worker', { ...WORKER, servicePort: 80 }, 'servicePort'],
    ['an extra port option is misspelt', { extraPorts: { metrics: { port: 9090, onservice: false } } }, 'extraPorts.metrics.onservice'],
    ['an extra port is named after the main one', { protocol: Protocol.GRPC, extraPorts: { grpc: 9000 } }, 'extraPorts.grpc'],
    ['onService is not a boolean', { extraPorts: { metrics: { port: 9090, onService: 'no' } } }, 'extraPorts.metrics.onService'],
    ['an extra port speaks Protocol.NONE', { extraPorts: { metrics: { port: 9090, protocol: Protocol.NONE } } }, 'extraPorts.metrics.protocol'],
    ['a gRPC health service name has a space', { protocol: Protocol.GRPC, health: HealthCheck.grpc({ service: 'shop catalog' }) }, 'health.service'],
    ['an HTTP health path has no slash', { health: HealthCheck.http({ path: 'health' }) }, 'health.path'],
  ])('fails if %s', (_, props, prop) => {
    expect(rejection(props).prop).toBe(prop);
  });
});
