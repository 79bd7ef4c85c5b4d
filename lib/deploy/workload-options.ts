import { DeployableImage } from '../model/deployable-image';
import { PropNames } from '../model/known-props';
import { AutoscalingOptions } from './autoscaling';
import { EmptyDirOptions, EnvFrom, FileSource } from './container';
import { EnvValue, SecretEnvSource } from './env';
import { NetworkPolicyOptions } from './network-policy';
import { ExtraContainerOptions, LifecycleOptions, Toleration } from './pod-fields';
import { ExtraPortOptions, Protocol } from './ports';
import { HealthCheck } from './probes';
import { ResourcesOptions } from './resources';
import { IngressOptions, RouteOptions } from './routes';
import { ServiceAccount } from './service-account';
import { ServiceType } from './service-type';
import { DisruptionBudget, RolloutStrategy } from './strategy';

/*
 * The props of every workload, grouped by concept. Each construct's props extend the groups it
 * uses (a RollingDeployment all of them, a Job the workload, container and pod ones), so the
 * user still writes one flat object, and each resolver takes its group as it is.
 */

/** What every workload is called and where it lives. */
export interface WorkloadOptions {
  /**
   * Name of the workload, its container and every object goship writes for it. A DNS-1035
   * label, because a Service may carry it.
   * @default - derived from the construct id: `HelloWeb` becomes `hello-web`
   */
  readonly name?: string;
  /**
   * Namespace of every object.
   * @default - the chart's namespace, else none (the one `kubectl` or the GitOps tool applies to)
   */
  readonly namespace?: string;
}

/** The main container: what it runs, what it reads, what it may use. */
export interface ContainerOptions {
  /**
   * The image to run: a `GoStaticImage`, or a plain object for an image goship did not
   * describe. Its reference, port, user, platforms and version are read from it; the image
   * is the one place they are declared.
   */
  readonly image: DeployableImage;
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
   * Requests and limits.
   * @default - requests cpu 50m, memory 32Mi, ephemeral-storage 64Mi; limit memory 128Mi
   */
  readonly resources?: ResourcesOptions;
  /**
   * Hooks of the main container. A RollingDeployment's own `preStop` sleep
   * (`preStopSleepSeconds`) gives way to a `preStop` set here.
   * @default - none
   */
  readonly lifecycle?: LifecycleOptions;
}

/** The pod around the container: identity, scheduling, metadata, more containers. */
export interface PodOptions {
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
   * Seconds between SIGTERM and SIGKILL. The process must finish or drain within it.
   * @default 30
   */
  readonly terminationGracePeriodSeconds?: number;
  /**
   * `kubernetes.io/arch` values the pods may be scheduled on: a subset of the image's platforms.
   * @default - the architectures of the image's platforms; any node if it lists none
   */
  readonly nodeArchitectures?: readonly string[];
  /** Secrets with registry credentials the kubelet pulls with. @default - none (the node's or the ServiceAccount's) */
  readonly imagePullSecrets?: readonly string[];
  /** @default - none */
  readonly tolerations?: readonly Toleration[];
  /** Node labels the pods need, e.g. `{ 'node.kubernetes.io/pool': 'batch' }`. @default - none */
  readonly nodeSelector?: Readonly<Record<string, string>>;
  /** Annotations of the pods (not of the workload). @default - none */
  readonly podAnnotations?: Readonly<Record<string, string>>;
  /** More labels of the pods; goship's selector labels cannot be changed. @default - none */
  readonly podLabels?: Readonly<Record<string, string>>;
  /** @default - none (the cluster's default priority) */
  readonly priorityClassName?: string;
  /** Containers run to completion, in order, before the main one starts (migrations, file setup). @default - none */
  readonly initContainers?: Readonly<Record<string, ExtraContainerOptions>>;
  /** Native sidecars (init containers with `restartPolicy: Always`, Kubernetes 1.29+): start before the main container, stop after it. @default - none */
  readonly sidecars?: Readonly<Record<string, ExtraContainerOptions>>;
}

