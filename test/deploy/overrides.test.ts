import { Chart, Testing } from 'cdk8s';
import { DisruptionBudget, HealthCheck, PodCount, ResourceLimits, RolloutStrategy, ServiceType } from '../../lib/deploy';
import { validateManifests } from '../schema/validate';
import { container, HELLO_IMAGE, one, podSpec, synthHello } from './fixtures';

const HELLO_ENV = {
  env: { DB_HOST: 'db.internal' },
  secretEnv: { API_SECRET_KEY: { secret: 'hello-api', key: 'api-key' } },
};

describe('RollingDeployment overrides', () => {
  test('name and namespace', () => {
    // GIVEN / WHEN
    const { rd, objects } = synthHello({ name: 'greeter', namespace: 'web', ...HELLO_ENV });
    // THEN
    expect(objects.map((o) => [o.metadata.name, o.metadata.namespace])).toEqual([
      ['greeter', 'web'], ['greeter', 'web'], ['greeter', 'web'],
    ]);
    expect(container(objects).name).toBe('greeter');
    expect(rd.namespace).toBe('web');
  });

  test("the chart's namespace when none is given", () => {
    // GIVEN
    const chart = new Chart(Testing.app(), 'c', { namespace: 'prod' });
    // WHEN
    const { rd, objects } = synthHello({}, chart);
    // THEN
    expect(rd.namespace).toBe('prod');
    expect(objects.every((o) => o.metadata.namespace === 'prod')).toBe(true);
  });

  test('replicas, strategy and rollout timings', () => {
    // GIVEN / WHEN
    const spec = one(synthHello({
      replicas: 6,
      strategy: RolloutStrategy.rollingUpdate({ maxSurge: PodCount.percent(25), maxUnavailable: PodCount.percent(10) }),
      minReadySeconds: 0,
      progressDeadlineSeconds: 120,
      revisionHistoryLimit: 2,
    }).objects, 'Deployment').spec;
    // THEN
    expect(spec).toMatchObject({ replicas: 6, minReadySeconds: 0, progressDeadlineSeconds: 120, revisionHistoryLimit: 2 });
    expect(spec.strategy.rollingUpdate).toEqual({ maxSurge: '25%', maxUnavailable: '10%' });
  });

  test('probe paths and timings', () => {
    // GIVEN / WHEN
    const c = container(synthHello({
      health: HealthCheck.http({
        path: '/ready',
        livenessPath: '/live',
        readiness: { periodSeconds: 2 },
        liveness: { failureThreshold: 6, initialDelaySeconds: 3 },
        startup: { failureThreshold: 120, timeoutSeconds: 3 },
      }),
    }).objects);
    // THEN
    expect(c.readinessProbe).toEqual({ httpGet: { path: '/ready', port: 'http' }, periodSeconds: 2, timeoutSeconds: 2, failureThreshold: 3 });
    expect(c.livenessProbe).toEqual({ httpGet: { path: '/live', port: 'http' }, initialDelaySeconds: 3, periodSeconds: 10, timeoutSeconds: 2, failureThreshold: 6 });
    expect(c.startupProbe).toEqual({ httpGet: { path: '/live', port: 'http' }, periodSeconds: 1, timeoutSeconds: 3, failureThreshold: 120 });
  });

  test('termination grace period', () => {
    // GIVEN / WHEN
    const pod = podSpec(synthHello({ terminationGracePeriodSeconds: 60 }).objects);
    // THEN
    expect(pod.terminationGracePeriodSeconds).toBe(60);
  });

  test('preStop sleep: longer, or none for clusters older than 1.30', () => {
    // GIVEN / WHEN
    const longer = podSpec(synthHello({ preStopSleepSeconds: 10 }).objects);
    const none = podSpec(synthHello({ preStopSleepSeconds: 0 }).objects);
    // THEN
    expect(longer.containers[0].lifecycle).toEqual({ preStop: { sleep: { seconds: 10 } } });
    expect(none.containers[0].lifecycle).toBeUndefined();
  });

  test('every resource value', () => {
    // GIVEN / WHEN
    const { objects } = synthHello({
      resources: {
        cpuRequest: '0.25',
        memoryRequest: '256Mi',
        ephemeralStorageRequest: '1Gi',
        limits: ResourceLimits.of({ memory: '512Mi', cpu: '1', ephemeralStorage: '2Gi' }),
        tmpSizeLimit: '512Mi',
      },
    });
    // THEN
    expect(container(objects).resources).toEqual({
      requests: { 'cpu': '0.25', 'ephemeral-storage': '1Gi', 'memory': '256Mi' },
      limits: { 'cpu': '1', 'ephemeral-storage': '2Gi', 'memory': '512Mi' },
    });
    expect(podSpec(objects).volumes).toEqual([{ name: 'tmp', emptyDir: { sizeLimit: '512Mi' } }]);
    expect(validateManifests(objects)).toEqual([]);
  });

  test('no limits at all', () => {
    // GIVEN / WHEN
    const { objects } = synthHello({ resources: { limits: ResourceLimits.none() } });
    // THEN
    expect(container(objects).resources).toEqual({ requests: { 'cpu': '50m', 'ephemeral-storage': '64Mi', 'memory': '32Mi' } });
    expect(validateManifests(objects)).toEqual([]);
  });

  test('Service type and port, and extra ports', () => {
    // GIVEN / WHEN
    const { objects } = synthHello({ serviceType: ServiceType.LOAD_BALANCER, servicePort: 8443, extraPorts: { metrics: 9090 } });
    // THEN
    expect(container(objects).ports).toEqual([
      { name: 'http', containerPort: 8080, protocol: 'TCP' },
      { name: 'metrics', containerPort: 9090, protocol: 'TCP' },
    ]);
    expect(one(objects, 'Service').spec).toMatchObject({
      type: 'LoadBalancer',
      ports: [{ name: 'http', port: 8443, targetPort: 'http', protocol: 'TCP' }, { name: 'metrics', port: 9090, targetPort: 'metrics', protocol: 'TCP' }],
    });
    expect(validateManifests(objects)).toEqual([]);
  });

  test('port, user and group from the image; architectures narrowed to a subset', () => {
    // GIVEN / WHEN
    const { rd, objects } = synthHello({ image: { ...HELLO_IMAGE, port: 9000, uid: 1000, gid: 2000 }, nodeArchitectures: ['arm64'] });
    // THEN
    expect(container(objects).ports[0].containerPort).toBe(9000);
    expect(podSpec(objects).securityContext).toMatchObject({ runAsUser: 1000, runAsGroup: 2000 });
    expect(podSpec(objects).affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].values).toEqual(['arm64']);
    expect([rd.port, rd.uid, rd.gid]).toEqual([9000, 1000, 2000]);
  });

  test('one replica: no PodDisruptionBudget', () => {
    // GIVEN / WHEN
    const { rd, objects } = synthHello({ replicas: 1 });
    // THEN
    expect(objects.some((o) => o.kind === 'PodDisruptionBudget')).toBe(false);
    expect(rd.podDisruptionBudgetName).toBeUndefined();
  });

  test('a minAvailable budget, or none', () => {
    // GIVEN / WHEN
    const withMin = synthHello({ replicas: 4, disruptionBudget: DisruptionBudget.minAvailable(PodCount.percent(50)) }).objects;
    const without = synthHello({ disruptionBudget: DisruptionBudget.none() }).objects;
    // THEN
    expect(one(withMin, 'PodDisruptionBudget').spec).toMatchObject({ minAvailable: '50%' });
    expect(one(withMin, 'PodDisruptionBudget').spec.maxUnavailable).toBeUndefined();
    expect(without.some((o) => o.kind === 'PodDisruptionBudget')).toBe(false);
  });

  test('a version label from the image version, none for a digest-only reference', () => {
    // GIVEN
    const digest = `ghcr.io/acme/api@sha256:${'a'.repeat(64)}`;
    // WHEN
    const versioned = synthHello({ image: { ...HELLO_IMAGE, version: 'v1.4.2' } }).rd;
    const pinned = synthHello({ image: { imageRef: digest, port: 8080, uid: 1 } }).rd;
    // THEN
    expect(versioned.labels['app.kubernetes.io/version']).toBe('v1.4.2');
    expect(pinned.labels['app.kubernetes.io/version']).toBeUndefined();
  });
});
