import { Testing } from 'cdk8s';
import { ShopChart } from '../../examples/shop/shop-chart';
import { checkManifests } from '../../lib/policy';
import { validateManifests } from '../schema/validate';
import { Obj } from './fixtures';

describe('examples/shop', () => {
  const chart = new ShopChart(Testing.app(), 'shop');
  const objects: Obj[] = Testing.synth(chart);
  const names = objects.map((o) => `${o.kind}/${o.metadata.name}`);

  test('api: ServiceAccount, Deployment, Service, PDB, HPA, Ingress, NetworkPolicy; worker: no Service; grpc: a GRPCRoute; drain: a CronJob', () => {
    expect(names).toEqual([
      'ServiceAccount/shop-api', 'Deployment/shop-api', 'Service/shop-api', 'PodDisruptionBudget/shop-api',
      'HorizontalPodAutoscaler/shop-api', 'Ingress/shop-api', 'NetworkPolicy/shop-api',
      'Deployment/shop-worker', 'PodDisruptionBudget/shop-worker',
      'Deployment/shop-grpc', 'Service/shop-grpc', 'PodDisruptionBudget/shop-grpc', 'GRPCRoute/shop-grpc',
      'CronJob/shop-drain',
    ]);
  });

  test('the drain CronJob runs the worker image once, as the worker runs it, without probes', () => {
    const cron = objects.find((o) => o.kind === 'CronJob')!;
    const pod = cron.spec.jobTemplate.spec.template.spec;
    const worker = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'shop-worker')!.spec.template.spec;
    expect(pod.containers[0].image).toBe(worker.containers[0].image);
    expect(pod.containers[0].args).toEqual(['--queue', 'orders', '--once']);
    expect(pod.securityContext).toEqual(worker.securityContext);
    expect(pod.containers[0].readinessProbe).toBeUndefined();
    expect(cron.spec).toMatchObject({ schedule: '*/15 * * * *', concurrencyPolicy: 'Forbid' });
  });

  test('every object validates against the Kubernetes 1.27 and Gateway API schemas', () => {
    expect(validateManifests(objects)).toEqual([]);
  });

  test('every object passes the policy gate', () => {
    expect(checkManifests(objects)).toEqual([]);
  });

  test('the gRPC service is probed natively and announced as gRPC', () => {
    const grpc = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'shop-grpc')!.spec.template.spec.containers[0];
    expect(grpc.readinessProbe.grpc).toEqual({ port: 8080 });
    const service = objects.find((o) => o.kind === 'Service' && o.metadata.name === 'shop-grpc')!;
    expect(service.spec.ports).toEqual([{ name: 'grpc', port: 80, targetPort: 'grpc', protocol: 'TCP', appProtocol: 'grpc' }]);
  });

  test('the images download grpc and the Prometheus client once, in a step of their own, on Go 1.26', () => {
    for (const image of Object.values(chart.images)) {
      expect(image.layout.vendored).toBe(false);
      expect(image.builderImage).toBe('golang:1.26');
      const text = image.renderDockerfile();
      expect(text).toContain('COPY go.mod go.sum ./\nRUN --mount=type=cache,id=goship-gomod,sharing=shared,target=/go/pkg/mod go mod download\n');
      expect(text).not.toContain('-mod=vendor');
    }
  });
});
