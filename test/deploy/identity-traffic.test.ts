import { NetworkPeer, Protocol, resolveAutoscaling, ServiceAccount, WorkloadIdentity } from '../../lib/deploy';
import { ValidationError } from '../../lib/model/errors';
import { checkManifests } from '../../lib/policy';
import { validateManifests } from '../schema/validate';
import { kinds, one, podSpec, rejection, synthHello, WORKER } from './fixtures';

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
    ['an existing ServiceAccount name is invalid', { serviceAccount: ServiceAccount.existing('Reader') }, 'serviceAccount.name'],
    ['an identity annotation is set to another value', {
      serviceAccount: ServiceAccount.create({ identity: WorkloadIdentity.gcp('hello-app@acme.iam.gserviceaccount.com'), annotations: { 'iam.gke.io/gcp-service-account': 'x' } }),
    }, 'serviceAccount.annotations.iam.gke.io/gcp-service-account'],
    ['a create option is misspelt', { serviceAccount: ServiceAccount.create({ identiy: 'x' } as never) }, 'serviceAccount.identiy'],
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

  test('fails if a utilization target has no request to be a percentage of', () => {
    // GIVEN requests without cpu (RollingDeployment always requests cpu, so this checks the resolver itself)
    // WHEN / THEN
    expect(() => resolveAutoscaling({ maxReplicas: 3 }, { memory: '32Mi' })).toThrow(
      "autoscaling.cpuUtilization: 70 — is a percentage of the cpu request, and the container requests no cpu; the autoscaler would never scale — set resources.cpuRequest");
    expect(() => resolveAutoscaling({ maxReplicas: 3, memoryUtilization: 80 }, { cpu: '50m' })).toThrow(/autoscaling\.memoryUtilization: 80/);
  });

  test.each([
    ['replicas is set too', { replicas: 3, autoscaling: { maxReplicas: 5 } }, 'replicas'],
    ['maxReplicas is below minReplicas', { autoscaling: { minReplicas: 4, maxReplicas: 3 } }, 'autoscaling.maxReplicas'],
    ['maxReplicas is missing', { autoscaling: {} }, 'autoscaling.maxReplicas'],
    ['a utilization is 0', { autoscaling: { maxReplicas: 3, cpuUtilization: 0 } }, 'autoscaling.cpuUtilization'],
    ['an autoscaling prop is misspelt', { autoscaling: { maxReplica: 3 } }, 'autoscaling.maxReplica'],
    ['a memory target is above 1000%', { autoscaling: { maxReplicas: 3, memoryUtilization: 1001 } }, 'autoscaling.memoryUtilization'],
    ['the scale-down window is negative', { autoscaling: { maxReplicas: 3, scaleDownStabilizationSeconds: -1 } }, 'autoscaling.scaleDownStabilizationSeconds'],
    ['minReplicas is 0', { autoscaling: { minReplicas: 0, maxReplicas: 3 } }, 'autoscaling.minReplicas'],
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
    ['an Ingress class is not a name', { ingress: { hosts: ['a.example.com'], className: 'Nginx Plus' } }, 'ingress.className'],
    ['an Ingress TLS secret is not a name', { ingress: { hosts: ['a.example.com'], tlsSecret: 'TLS' } }, 'ingress.tlsSecret'],
    ['an Ingress path has no slash', { ingress: { hosts: ['a.example.com'], paths: ['api'] } }, 'ingress.paths[0]'],
    ['an Ingress prop is misspelt', { ingress: { host: ['a.example.com'] } }, 'ingress.host'],
    ['a route hostname is an IP with a port', { httpRoute: { parentRefs: [{ name: 'gw' }], hostnames: ['10.0.0.1:80'] } }, 'httpRoute.hostnames[0]'],
    ['a parent namespace is invalid', { httpRoute: { parentRefs: [{ name: 'gw', namespace: 'Infra' }] } }, 'httpRoute.parentRefs[0].namespace'],
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
    ['metricsFrom is empty', { extraPorts: { metrics: { port: 9090, onService: false } }, networkPolicy: { from: [NetworkPeer.sameApp()], metricsFrom: [] } }, 'networkPolicy.metricsFrom'],
    ['a worker admits peers to a Service it has not', { ...WORKER, networkPolicy: { from: [NetworkPeer.sameApp()] } }, 'networkPolicy.from'],
    ['a pod peer label value is invalid', { networkPolicy: { from: [NetworkPeer.pods({ role: 'a b' })] } }, 'networkPolicy.from[0].role'],
    ['a NetworkPolicy prop is misspelt', { networkPolicy: { form: [] } }, 'networkPolicy.form'],
  ])('fails if %s', (_, props, prop) => {
    expect(rejection(props).prop).toBe(prop);
  });
});
