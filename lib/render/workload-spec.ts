/**
 * The resolved shape of a goship workload: every value the renderers read, defaults applied
 * and checked by the construct. Plain data, shared by both backends.
 */

/** The label goship writes as `app.kubernetes.io/managed-by`. */
export const MANAGED_BY = 'goship';

/** What a probe asks: an HTTP GET, a gRPC health check or a TCP connect. */
export type ProbeAction =
  | { readonly kind: 'http'; readonly path: string; readonly port: string }
  | { readonly kind: 'grpc'; readonly port: number; readonly service?: string }
  | { readonly kind: 'tcp'; readonly port: string };

/** A probe: what it asks and how often. */
export interface ProbeSpec {
  readonly action: ProbeAction;
  readonly initialDelaySeconds: number;
  readonly periodSeconds: number;
  readonly timeoutSeconds: number;
  readonly failureThreshold: number;
}

/** A named TCP port of the container, and of the Service unless `servicePort` is absent. */
export interface PortSpec {
  readonly name: string;
  readonly containerPort: number;
  /** Absent: the port stays off the Service. */
  readonly servicePort?: number;
  /** The Service port's `appProtocol`, if any. */
  readonly appProtocol?: string;
}

/** A key of an existing Secret. */
export interface SecretKeySpec {
  readonly secret: string;
  readonly key: string;
  readonly optional: boolean;
}

/** Every key of an existing ConfigMap or Secret as environment variables. */
export interface EnvFromSpec {
  readonly kind: 'configMap' | 'secret';
  readonly name: string;
  readonly prefix?: string;
  readonly optional: boolean;
}

/** Files from a ConfigMap or Secret, mounted read-only. */
export interface FileMountSpec {
  /** The volume's name in the pod. */
  readonly volume: string;
  readonly mountPath: string;
  readonly kind: 'configMap' | 'secret';
  readonly source: string;
  /** Empty: every key, as a file named after it. */
  readonly items: readonly { readonly key: string; readonly path: string }[];
  readonly defaultMode: number;
  readonly optional: boolean;
}

/** A writable `emptyDir` with a size limit. */
export interface EmptyDirSpec {
  readonly volume: string;
  readonly mountPath: string;
  readonly sizeLimit: string;
  readonly inMemory: boolean;
}

/** The pods' ServiceAccount. */
export interface ServiceAccountSpec {
  readonly name: string;
  /** True: goship writes the ServiceAccount; false: it exists already. */
  readonly create: boolean;
  readonly annotations: Readonly<Record<string, string>>;
}

/** An autoscaling/v2 HorizontalPodAutoscaler over the Deployment. */
export interface AutoscalingSpec {
  readonly minReplicas: number;
  readonly maxReplicas: number;
  readonly cpuUtilization?: number;
  readonly memoryUtilization?: number;
  readonly scaleDownStabilizationSeconds: number;
}

/** A networking.k8s.io/v1 Ingress to the Service's main port. */
export interface IngressSpec {
  readonly className?: string;
  readonly hosts: readonly string[];
  readonly paths: readonly string[];
  readonly tlsSecret?: string;
  /** The Service port's name. */
  readonly port: string;
}

/** A Gateway API parent: the Gateway (and listener) a route attaches to. */
export interface ParentRefSpec {
  readonly name: string;
  readonly namespace?: string;
  readonly sectionName?: string;
}

/** A Gateway API HTTPRoute or GRPCRoute to the Service's main port. */
export interface RouteSpec {
  readonly parentRefs: readonly ParentRefSpec[];
  readonly hostnames: readonly string[];
  /** Path prefixes; HTTPRoute only, empty for a GRPCRoute. */
  readonly paths: readonly string[];
  /** The Service port number (routes reference ports by number). */
  readonly port: number;
}

/** Who a NetworkPolicy rule admits: pods (by labels) in a namespace, or every pod of a namespace. */
export interface PeerSpec {
  /** The namespace's `kubernetes.io/metadata.name`; absent: the workload's own namespace. */
  readonly namespace?: string;
  /** Absent: every pod of the namespace. */
  readonly podLabels?: Readonly<Record<string, string>>;
}

/** One ingress rule: these peers may reach these container ports. */
export interface NetworkRuleSpec {
  readonly ports: readonly string[];
  readonly from: readonly PeerSpec[];
}

/**
 * The pod of a workload, resolved and validated: what {@link renderPodSpec} writes, for a
 * Deployment's template as for a Job's.
 */
