/**
 * `goship sbom`: SPDX 2.3 and CycloneDX documents from a Go binary's build info, for a binary
 * or an image.
 *
 * @packageDocumentation
 */
export { goPurl, sbomSubject } from './subject';
export type { SbomFile, SbomPackage, SbomSubject, SbomSubjectOptions } from './subject';
export { renderSpdx } from './spdx';
export { renderCycloneDx } from './cyclonedx';
export { readSbomSubject } from './read';
export type { ReadSbomOptions } from './read';
export type { GoBuildInfo, GoModule } from '../inspect/buildinfo';
