import { Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { HealthCheck, Protocol } from '../../lib/deploy';
import { ingressBackend, GoshipPods } from '../../lib/interop/cdk8s-plus';
import { synthHello } from '../deploy/fixtures';
import { validateManifests } from '../schema/validate';

describe('cdk8s-plus-27 interop', () => {
  test('a cdk8s-plus NetworkPolicy selects the pods, a cdk8s-plus Deployment is allowed to them, an Ingress routes to the Service', () => {
    // GIVEN a goship deployment and cdk8s-plus constructs in the same chart
    const chart = Testing.chart();
    const { rd } = synthHello({ extraPorts: { admin: 9000 } }, chart);
    const web = new kplus.Deployment(chart, 'web', { containers: [{ image: 'registry.example.com/web:1', portNumber: 3000, securityContext: { user: 1000 } }] });
    // WHEN
    new kplus.NetworkPolicy(chart, 'hello-policy', {
      selector: GoshipPods.of(rd),
      ingress: { rules: [{ peer: web, ports: [kplus.NetworkPolicyPort.tcp(8080)] }] },
    });
    web.connections.allowTo(GoshipPods.of(rd), { isolation: kplus.PodConnectionsIsolation.PEER });
    new kplus.Ingress(chart, 'ingress', { rules: [{ host: 'hello.example.com', backend: ingressBackend(rd) }] });
    const objects = Testing.synth(chart);
    // THEN the selector is the deployment's selector labels
    const selector = { 'app.kubernetes.io/instance': 'hello', 'app.kubernetes.io/name': 'hello' };
    const policies = objects.filter((o) => o.kind === 'NetworkPolicy');
    const webPods = { podSelector: { matchLabels: { 'cdk8s.io/metadata.addr': expect.stringMatching(/^test-web-/) } } };
    expect(policies.map((p) => p.spec)).toEqual([
      // allowTo, isolating the peer: our pods admit web's
      { podSelector: { matchLabels: selector }, policyTypes: ['Ingress'], ingress: [{ from: [webPods], ports: [] }] },
      // the policy that selects our pods
      { podSelector: { matchLabels: selector }, policyTypes: ['Ingress'], ingress: [{ from: [webPods], ports: [{ port: 8080, protocol: 'TCP' }] }] },
    ]);
    // AND the Ingress goes to the Service's main port
    const ingress = objects.find((o) => o.kind === 'Ingress')!;
    expect(ingress.spec.rules[0].http.paths[0].backend).toEqual({ service: { name: 'hello', port: { number: 80 } } });
    expect(ingressBackend(rd, { port: 9000 })).toBeInstanceOf(kplus.IngressBackend);
    expect(GoshipPods.of(rd)).toBe(GoshipPods.of(rd));
    expect(validateManifests(objects)).toEqual([]);
  });

  test('fails if the deployment has no Service', () => {
    const { rd } = synthHello({ protocol: Protocol.NONE, extraPorts: { metrics: { port: 9090, onService: false } }, health: HealthCheck.http({ port: 'metrics' }) });
    expect(() => ingressBackend(rd)).toThrow(/has no Service/);
  });
});
