import { ApiObject, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { DeployableImage } from '../model/deployable-image';
import { validating } from '../model/errors';
import { KubeObject, renderWorkload, WorkloadManifests, WorkloadSpec } from '../render/workload';
import { AutoscalingProps } from './autoscaling';
import { EmptyDirOptions, EnvFrom, FileSource } from './container';
import { EnvValue, SecretEnvSource } from './env';
import { NetworkPolicyProps } from './network-policy';
import { PodFieldsProps } from './pod-fields';
import { ExtraPortOptions, Protocol } from './ports';
import { HealthCheck, ProbeTiming } from './probes';
import { resolveWorkload } from './resolve-workload';
import { ResourcesProps } from './resources';
import { IngressProps, RouteProps } from './routes';
import { ServiceAccount } from './service-account';
import { ServiceType } from './service-type';
import { DisruptionBudget, RolloutStrategy } from './strategy';

/*
 * Built on cdk8s `ApiObject`s holding what `renderWorkload()` returns, not on cdk8s-plus-27's
 * Deployment: that one cannot write seccompProfile, named probe and Service target ports,
 * topologySpreadConstraints, revisionHistoryLimit or ephemeral storage below 1Gi, and
 * defaults CPU and memory limits. Patching all that out would leave the real spec in JSON
 * patches; rendering it whole keeps it pure, deterministic and shared with the Pulumi backend.
 */

const DEPLOYMENT_SYMBOL = Symbol.for('goship.RollingDeployment');

/** Props of {@link RollingDeployment}. */
export interface RollingDeploymentProps extends PodFieldsProps {
  /**
   * The image to run: a `GoStaticImage`, or a plain object for an image goship did not
   * describe. Its reference, port, user, platforms and version are read from it.
   */
  readonly image: DeployableImage;
  /**
   * Name of the Deployment, Service, PodDisruptionBudget and container (the ConfigMap is
   * `<name>-env`). A DNS-1035 label, because the Service carries it.
   * @default - derived from the construct id: `HelloWeb` becomes `hello-web`
   */
  readonly name?: string;
  /**
   * Namespace of every object.
   * @default - the chart's namespace, else none (the one `kubectl` or the GitOps tool applies to)
   */
  readonly namespace?: string;
  /**
   * Desired pods. Not with `autoscaling`, which owns the count.
   * @default 2
   */
  readonly replicas?: number;
  /**
   * A HorizontalPodAutoscaler. The Deployment then has no `replicas` field, so an apply or a
   * GitOps sync never resets what the autoscaler scaled.
   * @default - none: `replicas` pods
   */
  readonly autoscaling?: AutoscalingProps;
  /**
   * How pods are replaced on a change.
   * @default RolloutStrategy.rollingUpdate() — maxSurge 1, maxUnavailable 0
   */
  readonly strategy?: RolloutStrategy;
  /**
   * Seconds a new pod must stay ready before it counts as available (and an old one goes).
   * @default 5
   */
  readonly minReadySeconds?: number;
  /**
   * Seconds without progress after which the rollout is reported as failed.
   * @default 600
   */
  readonly progressDeadlineSeconds?: number;
  /**
   * Old ReplicaSets kept for `kubectl rollout undo`.
   * @default 5
   */
  readonly revisionHistoryLimit?: number;
  /**
   * The entrypoint, replacing the image's.
   * @default - the image's entrypoint
   */
  readonly command?: readonly string[];
  /**
   * Arguments to the entrypoint.
   * @default - the image's
   * @example ['--queue', 'orders']
   */
  readonly args?: readonly string[];
  /**
   * What the process speaks on its main port: names the port (`http`, `h2c`, `grpc`), sets
   * the Service port's `appProtocol` and picks the default health check.
   * `Protocol.NONE` is a worker: no main port, no Service unless an extra port is on it.
   * @default Protocol.HTTP
   */
  readonly protocol?: Protocol;
  /**
   * How the probes ask for health.
   * @default - HTTP GET `healthPath` on the main port; the gRPC health service for Protocol.GRPC; required for Protocol.NONE
   */
  readonly health?: HealthCheck;
  /**
   * Path the readiness probe (and, unless `livenessPath` is set, the liveness and startup
   * probes) GETs on the main port. Not with `health`.
   * @default '/health'
   */
  readonly healthPath?: string;
  /**
   * Path the liveness and startup probes GET, when it differs from `healthPath`.
   * @default - healthPath
   */
  readonly livenessPath?: string;
  /**
   * Readiness probe timings.
   * @default { periodSeconds: 5, timeoutSeconds: 2, failureThreshold: 3 }
   */
  readonly readinessProbe?: ProbeTiming;
  /**
   * Liveness probe timings.
   * @default { periodSeconds: 10, timeoutSeconds: 2, failureThreshold: 3 }
   */
  readonly livenessProbe?: ProbeTiming;
  /**
   * Startup probe timings.
   * @default { periodSeconds: 1, timeoutSeconds: 1, failureThreshold: 30 }
   */
  readonly startupProbe?: ProbeTiming;
  /**
   * Seconds between SIGTERM and SIGKILL. The service must keep serving a few seconds after
   * SIGTERM (endpoints take a moment to drop the pod), then drain and exit within it.
   * @default 30
   */
  readonly terminationGracePeriodSeconds?: number;
  /**
   * Seconds the kubelet waits, in a `preStop` sleep hook, before it sends SIGTERM. The pod is
   * already leaving the Service's endpoints meanwhile, so a service that calls
   * `http.Server.Shutdown` as soon as SIGTERM arrives closes its listener only after kube-proxy
   * and ingress controllers stopped sending new connections to it. The hook is Kubernetes'
   * own `lifecycle.preStop.sleep`, which needs no `sleep` binary in the image (a scratch
   * image has none): beta and on by default from Kubernetes 1.30, GA in 1.34. Counts against
   * `terminationGracePeriodSeconds`. `0` writes no hook: for older clusters, where the
   * service must delay its own shutdown.
   * @default 5
   */
  readonly preStopSleepSeconds?: number;
  /**
   * Requests and limits.
   * @default - requests cpu 50m, memory 32Mi, ephemeral-storage 64Mi; limit memory 128Mi
   */
  readonly resources?: ResourcesProps;
  /**
   * Plain environment variables, written inline in the pod template (so `kubectl rollout
   * undo` brings back the env of the revision it restores). Names that look secret
   * (PASSWORD, TOKEN, API_KEY…) are refused: use `secretEnv`, or `EnvValue.notSecret()`.
   * `GOMEMLIMIT` and `GOMAXPROCS` are derived from the limits unless set here.
   * @default - none
   */
  readonly env?: Readonly<Record<string, string | EnvValue>>;
  /**
   * Environment variables read from keys of existing Secrets; no value is ever written.
   * @default - none
   * @example { API_SECRET_KEY: { secret: 'hello-api', key: 'api-key' } }
   */
  readonly secretEnv?: Readonly<Record<string, SecretEnvSource>>;
  /**
   * Every key of existing ConfigMaps or Secrets as environment variables.
   * @default - none
   * @example [EnvFrom.configMap('shop-flags'), EnvFrom.secret('shop-db', { prefix: 'DB_' })]
   */
  readonly envFrom?: readonly EnvFrom[];
  /**
   * Files from existing Secrets or ConfigMaps, mounted read-only, by directory.
   * @default - none
   * @example { '/etc/shop/tls': FileSource.secret('shop-api-tls') }
   */
  readonly files?: Readonly<Record<string, FileSource>>;
  /**
   * More writable scratch directories, each with a size limit, by directory.
   * @default - none (only `/tmp`)
   * @example { '/var/cache/shop': { sizeLimit: '256Mi' } }
   */
  readonly emptyDirs?: Readonly<Record<string, EmptyDirOptions>>;
  /**
   * The pods' ServiceAccount, with a cloud workload identity.
   * @default - the namespace's `default` ServiceAccount
   */
  readonly serviceAccount?: ServiceAccount;
  /**
   * Mount the ServiceAccount token: only for pods that call the Kubernetes API.
   * @default false
   */
  readonly automountServiceAccountToken?: boolean;
  /**
   * How the Service is reachable.
   * @default ServiceType.CLUSTER_IP
   */
  readonly serviceType?: ServiceType;
  /**
   * The Service's main port (it targets the container's main port by name).
   * @default 80
   */
  readonly servicePort?: number;
  /**
   * More named TCP ports on the container; each is on the Service with the same number
   * unless `onService: false`.
   * @default - none
   * @example { metrics: { port: 9090, onService: false } }
   */
  readonly extraPorts?: Readonly<Record<string, number | ExtraPortOptions>>;
  /**
   * An Ingress to the main port.
   * @default - none
   */
  readonly ingress?: IngressProps;
  /**
   * A Gateway API HTTPRoute to the main port.
   * @default - none
   */
  readonly httpRoute?: RouteProps;
  /**
   * A Gateway API GRPCRoute to the main port (Protocol.GRPC).
   * @default - none
   */
  readonly grpcRoute?: RouteProps;
  /**
   * A NetworkPolicy that admits only the listed peers.
   * @default - none: the namespace's policies apply
   */
  readonly networkPolicy?: NetworkPolicyProps;
  /**
   * The PodDisruptionBudget. Checked against `autoscaling.minReplicas` when autoscaling.
   * @default - DisruptionBudget.maxUnavailable(PodCount.absolute(1)) with more than one replica (or minReplicas), else none
   */
  readonly disruptionBudget?: DisruptionBudget;
  /**
   * The port the process listens on, if not the image's.
   * @default - the image's port
   */
  readonly port?: number;
  /**
   * The user id to run as, if not the image's.
   * @default - the image's uid
   */
  readonly runAsUser?: number;
  /**
   * The group id to run as, if not the image's.
   * @default - the image's gid, else its uid
   */
  readonly runAsGroup?: number;
  /**
   * `kubernetes.io/arch` values the pods may be scheduled on, if not the image's platforms.
   * @default - the architectures of the image's platforms; any node if it lists none
   */
  readonly nodeArchitectures?: readonly string[];
}

/**
 * A Go service on Kubernetes that rolls out without downtime: a Deployment (surge 1,
 * unavailable 0, probes on a named port, restricted Pod Security, read-only root with a
 * writable `/tmp`, env inline in the pod template), a ClusterIP Service and a
 * PodDisruptionBudget; on request a ServiceAccount, a HorizontalPodAutoscaler, an Ingress,
 * Gateway API routes and a NetworkPolicy. Every object is named after the workload: `hello`.
 *
 * Every prop is checked when it is created; errors name the construct path, the prop, the
 * value and the fix.
 *
 * @example
 * new RollingDeployment(chart, 'hello', {
 *   image,                                 // a GoStaticImage: ref, port, uid, platforms
 *   env: { DB_HOST: 'db.internal' },
 *   secretEnv: { API_SECRET_KEY: { secret: 'hello-api', key: 'api-key' } },
 * });
 */
export class RollingDeployment extends Construct {
  /** True for any RollingDeployment, even from another copy of this library. */
  public static isRollingDeployment(x: unknown): x is RollingDeployment {
    return typeof x === 'object' && x !== null && DEPLOYMENT_SYMBOL in x;
  }

  /** The workload's name: of the Deployment, the container and every other object. */
  public readonly name: string;
  /** The namespace of every object, if any. */
  public readonly namespace?: string;
  /** The image it runs. */
  public readonly image: DeployableImage;
  /** What the main port speaks. */
  public readonly protocol: Protocol;
  /** The container's main port number (the image's unless overridden; unused with Protocol.NONE). */
  public readonly port: number;
  /** The user id the container runs as. */
  public readonly uid: number;
  /** The group id the container runs as. */
  public readonly gid: number;
  /** `kubernetes.io/arch` values the pods may run on; empty: any. */
  public readonly nodeArchitectures: readonly string[];
  /** Labels of every object and pod. */
  public readonly labels: Readonly<Record<string, string>>;
  /** The stable labels that select the pods (never the version). */
  public readonly selectorLabels: Readonly<Record<string, string>>;
  /** Desired pods; undefined when an autoscaler owns the count. */
  public readonly replicas?: number;
  /** The rollout strategy. */
  public readonly strategy: RolloutStrategy;
  /** The disruption budget. */
  public readonly disruptionBudget: DisruptionBudget;
  /**
   * Every setting, resolved: what the objects are rendered from.
   * @internal
   */
  public readonly spec: WorkloadSpec;
  /**
   * The rendered objects, as plain JSON.
   * @internal
   */
  public readonly manifests: WorkloadManifests;
  /** Name of the Deployment. */
  public readonly deploymentName: string;
  /** Name of the Service, if there is one. */
  public readonly serviceName?: string;
  /** Name of the pods' ServiceAccount, if not the namespace's default. */
  public readonly serviceAccountName?: string;
  /** Name of the PodDisruptionBudget, if there is one. */
  public readonly podDisruptionBudgetName?: string;
  /** The Deployment object (an escape hatch: `addJsonPatch`). */
  public readonly deployment: ApiObject;
  /** The Service object, unless nothing is on it (a worker). */
  public readonly service?: ApiObject;
  /** The ServiceAccount object, if goship writes one. */
  public readonly serviceAccount?: ApiObject;
  /** The PodDisruptionBudget object, if any. */
  public readonly podDisruptionBudget?: ApiObject;
  /** The HorizontalPodAutoscaler object, if any. */
  public readonly horizontalPodAutoscaler?: ApiObject;
  /** The Ingress object, if any. */
  public readonly ingress?: ApiObject;
  /** The HTTPRoute object, if any. */
  public readonly httpRoute?: ApiObject;
  /** The GRPCRoute object, if any. */
  public readonly grpcRoute?: ApiObject;
  /** The NetworkPolicy object, if any. */
  public readonly networkPolicy?: ApiObject;

  public constructor(scope: Construct, id: string, props: RollingDeploymentProps) {
    super(scope, id);
    Object.defineProperty(this, DEPLOYMENT_SYMBOL, { value: true });
    const resolved = validating(this.node.path, () => resolveWorkload(id, props, Chart.of(this).namespace));
    const spec = resolved.spec;
    this.spec = spec;
    this.name = spec.name;
    this.namespace = spec.namespace;
    this.image = props.image;
    this.protocol = resolved.protocol;
    this.port = resolved.port;
    this.uid = resolved.uid;
    this.gid = resolved.gid;
    this.nodeArchitectures = spec.nodeArchitectures;
    this.labels = spec.labels;
    this.selectorLabels = spec.selectorLabels;
    this.replicas = spec.replicas;
    this.strategy = resolved.strategy;
    this.disruptionBudget = resolved.disruptionBudget;

    const m = renderWorkload(spec);
    this.manifests = m;
    this.deploymentName = m.deployment.metadata.name;
    this.serviceName = m.service?.metadata.name;
    this.serviceAccountName = spec.serviceAccount?.name;
    this.podDisruptionBudgetName = m.podDisruptionBudget?.metadata.name;
    // In apply order: the ServiceAccount before the pods that use it.
    this.serviceAccount = apiObject(this, 'ServiceAccount', m.serviceAccount);
    this.deployment = apiObject(this, 'Deployment', m.deployment);
    this.service = apiObject(this, 'Service', m.service);
    this.podDisruptionBudget = apiObject(this, 'DisruptionBudget', m.podDisruptionBudget);
    this.horizontalPodAutoscaler = apiObject(this, 'Autoscaler', m.horizontalPodAutoscaler);
    this.ingress = apiObject(this, 'Ingress', m.ingress);
    this.httpRoute = apiObject(this, 'HttpRoute', m.httpRoute);
    this.grpcRoute = apiObject(this, 'GrpcRoute', m.grpcRoute);
    this.networkPolicy = apiObject(this, 'NetworkPolicy', m.networkPolicy);
  }
}

function apiObject<T extends KubeObject | undefined>(scope: Construct, id: string, object: T): T extends KubeObject ? ApiObject : ApiObject | undefined;
function apiObject(scope: Construct, id: string, object: KubeObject | undefined): ApiObject | undefined {
  // A deep copy, so an escape-hatch patch of the object never changes `manifests`.
  return object ? new ApiObject(scope, id, copyJson(object) as KubeObject) : undefined;
}
/**
 * A deep copy of rendered JSON data, as `JSON.parse(JSON.stringify(x))` makes it (undefined
 * properties dropped, undefined list items null) without the text in between: a quarter of
 * the construct time of thousands of deployments went into that round trip.
 */
function copyJson(value: unknown): unknown {
  if (Array.isArray(value)) {
    return value.map((v) => (v === undefined ? null : copyJson(v)));
  }
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (v !== undefined) {
        out[k] = copyJson(v);
      }
    }
    return out;
  }
  return value;
}
