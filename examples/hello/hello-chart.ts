import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { GoStaticImage, Platform, RollingDeployment } from '../../lib';

/** Props of {@link HelloChart}. */
export interface HelloChartProps {
  /** Registry repository to push to. @default 'registry.example.com/team/hello' */
  readonly repository?: string;
  /** Builder image override, e.g. a digest-pinned or locally built one. @default - golang:<go.mod version> */
  readonly builderImage?: string;
  /** The module proxy the builder stage downloads through. @default - the builder image's (the public proxy) */
  readonly goProxy?: string;
  /** Namespace of the objects. @default - none (the kubectl context's) */
  readonly namespace?: string;
  /** Pods. @default 2 */
  readonly replicas?: number;
  /**
   * Platforms to build. A builder that cannot build several at once (Docker's own `docker`
   * driver without the containerd image store) needs one.
   * @default [Platform.LINUX_AMD64, Platform.LINUX_ARM64]
   */
  readonly platforms?: readonly Platform[];
  /** The `GREETING` the service answers with; a change rolls the pods. @default 'hello from goship' */
  readonly greeting?: string;
}

/** The example service: one image, built for amd64 and arm64, and the Deployment that runs it. */
export class HelloChart extends Chart {
  public readonly image: GoStaticImage;
  public readonly deployment: RollingDeployment;

  public constructor(scope: Construct, id: string, props: HelloChartProps = {}) {
    super(scope, id, { namespace: props.namespace });
    this.image = new GoStaticImage(this, 'image', {
      context: __dirname,
      repository: props.repository ?? 'registry.example.com/team/hello',
      platforms: props.platforms ?? [Platform.LINUX_AMD64, Platform.LINUX_ARM64],
      builderImage: props.builderImage,
      goProxy: props.goProxy,
    });
    this.deployment = new RollingDeployment(this, 'hello', {
      image: this.image,
      replicas: props.replicas,
      env: { GREETING: props.greeting ?? 'hello from goship' },
      secretEnv: { API_KEY: { secret: 'hello-api', key: 'api-key' } },
    });
  }
}