export interface PodTemplateSpec {
  /** Name of the workload and its objects, and of the main container. */
  readonly name: string;
  readonly namespace?: string;
  /** Labels of every object and of the pods. */
  readonly labels: Readonly<Record<string, string>>;
  /** Labels only the pods carry (workload identity webhooks select on them). */
  readonly podLabels: Readonly<Record<string, string>>;
  /** Annotations of the pods. */
  readonly podAnnotations?: Readonly<Record<string, string>>;
  /** More pod spec fields (imagePullSecrets, tolerations, nodeSelector, priorityClassName), as JSON. */
  readonly podFields?: Readonly<Record<string, unknown>>;
  /** More fields of the main container (lifecycle), as JSON. */
  readonly containerFields?: Readonly<Record<string, unknown>>;
  /** Init containers and native sidecars, as JSON, complete. */
  readonly initContainers?: readonly Readonly<Record<string, unknown>>[];
  /** The stable subset of `labels` that selects the pods. */
  readonly selectorLabels: Readonly<Record<string, string>>;
  readonly imageRef: string;
  /** Absent: the image's entrypoint. */
  readonly command?: readonly string[];
  /** Absent: the image's arguments. */
  readonly args?: readonly string[];
  /** The main port first (if the workload serves), then the extra ports by name. */
  readonly ports: readonly PortSpec[];
  /** Absent: no probes (a run-to-completion pod). */
  readonly readinessProbe?: ProbeSpec;
  readonly livenessProbe?: ProbeSpec;
  readonly startupProbe?: ProbeSpec;
  readonly terminationGracePeriodSeconds: number;
  /** 0: no preStop hook. */
  readonly preStopSleepSeconds: number;
  /**
   * `OnFailure` or `Never`: a run-to-completion pod (a Job's), which gets no topology spread.
   * Absent: a long-running pod (the API default, `Always`).
   */
  readonly restartPolicy?: 'OnFailure' | 'Never';
  readonly runAsUser: number;
  readonly runAsGroup: number;
  readonly requests: Readonly<Record<string, string>>;
  /** Empty: no limits. */
  readonly limits: Readonly<Record<string, string>>;
  readonly tmpSizeLimit: string;
  /** Plain values, written inline in the pod template. */
  readonly env: Readonly<Record<string, string>>;
  readonly secretEnv: Readonly<Record<string, SecretKeySpec>>;
  readonly envFrom: readonly EnvFromSpec[];
  readonly files: readonly FileMountSpec[];
  readonly emptyDirs: readonly EmptyDirSpec[];
  /** Absent: the namespace's `default` ServiceAccount. */
  readonly serviceAccount?: ServiceAccountSpec;
  readonly automountServiceAccountToken: boolean;
  /** `kubernetes.io/arch` values; empty: any node. */
  readonly nodeArchitectures: readonly string[];
}

/** Everything a RollingDeployment is made of, resolved and validated. */
export interface WorkloadSpec extends PodTemplateSpec {
  /** Absent: an autoscaler owns the count. */
  readonly replicas?: number;
  readonly maxSurge: number | string;
  readonly maxUnavailable: number | string;
  readonly minReadySeconds: number;
  readonly progressDeadlineSeconds: number;
  readonly revisionHistoryLimit: number;
  readonly readinessProbe: ProbeSpec;
  readonly livenessProbe: ProbeSpec;
  readonly startupProbe: ProbeSpec;
  /** `ClusterIP`, `NodePort` or `LoadBalancer`. */
  readonly serviceType: string;
  /** The PodDisruptionBudget's one field, or none. */
  readonly disruptionBudget?: { readonly maxUnavailable: number | string } | { readonly minAvailable: number | string };
  readonly autoscaling?: AutoscalingSpec;
  readonly ingress?: IngressSpec;
  readonly httpRoute?: RouteSpec;
  readonly grpcRoute?: RouteSpec;
  /** Absent: no NetworkPolicy. */
  readonly networkPolicy?: readonly NetworkRuleSpec[];
}

/** A batch/v1 Job's own fields, around its pod. */
export interface JobSpec extends PodTemplateSpec {
  readonly restartPolicy: 'OnFailure' | 'Never';
  readonly backoffLimit: number;
  readonly completions: number;
  readonly parallelism: number;
  /** Absent: no deadline. */
  readonly activeDeadlineSeconds?: number;
  /** Absent: the finished Job is kept. */
  readonly ttlSecondsAfterFinished?: number;
}

/** A batch/v1 CronJob: a schedule around a Job. */
export interface CronJobSpec {
  readonly job: JobSpec;
  readonly schedule: string;
  /** An IANA time zone name; absent: the controller's. */
  readonly timeZone?: string;
  readonly concurrencyPolicy: 'Allow' | 'Forbid' | 'Replace';
  /** Absent: no deadline. */
  readonly startingDeadlineSeconds?: number;
  readonly successfulJobsHistoryLimit: number;
  readonly failedJobsHistoryLimit: number;
  readonly suspend: boolean;
}

/** A Kubernetes object as plain JSON. */
export interface KubeObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly labels?: Readonly<Record<string, string>>; readonly annotations?: Readonly<Record<string, string>> };
  readonly [field: string]: unknown;
}
