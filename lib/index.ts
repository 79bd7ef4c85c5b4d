/**
 * goship: ship a Go service as a static, non-root, multi-arch image and roll it out on
 * Kubernetes without downtime. The constructs, their props and their choice classes.
 *
 * Each concern beyond the constructs has its own entry point: `goship/policy` (goship check),
 * `goship/verify` (goship verify), `goship/sbom`, `goship/pin`, `goship/pulumi` and
 * `goship/cdk8s-plus`.
 *
 * @packageDocumentation
 */

// The app: synthesizes charts, Dockerfiles and the bake file, atomically.
export { GoshipApp } from './app/goship-app';
export type { GoshipAppProps, ChartManifest } from './app/goship-app';

// The image.
export { GoStaticImage } from './image/go-static-image';
export type { GoStaticImageProps } from './image/go-static-image-props';
export type { ModuleAccessProps } from './image/module-access';
export type { ModuleLayout } from './image/module-layout';
export { RuntimeBase } from './image/runtime-base';
export type { RuntimeBaseOptions } from './image/runtime-base';
export { ImageTag } from './image/image-tag';
export { BuildSecret } from './image/build-secret';
export type { BuildSecretOptions, BuildSecretSource } from './image/build-secret';
export { DockerfileSyntax } from './image/dockerfile-syntax';
export { LinkValue } from './image/go-build';
export type { TimeZoneData } from './render/dockerfile';

// The workload.
export { RollingDeployment } from './deploy/rolling-deployment';
export type { RollingDeploymentProps } from './deploy/rolling-deployment';
export type { ContainerOptions, PodOptions, RolloutOptions, ServiceOptions, WorkloadOptions } from './deploy/workload-options';
export { Job } from './deploy/job';
export type { JobProps } from './deploy/job';
export { CronJob } from './deploy/cron-job';
export type { CronJobProps } from './deploy/cron-job';
export { ConcurrencyPolicy, RestartPolicy } from './deploy/job-options';
export type { CronJobOptions, JobOptions } from './deploy/job-options';
export type { AutoscalingOptions } from './deploy/autoscaling';
export { EnvFrom, FileSource } from './deploy/container';
export type { EmptyDirOptions, EnvFromOptions, FileSourceOptions } from './deploy/container';
export { EnvValue } from './deploy/env';
export type { SecretEnvSource } from './deploy/env';
export { NetworkPeer } from './deploy/network-policy';
export type { NetworkPolicyOptions } from './deploy/network-policy';
export { Protocol } from './deploy/ports';
export type { ExtraPortOptions } from './deploy/ports';
export { HealthCheck } from './deploy/probes';
export type { GrpcHealthOptions, HealthTimingOptions, HttpHealthOptions, ProbeTimingOptions, TcpHealthOptions } from './deploy/probes';
export { ResourceLimits } from './deploy/resources';
export type { ResourceLimitsOptions, ResourcesOptions } from './deploy/resources';
export type { IngressOptions, ParentRef, RouteOptions } from './deploy/routes';
export { LifecycleAction } from './deploy/pod-fields';
export type { ExtraContainerOptions, LifecycleOptions, Toleration } from './deploy/pod-fields';
export { ServiceAccount, WorkloadIdentity } from './deploy/service-account';
export type { CreateServiceAccountOptions } from './deploy/service-account';
export { ServiceType } from './deploy/service-type';
export { DisruptionBudget, PodCount, RolloutStrategy } from './deploy/strategy';
export type { RollingUpdateOptions } from './deploy/strategy';

// Shared by both constructs.
export { ValidationError } from './model/errors';
export type { ValidationErrorDetails } from './model/errors';
export { Platform } from './model/platform';
export type { ArchFacts } from './model/platform';
export type { DeployableImage } from './model/deployable-image';
