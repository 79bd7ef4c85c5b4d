/**
 * `goship pin`: pin every image goship built to the digest it was pushed as, in the
 * synthesized YAML and in the pins file that the next synth reads.
 *
 * @packageDocumentation
 */
export { PINS_FILE, readPins, writePins } from './pins';
export type { ImagePin, Pins } from './pins';
export { INDEX_MEDIA_TYPES, pinOutput, pinsFromMetadata, readBakeTargets } from './pin-output';
export type { BuiltImageTarget, PinResult } from './pin-output';
export { pinsFromRegistry } from './registry-pins';
export { resolveDigest } from '../registry/distribution';
export type { ResolveOptions, ResolvedDigest } from '../registry/distribution';
export { credentialsFor, dockerConfigPath } from '../registry/docker-config';
export type { CredentialLookup, RegistryCredentials } from '../registry/docker-config';
