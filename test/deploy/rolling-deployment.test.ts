import { Testing } from 'cdk8s';
import { RollingDeployment } from '../../lib/deploy';
import { checkManifests } from '../../lib/policy';
import { validateManifests } from '../schema/validate';
import { container, HELLO_IMAGE, one, podSpec, synthHello } from './fixtures';

const HELLO_ENV = {
  env: { DB_HOST: 'db.internal' },
  secretEnv: { API_SECRET_KEY: { secret: 'hello-api', key: 'api-key' } },
};

describe('RollingDeployment', () => {
  describe('the hello example', () => {
    test('synthesizes a Deployment, Service and PodDisruptionBudget', () => {
      // GIVEN a hello-like image, env and a secret
      // WHEN
      const { objects } = synthHello(HELLO_ENV);
      // THEN
      expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
        'Deployment/hello', 'Service/hello', 'PodDisruptionBudget/hello',
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
      expect(objects.map((o) => o.metadata.name)).toEqual(['hello', 'hello', 'hello']);
      expect([rd.name, rd.deploymentName, rd.serviceName, rd.podDisruptionBudgetName]).toEqual(['hello', 'hello', 'hello', 'hello']);
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

    test('sleeps 5 s in a preStop hook before SIGTERM, waits 30 s in all, pulls IfNotPresent', () => {
      // GIVEN / WHEN
      const pod = podSpec(synthHello().objects);
      // THEN
      expect(pod.terminationGracePeriodSeconds).toBe(30);
      expect(pod.containers[0].lifecycle).toEqual({ preStop: { sleep: { seconds: 5 } } });
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
        ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP', appProtocol: 'http' }],
      });
    });

    test('a PodDisruptionBudget of one pod with two replicas', () => {
      // GIVEN / WHEN
      const pdb = one(synthHello().objects, 'PodDisruptionBudget');
      // THEN
      expect(pdb.apiVersion).toBe('policy/v1');
      expect(pdb.spec).toMatchObject({ maxUnavailable: 1, unhealthyPodEvictionPolicy: 'AlwaysAllow' });
    });

    test('no ConfigMap, and only the Go runtime env without env', () => {
      // GIVEN / WHEN
      const { objects } = synthHello();
      // THEN
      expect(objects.map((o) => o.kind)).toEqual(['Deployment', 'Service', 'PodDisruptionBudget']);
      expect(container(objects).env).toEqual([{ name: 'GOMEMLIMIT', value: '115MiB' }]);
      expect(container(objects).envFrom).toBeUndefined();
      expect(one(objects, 'Deployment').spec.template.metadata.annotations).toBeUndefined();
    });
  });

  describe('env', () => {
    test('plain values are inline in the pod template, secrets stay secretKeyRefs', () => {
      // GIVEN / WHEN
      const { objects } = synthHello(HELLO_ENV);
      // THEN
      expect(objects.some((o) => o.kind === 'ConfigMap')).toBe(false);
      expect(container(objects).envFrom).toBeUndefined();
      expect(container(objects).env).toEqual([
        { name: 'API_SECRET_KEY', valueFrom: { secretKeyRef: { name: 'hello-api', key: 'api-key' } } },
        { name: 'DB_HOST', value: 'db.internal' },
        { name: 'GOMEMLIMIT', value: '115MiB' },
      ]);
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
      expect(c.env).toContainEqual({ name: 'SENTRY_DSN', valueFrom: { secretKeyRef: { name: 'sentry', key: 'dsn', optional: true } } });
    });

    test('a change of env changes the pod template, so the pods roll and the ReplicaSet keeps its own env', () => {
      // GIVEN
      const template = (env: Record<string, string>) => JSON.stringify(one(synthHello({ env }).objects, 'Deployment').spec.template);
      // WHEN / THEN
      expect(template({ A: '1', B: '2' })).toEqual(template({ B: '2', A: '1' }));
      expect(template({ A: '1' })).not.toEqual(template({ A: '2' }));
      expect(template({ A: '1' })).toContain('{"name":"A","value":"1"}');
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
      expect([rd.manifests.deployment, rd.manifests.service, rd.manifests.podDisruptionBudget]).toEqual(objects);
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