/** How a service is reached: its ports, its Service, and the routes and policy in front of it. */
export interface ServiceOptions {
  /**
   * What the process speaks on its main port (the image's port): names the port (`http`,
   * `h2c`, `grpc`), sets the Service port's `appProtocol` and picks the default health check.
   * `Protocol.NONE` is a worker: no main port, no Service unless an extra port is on it.
   * @default Protocol.HTTP
   */
  readonly protocol?: Protocol;
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
  readonly ingress?: IngressOptions;
  /**
   * A Gateway API HTTPRoute to the main port.
   * @default - none
   */
  readonly httpRoute?: RouteOptions;
  /**
   * A Gateway API GRPCRoute to the main port (Protocol.GRPC).
   * @default - none
   */
  readonly grpcRoute?: RouteOptions;
  /**
   * A NetworkPolicy that admits only the listed peers.
   * @default - none: the namespace's policies apply
   */
  readonly networkPolicy?: NetworkPolicyOptions;
}

/** How many pods run, how they are checked, replaced and protected from evictions. */
export interface RolloutOptions {
  /**
   * How the probes ask for health, and how often: the one place for the readiness, liveness
   * and startup probes' action and timings.
   * @default - HealthCheck.http() (GET /health on the main port) for HTTP and h2c; HealthCheck.grpc() for Protocol.GRPC; required for Protocol.NONE
   * @example HealthCheck.http({ path: '/readyz', livenessPath: '/livez', startup: { failureThreshold: 60 } })
   */
  readonly health?: HealthCheck;
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
  readonly autoscaling?: AutoscalingOptions;
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
   * The PodDisruptionBudget. Checked against `autoscaling.minReplicas` when autoscaling.
   * @default - DisruptionBudget.maxUnavailable(PodCount.absolute(1)) with more than one replica (or minReplicas), else none
   */
  readonly disruptionBudget?: DisruptionBudget;
}

/** The names of each group, for the constructs' known-props lists. */
export const WORKLOAD_OPTIONS: PropNames<WorkloadOptions> = { name: true, namespace: true };
/** The names of {@link ContainerOptions}. */
export const CONTAINER_OPTIONS: PropNames<ContainerOptions> = {
  image: true, command: true, args: true, env: true, secretEnv: true, envFrom: true, files: true, emptyDirs: true, resources: true, lifecycle: true,
};
/** The names of {@link PodOptions}. */
export const POD_OPTIONS: PropNames<PodOptions> = {
  serviceAccount: true,
  automountServiceAccountToken: true,
  terminationGracePeriodSeconds: true,
  nodeArchitectures: true,
  imagePullSecrets: true,
  tolerations: true,
  nodeSelector: true,
  podAnnotations: true,
  podLabels: true,
  priorityClassName: true,
  initContainers: true,
  sidecars: true,
};
/** The names of {@link ServiceOptions}. */
export const SERVICE_OPTIONS: PropNames<ServiceOptions> = {
  protocol: true, serviceType: true, servicePort: true, extraPorts: true, ingress: true, httpRoute: true, grpcRoute: true, networkPolicy: true,
};
/** The names of {@link RolloutOptions}. */
export const ROLLOUT_OPTIONS: PropNames<RolloutOptions> = {
  health: true,
  replicas: true,
  autoscaling: true,
  strategy: true,
  minReadySeconds: true,
  progressDeadlineSeconds: true,
  revisionHistoryLimit: true,
  preStopSleepSeconds: true,
  disruptionBudget: true,
};

/**
 * Props of 0.1 that 0.2 removed, and what replaces each: a user who still passes one is told
 * the replacement instead of a near-miss guess.
 */
export const REMOVED_PROPS: Readonly<Record<string, string>> = {
  healthPath: "health: HealthCheck.http({ path: '/health' })",
  livenessPath: "health: HealthCheck.http({ path: '/readyz', livenessPath: '/livez' })",
  readinessProbe: 'the readiness timings of the health check: health: HealthCheck.http({ readiness: { periodSeconds: 5 } })',
  livenessProbe: 'the liveness timings of the health check: health: HealthCheck.http({ liveness: { failureThreshold: 3 } })',
  startupProbe: 'the startup timings of the health check: health: HealthCheck.http({ startup: { failureThreshold: 30 } })',
  port: "the image's port (GoStaticImage `port`, or `port` of a plain image object): the image is the one place it is declared",
  runAsUser: "the image's user (GoStaticImage `user`, or `uid` of a plain image object): the image is the one place it is declared",
  runAsGroup: "the image's group (GoStaticImage `user: 'uid:gid'`, or `gid` of a plain image object): the image is the one place it is declared",
};
