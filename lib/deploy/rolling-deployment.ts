import { ApiObject, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { DeployableImage } from '../model/deployable-image';
import { validating } from '../model/errors';
import { renderWorkload, WorkloadManifests, WorkloadSpec } from '../render/workload';
import { apiObject } from './api-object';
import { Protocol } from './ports';
import { resolveWorkload } from './resolve-workload';
import { DisruptionBudget, RolloutStrategy } from './strategy';
import { ContainerOptions, PodOptions, RolloutOptions, ServiceOptions, WorkloadOptions } from './workload-options';

/*
 * Built on cdk8s `ApiObject`s holding what `renderWorkload()` returns, not on cdk8s-plus-27's
 * Deployment: that one cannot write seccompProfile, named probe and Service target ports,
 * topologySpreadConstraints, revisionHistoryLimit or ephemeral storage below 1Gi, and
 * defaults CPU and memory limits. Patching all that out would leave the real spec in JSON
 * patches; rendering it whole keeps it pure, deterministic and shared with the Pulumi backend.
 */

const DEPLOYMENT_SYMBOL = Symbol.for('goship.RollingDeployment');

/**
 * Props of {@link RollingDeployment}: one flat object, grouped by concept. The image is the
 * one place the port, user and platforms are declared; health is one prop, `health`, with the
 * action and the timings of every probe.
 */
export interface RollingDeploymentProps extends WorkloadOptions, ContainerOptions, PodOptions, ServiceOptions, RolloutOptions {}

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
  /** The container's main port number: the image's (unused with Protocol.NONE). */
  public readonly port: number;
  /** The user id the container runs as: the image's. */
  public readonly uid: number;
  /** The group id the container runs as: the image's. */
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
