/**
 * The Pulumi backend: one component that builds (or looks up) every image of a goship app and
 * applies its Kubernetes objects, the same objects the YAML path writes.
 *
 * @packageDocumentation
 */
export { GoshipDeployment } from './goship-deployment';
export type { GoshipDeploymentArgs, ServiceRef } from './goship-deployment';
export type { ImageBuildOptions } from './image-build';
export type { KubernetesResource } from './kubernetes-objects';
export type { PrebuiltLookup } from './prebuilt-image';
export { registryFromConfig } from './registry-login';
export type { RegistryLogin, StackRegistry } from './registry-login';
