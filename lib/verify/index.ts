/**
 * `goship verify`: will this binary or image start as a static, non-root Go program? Reads the
 * ELF headers, the Go build info and the image's layers; runs nothing.
 *
 * @packageDocumentation
 */
export { VERIFY_RUNTIMES, verifyBinary } from './verify';
export type { VerifyBinaryOptions, VerifyFinding, VerifyReport, VerifyRuntime } from './verify';
export { verifyImage } from './image';
export type { ImageReport, ImageVerifyReport, VerifyImageOptions } from './image';
export { ElfError, readElf } from '../inspect/elf';
export type { ElfInfo, ElfSection, ElfSegment } from '../inspect/elf';
export { BuildInfoError, readGoBuildInfo } from '../inspect/buildinfo';
export type { GoBuildInfo, GoModule } from '../inspect/buildinfo';
export type { ImageFormat } from '../inspect/image-source';
