import { ApiObject, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { DeployableImage } from '../model/deployable-image';
import { validating } from '../model/errors';
import { KubeObject, renderWorkload, WorkloadManifests, WorkloadSpec, workloadNames } from '../render/workload';
import { SecretEnvSource } from './env';
import { ProbeTiming } from './probes';
import { ResourcesProps } from './resources';
import { ServiceType } from './service-type';
import { DisruptionBudget, RolloutStrategy } from './strategy';
import { resolveWorkload } from './workload-spec';

/*
 * Built on cdk8s `ApiObject`s holding what `renderWorkload()` returns, not on cdk8s-plus-27's
 * Deployment: that one cannot write seccompProfile, named probe and Service target ports,
 * topologySpreadConstraints, revisionHistoryLimit or ephemeral storage below 1Gi, and
 * defaults CPU and memory limits. Patching all that out would leave the real spec in JSON
 * patches; rendering it whole keeps it pure, deterministic and shared with the Pulumi backend.
 */

const DEPLOYMENT_SYMBOL = Symbol.for('goship.RollingDeployment');

/** Props of {@link RollingDeployment}. */
export interface RollingDeploymentProps {
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
   * Desired pods.
   * @default 2
   */
  readonly replicas?: number;
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
   * Path the readiness probe (and, unless `livenessPath` is set, the liveness and startup
   * probes) GETs on the `http` port.
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
   * Requests and limits.
   * @default - requests cpu 50m, memory 32Mi, ephemeral-storage 64Mi; limit memory 128Mi
   */
  readonly resources?: ResourcesProps;
  /**
   * Plain environment variables, written to the ConfigMap `<name>-env`. Names that look
   * secret (PASSWORD, TOKEN, API_KEY…) are refused: use `secretEnv`.
   * @default - none
   */
  readonly env?: Readonly<Record<string, string>>;
  /**
   * Environment variables read from keys of existing Secrets; no value is ever written.
   * @default - none
   * @example { API_SECRET_KEY: { secret: 'hello-api', key: 'api-key' } }
   */
  readonly secretEnv?: Readonly<Record<string, SecretEnvSource>>;
  /**
   * How the Service is reachable.
   * @default ServiceType.CLUSTER_IP
   */
  readonly serviceType?: ServiceType;
  /**
   * The Service's `http` port (it targets the container's `http` port by name).
   * @default 80
   */
  readonly servicePort?: number;
  /**
   * More named TCP ports, on the container and on the Service with the same number.
   * @default - none
   * @example { metrics: 9090 }
   */
  readonly extraPorts?: Readonly<Record<string, number>>;
  /**
   * The PodDisruptionBudget.
   * @default - DisruptionBudget.maxUnavailable(PodCount.absolute(1)) with more than one replica, else none
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
 * unavailable 0, HTTP probes on the named `http` port, restricted Pod Security, read-only
 * root with a writable `/tmp`), a ClusterIP Service, a ConfigMap for plain environment
 * variables and a PodDisruptionBudget. Names are clean and stable: `hello`, `hello-env`.
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

  /** The workload's name. */
  public readonly name: string;
  /** The namespace of every object, if any. */
  public readonly namespace?: string;
  /** The image it runs. */
  public readonly image: DeployableImage;
  /** The container port the probes and the Service target (named `http`). */
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
  /** Desired pods. */
  public readonly replicas: number;
  /** The rollout strategy. */
  public readonly strategy: RolloutStrategy;
  /** The disruption budget. */
  public readonly disruptionBudget: DisruptionBudget;
  /** Every setting, resolved: what the objects are rendered from. */
  public readonly spec: WorkloadSpec;
  /** The rendered objects, as plain JSON. */
  public readonly manifests: WorkloadManifests;
  /** Name of the Deployment. */
  public readonly deploymentName: string;
  /** Name of the Service. */
  public readonly serviceName: string;
  /** Name of the ConfigMap, if there are plain environment variables. */
  public readonly configMapName?: string;
  /** Name of the PodDisruptionBudget, if there is one. */
  public readonly podDisruptionBudgetName?: string;
  /** The Deployment object (an escape hatch: `addJsonPatch`). */
  public readonly deployment: ApiObject;
  /** The Service object. */
  public readonly service: ApiObject;
  /** The ConfigMap object, if any. */
  public readonly configMap?: ApiObject;
  /** The PodDisruptionBudget object, if any. */
  public readonly podDisruptionBudget?: ApiObject;

  public constructor(scope: Construct, id: string, props: RollingDeploymentProps) {
    super(scope, id);
    Object.defineProperty(this, DEPLOYMENT_SYMBOL, { value: true });
    const resolved = validating(this.node.path, () => resolveWorkload(id, props, Chart.of(this).namespace));
    const spec = resolved.spec;
    this.spec = spec;
    this.name = spec.name;
    this.namespace = spec.namespace;
    this.image = props.image;
    this.port = resolved.port;
    this.uid = resolved.uid;
    this.gid = resolved.gid;
    this.nodeArchitectures = spec.nodeArchitectures;
    this.labels = spec.labels;
    this.selectorLabels = spec.selectorLabels;
    this.replicas = spec.replicas;
    this.strategy = resolved.strategy;
    this.disruptionBudget = resolved.disruptionBudget;

    this.manifests = renderWorkload(spec);
    const names = workloadNames(spec.name);
    this.deploymentName = names.deployment;
    this.serviceName = names.service;
    // In apply order: the ConfigMap before the Deployment that reads it.
    if (this.manifests.configMap) {
      this.configMapName = names.configMap;
      this.configMap = apiObject(this, 'Env', this.manifests.configMap);
    }
    this.deployment = apiObject(this, 'Deployment', this.manifests.deployment);
    this.service = apiObject(this, 'Service', this.manifests.service);
    if (this.manifests.podDisruptionBudget) {
      this.podDisruptionBudgetName = names.podDisruptionBudget;
      this.podDisruptionBudget = apiObject(this, 'DisruptionBudget', this.manifests.podDisruptionBudget);
    }
  }
}

function apiObject(scope: Construct, id: string, object: KubeObject): ApiObject {
  // A deep copy, so an escape-hatch patch of the object never changes `manifests`.
  return new ApiObject(scope, id, copyJson(object) as KubeObject);
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
