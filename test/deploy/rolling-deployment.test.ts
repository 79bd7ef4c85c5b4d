import { Chart, Testing } from 'cdk8s';
import {
  DisruptionBudget, PodCount, ResourceLimits, RollingDeployment, RolloutStrategy, ServiceType,
} from '../../lib/deploy';
import { ENV_HASH_ANNOTATION } from '../../lib/render/workload';
import { checkManifests } from '../../lib/verify/policy';
import { validateManifests } from '../schema/validate';
import { container, HELLO_IMAGE, one, podSpec, synthHello } from './fixtures';

const HELLO_ENV = {
  env: { DB_HOST: 'db.internal' },
  secretEnv: { API_SECRET_KEY: { secret: 'hello-api', key: 'api-key' } },
};

describe('RollingDeployment', () => {
  describe('the hello example', () => {
    test('synthesizes a ConfigMap, Deployment, Service and PodDisruptionBudget', () => {
      // GIVEN a hello-like image, env and a secret
      // WHEN
      const { objects } = synthHello(HELLO_ENV);
      // THEN
      expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
        'ConfigMap/hello-env', 'Deployment/hello', 'Service/hello', 'PodDisruptionBudget/hello',
      ]);
      expect(objects).toMatchSnapshot();
    });

    test('every object validates against the Kubernetes 1.27 schema', () => {
      // GIVEN / WHEN
      const { objects } = synthHello(HELLO_ENV);
      // THEN
      expect(validateManifests(objects)).toEqual([]);
    });

    test('every object passes goship policy checks', () => {
      // GIVEN / WHEN
      const { objects } = synthHello(HELLO_ENV);
      // THEN
      expect(checkManifests(objects)).toEqual([]);
    });

    test('synthesizes the same bytes twice', () => {
      // GIVEN / WHEN
      const first = JSON.stringify(synthHello(HELLO_ENV).objects);
      const second = JSON.stringify(synthHello(HELLO_ENV).objects);
      // THEN
      expect(second).toEqual(first);
    });
  });

  describe('defaults', () => {
    test('rolls out with surge 1, unavailable 0, two replicas', () => {
      // GIVEN / WHEN
      const { objects } = synthHello();
      // THEN
      const spec = one(objects, 'Deployment').spec;
      expect(spec.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } });
      expect(spec.replicas).toBe(2);
      expect(spec.minReadySeconds).toBe(5);
      expect(spec.progressDeadlineSeconds).toBe(600);
      expect(spec.revisionHistoryLimit).toBe(5);
    });

    test('names every object cleanly, without hashes', () => {
      // GIVEN / WHEN
      const { rd, objects } = synthHello(HELLO_ENV);
      // THEN
      expect(objects.map((o) => o.metadata.name)).toEqual(['hello-env', 'hello', 'hello', 'hello']);
      expect([rd.name, rd.deploymentName, rd.serviceName, rd.configMapName, rd.podDisruptionBudgetName]).toEqual(['hello', 'hello', 'hello', 'hello-env', 'hello']);
    });

    test('derives a DNS-1035 name from the construct id', () => {
      // GIVEN
      const chart = Testing.chart();
      // WHEN
      const rd = new RollingDeployment(chart, 'HelloWeb', { image: HELLO_IMAGE });
      // THEN
      expect(rd.name).toBe('hello-web');
      expect(Testing.synth(chart).map((o) => o.metadata.name)).toEqual(['hello-web', 'hello-web', 'hello-web']);
    });

    test('labels every object; the selector uses only the stable labels', () => {
      // GIVEN / WHEN
      const { rd, objects } = synthHello(HELLO_ENV);
      // THEN
      const labels = {
        'app.kubernetes.io/instance': 'hello',
        'app.kubernetes.io/managed-by': 'goship',
        'app.kubernetes.io/name': 'hello',
        'app.kubernetes.io/version': '1a2b3c4',
      };
      const selector = { 'app.kubernetes.io/instance': 'hello', 'app.kubernetes.io/name': 'hello' };
      for (const o of objects) {
        expect(o.metadata.labels).toEqual(labels);
      }
      const deployment = one(objects, 'Deployment');
      expect(deployment.spec.template.metadata.labels).toEqual(labels);
      expect(deployment.spec.selector).toEqual({ matchLabels: selector });
      expect(one(objects, 'Service').spec.selector).toEqual(selector);
      expect(one(objects, 'PodDisruptionBudget').spec.selector).toEqual({ matchLabels: selector });
      expect(rd.selectorLabels).toEqual(selector);
    });

    test('probes the named http port, with a startup probe', () => {
      // GIVEN / WHEN
      const c = container(synthHello().objects);
      // THEN
      expect(c.ports).toEqual([{ name: 'http', containerPort: 8080, protocol: 'TCP' }]);
      expect(c.readinessProbe).toEqual({ httpGet: { path: '/health', port: 'http' }, periodSeconds: 5, timeoutSeconds: 2, failureThreshold: 3 });
      expect(c.livenessProbe).toEqual({ httpGet: { path: '/health', port: 'http' }, periodSeconds: 10, timeoutSeconds: 2, failureThreshold: 3 });
      expect(c.startupProbe).toEqual({ httpGet: { path: '/health', port: 'http' }, periodSeconds: 1, timeoutSeconds: 1, failureThreshold: 30 });
    });

    test('runs as the image user under the restricted Pod Security profile', () => {
      // GIVEN / WHEN
      const { rd, objects } = synthHello();
      // THEN
      const pod = podSpec(objects);
      expect(pod.securityContext).toEqual({ runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, seccompProfile: { type: 'RuntimeDefault' } });
      expect(pod.automountServiceAccountToken).toBe(false);
      expect(pod.serviceAccountName).toBeUndefined();
      expect(pod.containers[0].securityContext).toEqual({ allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, readOnlyRootFilesystem: true });
      expect(pod.containers[0].volumeMounts).toEqual([{ name: 'tmp', mountPath: '/tmp' }]);
      expect(pod.volumes).toEqual([{ name: 'tmp', emptyDir: { sizeLimit: '64Mi' } }]);
      expect(objects.some((o) => o.kind === 'ServiceAccount')).toBe(false);
      expect([rd.uid, rd.gid]).toEqual([65532, 65532]);
    });

    test('uses the uid as gid when the image has no gid', () => {
      // GIVEN / WHEN
      const { objects } = synthHello({ image: { imageRef: 'ghcr.io/acme/api:v1', port: 8080, uid: 10001 } });
      // THEN
      expect(podSpec(objects).securityContext).toMatchObject({ runAsUser: 10001, runAsGroup: 10001 });
    });

    test('requests cpu, memory and ephemeral storage and limits memory only', () => {
      // GIVEN / WHEN
      const c = container(synthHello().objects);
      // THEN
      expect(c.resources).toEqual({ requests: { 'cpu': '50m', 'ephemeral-storage': '64Mi', 'memory': '32Mi' }, limits: { memory: '128Mi' } });
    });

    test('waits 30 s for a drain, pulls IfNotPresent', () => {
      // GIVEN / WHEN
      const pod = podSpec(synthHello().objects);
      // THEN
      expect(pod.terminationGracePeriodSeconds).toBe(30);
      expect(pod.containers[0].lifecycle).toBeUndefined();
      expect(pod.containers[0].imagePullPolicy).toBe('IfNotPresent');
      expect(pod.containers[0].image).toBe('registry.example.com/team/hello:1a2b3c4');
    });

    test('spreads over nodes and schedules only on the image architectures', () => {
      // GIVEN / WHEN
      const pod = podSpec(synthHello().objects);
      // THEN
      expect(pod.topologySpreadConstraints).toEqual([{
        maxSkew: 1,
        topologyKey: 'kubernetes.io/hostname',
        whenUnsatisfiable: 'ScheduleAnyway',
        labelSelector: { matchLabels: { 'app.kubernetes.io/instance': 'hello', 'app.kubernetes.io/name': 'hello' } },
        matchLabelKeys: ['pod-template-hash'],
      }]);
      expect(pod.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms).toEqual([
        { matchExpressions: [{ key: 'kubernetes.io/arch', operator: 'In', values: ['amd64', 'arm64'] }] },
      ]);
    });

    test('any node when the image lists no platforms', () => {
      // GIVEN / WHEN
      const { rd, objects } = synthHello({ image: { imageRef: 'ghcr.io/acme/api:v1', port: 8080, uid: 10001 } });
      // THEN
      expect(podSpec(objects).affinity).toBeUndefined();
      expect(rd.nodeArchitectures).toEqual([]);
    });

    test('exposes a ClusterIP Service on port 80 targeting the http port by name', () => {
      // GIVEN / WHEN
      const service = one(synthHello().objects, 'Service');
      // THEN
      expect(service.spec).toEqual({
        type: 'ClusterIP',
        selector: { 'app.kubernetes.io/instance': 'hello', 'app.kubernetes.io/name': 'hello' },
        ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }],
      });
    });

    test('a PodDisruptionBudget of one pod with two replicas', () => {
      // GIVEN / WHEN
      const pdb = one(synthHello().objects, 'PodDisruptionBudget');
      // THEN
      expect(pdb.apiVersion).toBe('policy/v1');
      expect(pdb.spec).toMatchObject({ maxUnavailable: 1, unhealthyPodEvictionPolicy: 'AlwaysAllow' });
    });

    test('no ConfigMap and no env without env', () => {
      // GIVEN / WHEN
      const { rd, objects } = synthHello();
      // THEN
      expect(objects.map((o) => o.kind)).toEqual(['Deployment', 'Service', 'PodDisruptionBudget']);
      expect(container(objects).env).toBeUndefined();
      expect(container(objects).envFrom).toBeUndefined();
      expect(rd.configMapName).toBeUndefined();
      expect(one(objects, 'Deployment').spec.template.metadata.annotations).toBeUndefined();
    });
  });

  describe('env', () => {
    test('plain values go through the ConfigMap, secrets through secretKeyRef', () => {
      // GIVEN / WHEN
      const { objects } = synthHello(HELLO_ENV);
      // THEN
      expect(one(objects, 'ConfigMap').data).toEqual({ DB_HOST: 'db.internal' });
      expect(container(objects).envFrom).toEqual([{ configMapRef: { name: 'hello-env' } }]);
      expect(container(objects).env).toEqual([{ name: 'API_SECRET_KEY', valueFrom: { secretKeyRef: { name: 'hello-api', key: 'api-key' } } }]);
    });

    test('never writes a secret value', () => {
      // GIVEN / WHEN
      const { objects } = synthHello(HELLO_ENV);
      // THEN
      expect(objects.some((o) => o.kind === 'Secret')).toBe(false);
      expect(JSON.stringify(objects)).not.toMatch(/stringData|"data":\{"API/);
    });

    test('an optional secret key', () => {
      // GIVEN / WHEN
      const c = container(synthHello({ secretEnv: { SENTRY_DSN: { secret: 'sentry', key: 'dsn', optional: true } } }).objects);
      // THEN
      expect(c.env).toEqual([{ name: 'SENTRY_DSN', valueFrom: { secretKeyRef: { name: 'sentry', key: 'dsn', optional: true } } }]);
    });

    test('a change of env changes the pod template, so the pods roll', () => {
      // GIVEN
      const annotation = (env: Record<string, string>) =>
        one(synthHello({ env }).objects, 'Deployment').spec.template.metadata.annotations[ENV_HASH_ANNOTATION];
      // WHEN / THEN
      expect(annotation({ A: '1', B: '2' })).toEqual(annotation({ B: '2', A: '1' }));
      expect(annotation({ A: '1' })).not.toEqual(annotation({ A: '2' }));
      expect(annotation({ A: '1' })).toMatch(/^[0-9a-f]{16}$/);
    });
  });

  describe('overrides', () => {
    test('name and namespace', () => {
      // GIVEN / WHEN
      const { rd, objects } = synthHello({ name: 'greeter', namespace: 'web', ...HELLO_ENV });
      // THEN
      expect(objects.map((o) => [o.metadata.name, o.metadata.namespace])).toEqual([
        ['greeter-env', 'web'], ['greeter', 'web'], ['greeter', 'web'], ['greeter', 'web'],
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
        healthPath: '/ready',
        livenessPath: '/live',
        readinessProbe: { periodSeconds: 2 },
        livenessProbe: { failureThreshold: 6, initialDelaySeconds: 3 },
        startupProbe: { failureThreshold: 120, timeoutSeconds: 3 },
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

    test('port, user, group and architectures other than the image declares', () => {
      // GIVEN / WHEN
      const { rd, objects } = synthHello({ port: 9000, runAsUser: 1000, runAsGroup: 2000, nodeArchitectures: ['arm64'] });
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

  describe('public fields', () => {
    test('expose the resolved settings and the rendered objects', () => {
      // GIVEN / WHEN
      const { rd, objects } = synthHello(HELLO_ENV);
      // THEN
      expect(rd.image).toBe(HELLO_IMAGE);
      expect(rd.port).toBe(8080);
      expect(rd.replicas).toBe(2);
      expect(rd.strategy.maxSurge.value).toBe(1);
      expect(rd.spec.requests).toEqual({ 'cpu': '50m', 'ephemeral-storage': '64Mi', 'memory': '32Mi' });
      expect(rd.nodeArchitectures).toEqual(['amd64', 'arm64']);
      expect([rd.manifests.configMap, rd.manifests.deployment, rd.manifests.service, rd.manifests.podDisruptionBudget]).toEqual(objects);
      expect(RollingDeployment.isRollingDeployment(rd)).toBe(true);
      expect(RollingDeployment.isRollingDeployment(HELLO_IMAGE)).toBe(false);
    });

    test('a patch through the escape hatch changes the output, not the rendered manifests', () => {
      // GIVEN
      const chart = Testing.chart();
      const rd = new RollingDeployment(chart, 'hello', { image: HELLO_IMAGE });
      // WHEN
      rd.deployment.metadata.addAnnotation('team', 'web');
      // THEN
      expect(one(Testing.synth(chart), 'Deployment').metadata.annotations).toEqual({ team: 'web' });
      expect((rd.manifests.deployment.metadata as Record<string, unknown>).annotations).toBeUndefined();
    });
  });
});
