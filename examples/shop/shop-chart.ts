import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { CronJob, FileSource, GoStaticImage, HealthCheck, NetworkPeer, Platform, Protocol, RollingDeployment, ServiceAccount, WorkloadIdentity } from '../../lib';

/** Props of {@link ShopChart}. */
export interface ShopChartProps {
  /** Registry prefix the three images are pushed under. @default 'registry.example.com/shop' */
  readonly registry?: string;
  /** Builder image override, e.g. a digest-pinned or locally built one. @default - golang:<go.mod version> */
  readonly builderImage?: string;
  /** The module proxy the builder stage downloads through. @default - the builder image's (the public proxy) */
  readonly goProxy?: string;
  /** Namespace of the objects. @default 'shop' */
  readonly namespace?: string;
  /**
   * Platforms to build the three images for, e.g. only the cluster's own.
   * @default [Platform.LINUX_AMD64, Platform.LINUX_ARM64]
   */
  readonly platforms?: readonly Platform[];
}

/** The metrics port of every shop service: scraped by Prometheus, never on a Service. */
const METRICS = { metrics: { port: 9090, onService: false } };

/**
 * A shop from one Go module: an HTTP API behind an Ingress that autoscales, a queue worker
 * without a Service, a gRPC service behind a Gateway, and a CronJob that drains the queue
 * from the worker's image every 15 minutes.
 */
export class ShopChart extends Chart {
  public readonly images: Readonly<Record<'api' | 'worker' | 'grpc', GoStaticImage>>;
  public readonly api: RollingDeployment;
  public readonly worker: RollingDeployment;
  public readonly grpc: RollingDeployment;
  public readonly drain: CronJob;

  public constructor(scope: Construct, id: string, props: ShopChartProps = {}) {
    super(scope, id, { namespace: props.namespace ?? 'shop' });
    const image = (name: 'api' | 'worker' | 'grpc') => new GoStaticImage(this, `${name}-image`, {
      context: __dirname,
      main: `./cmd/${name}`,
      name: `shop-${name}`,
      repository: `${props.registry ?? 'registry.example.com/shop'}/${name}`,
      platforms: props.platforms ?? [Platform.LINUX_AMD64, Platform.LINUX_ARM64],
      builderImage: props.builderImage,
      goProxy: props.goProxy,
    });
    this.images = { api: image('api'), worker: image('worker'), grpc: image('grpc') };

    this.api = new RollingDeployment(this, 'api', {
      name: 'shop-api',
      image: this.images.api,
      extraPorts: METRICS,
      autoscaling: { minReplicas: 2, maxReplicas: 10, cpuUtilization: 70 },
      files: { '/etc/shop/signing': FileSource.secret('shop-api-signing', { items: { key: 'key' } }) },
      env: { SIGNING_KEY_FILE: '/etc/shop/signing/key' },
      serviceAccount: ServiceAccount.create({ identity: WorkloadIdentity.aws('arn:aws:iam::123456789012:role/shop-api') }),
      ingress: { className: 'nginx', hosts: ['shop.example.com'], tlsSecret: 'shop-example-com-tls' },
      networkPolicy: {
        from: [NetworkPeer.namespace('ingress-nginx')],
        metricsFrom: [NetworkPeer.namespace('monitoring')],
      },
    });

    this.worker = new RollingDeployment(this, 'worker', {
      name: 'shop-worker',
      image: this.images.worker,
      protocol: Protocol.NONE,
      args: ['--queue', 'orders'],
      extraPorts: METRICS,
      health: HealthCheck.http({ port: 'metrics' }),
    });

    this.grpc = new RollingDeployment(this, 'grpc', {
      name: 'shop-grpc',
      image: this.images.grpc,
      protocol: Protocol.GRPC,
      grpcRoute: { parentRefs: [{ name: 'shop-gateway', namespace: 'gateway' }], hostnames: ['grpc.shop.example.com'] },
    });

    // The same image and pod model as the worker, run to completion on a schedule.
    this.drain = new CronJob(this, 'drain', {
      name: 'shop-drain',
      image: this.images.worker,
      args: ['--queue', 'orders', '--once'],
      schedule: '*/15 * * * *',
      activeDeadlineSeconds: 300,
    });
  }
}
