export * from './build';
export * from './image';
export * from './layer';
export * from './publish';
export * from './publisher';
export * from './resolver';
export * from '../image/publish-plan';
export type { BlobOutcome, RegistryRepoOptions } from '../registry/push';
export type { CredentialLookup, RegistryCredentials } from '../registry/docker-config';
