import { JsonPatch, Testing } from 'cdk8s';
import { LifecycleAction, RollingDeployment, RollingDeploymentProps } from '../../lib/deploy';
import { ValidationError } from '../../lib/model/errors';
import { checkManifests } from '../../lib/policy';
import { HELLO_IMAGE } from './fixtures';

function synth(props: Partial<RollingDeploymentProps>): any[] {
  const chart = Testing.chart();
  new RollingDeployment(chart, 'hello', { image: HELLO_IMAGE, ...props } as RollingDeploymentProps);
  return Testing.synth(chart);
}

function rejection(props: Partial<RollingDeploymentProps>): ValidationError {
  try {
    synth(props);
  } catch (e) {
    expect(e).toBeInstanceOf(ValidationError);
    return e as ValidationError;
  }
  throw new Error('expected a ValidationError');
}

const FULL: Partial<RollingDeploymentProps> = {
  imagePullSecrets: ['registry-creds'],
  tolerations: [{ key: 'dedicated', value: 'web', effect: 'NoSchedule' }, { operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 60 }],
  nodeSelector: { 'node.kubernetes.io/pool': 'web' },
  podAnnotations: { 'prometheus.io/scrape': 'true' },
  podLabels: { team: 'payments' },
  priorityClassName: 'high',
  lifecycle: { preStop: LifecycleAction.sleep(5) },
  initContainers: { migrate: { image: 'ghcr.io/acme/migrate:1.2.0', args: ['up'], env: { DB: 'main' } } },
  sidecars: { proxy: { image: 'ghcr.io/acme/proxy:2.0.1', memory: '32Mi' } },
};

describe('everyday pod fields', () => {
  test('render into the pod template, and the result passes goship check at restricted', () => {
    // WHEN
    const objects = synth(FULL);
    const deployment = objects.find((o) => o.kind === 'Deployment');
    const pod = deployment.spec.template.spec;
    // THEN
    expect(pod.imagePullSecrets).toEqual([{ name: 'registry-creds' }]);
    expect(pod.tolerations).toEqual([
      { key: 'dedicated', operator: 'Equal', value: 'web', effect: 'NoSchedule' },
      { operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 60 },
    ]);
    expect(pod.nodeSelector).toEqual({ 'node.kubernetes.io/pool': 'web' });
    expect(pod.priorityClassName).toBe('high');
    expect(deployment.spec.template.metadata.annotations).toEqual({ 'prometheus.io/scrape': 'true' });
    expect(deployment.spec.template.metadata.labels.team).toBe('payments');
    expect(deployment.spec.selector.matchLabels.team).toBeUndefined();
    expect(pod.containers[0].lifecycle).toEqual({ preStop: { sleep: { seconds: 5 } } });
    expect(pod.initContainers.map((c: any) => [c.name, c.restartPolicy])).toEqual([['migrate', undefined], ['proxy', 'Always']]);
    expect(pod.initContainers[0]).toMatchObject({ image: 'ghcr.io/acme/migrate:1.2.0', args: ['up'], env: [{ name: 'DB', value: 'main' }], resources: { requests: { cpu: '10m', memory: '64Mi' }, limits: { memory: '64Mi' } } });
    expect(pod.initContainers[1].resources.limits).toEqual({ memory: '32Mi' });
    expect(checkManifests(objects).filter((f) => f.severity === 'error')).toEqual([]);
  });

  test('none of them is rendered by default', () => {
    const pod = synth({}).find((o) => o.kind === 'Deployment').spec.template;
    expect(pod.metadata.annotations).toBeUndefined();
    for (const field of ['imagePullSecrets', 'tolerations', 'nodeSelector', 'priorityClassName', 'initContainers']) {
      expect(pod.spec[field]).toBeUndefined();
    }
    // only goship's own preStop sleep
    expect(pod.spec.containers[0].lifecycle).toEqual({ preStop: { sleep: { seconds: 5 } } });
  });

  test.each([
    ['a pull secret name is not a DNS name', { imagePullSecrets: ['Registry Creds'] }, 'imagePullSecrets[0]'],
    ['a toleration sets a value with Exists', { tolerations: [{ key: 'a', operator: 'Exists' as const, value: 'b' }] }, 'tolerations[0].value'],
    ['a toleration has tolerationSeconds without NoExecute', { tolerations: [{ key: 'a', effect: 'NoSchedule' as const, tolerationSeconds: 5 }] }, 'tolerations[0].tolerationSeconds'],
    ['a toleration has a misspelt field', { tolerations: [{ key: 'a', efect: 'NoSchedule' } as any] }, 'tolerations[0].efect'],
    ['a pod label changes a selector label', { podLabels: { 'app.kubernetes.io/name': 'other' } }, 'podLabels.app.kubernetes.io/name'],
    ['a pod annotation is not a string', { podAnnotations: { 'prometheus.io/port': 8080 as unknown as string } }, 'podAnnotations.prometheus.io/port'],
    ['an init container uses latest', { initContainers: { migrate: { image: 'ghcr.io/acme/migrate:latest' } } }, 'initContainers.migrate.image'],
    ['an init container is untagged', { initContainers: { migrate: { image: 'ghcr.io/acme/migrate' } } }, 'initContainers.migrate.image'],
    ['a sidecar has the service container\'s name', { sidecars: { hello: { image: 'ghcr.io/acme/proxy:1' } } }, 'sidecars.hello'],
    ['a lifecycle hook is not a LifecycleAction', { lifecycle: { preStop: { exec: { command: ['sleep', '5'] } } as any } }, 'lifecycle.preStop'],
  ])('fails if %s', (_, props, prop) => {
    expect(rejection(props).prop).toBe(prop);
  });

  test('the unknown-prop error names the escape hatch, which works', () => {
    // an unknown prop with no near spelling
    const e = rejection({ hostAliases: [{ ip: '127.0.0.1', hostnames: ['db'] }] } as any);
    expect(e.message).toContain("addJsonPatch(JsonPatch.add('/spec/template/spec/<field>', value))");
    // the escape hatch as the README shows it
    const chart = Testing.chart();
    const web = new RollingDeployment(chart, 'hello', { image: HELLO_IMAGE });
    web.deployment.addJsonPatch(JsonPatch.add('/spec/template/spec/hostAliases', [{ ip: '127.0.0.1', hostnames: ['db'] }]));
    expect(Testing.synth(chart).find((o) => o.kind === 'Deployment').spec.template.spec.hostAliases).toEqual([{ ip: '127.0.0.1', hostnames: ['db'] }]);
  });
});
