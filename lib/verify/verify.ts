import { BuildInfoError, GoBuildInfo, readGoBuildInfo } from '../inspect/buildinfo';
import { ElfError, ElfInfo, nonLinuxOsAbi, readElf } from '../inspect/elf';
import { Platform } from '../model/platform';
import { runtimeHasLibrary } from './runtime-libraries';

/** One problem found in a binary or image. */
export interface VerifyFinding {
  /** `error`: it will not run as intended; `warning`: it runs, but should be looked at. */
  readonly severity: 'error' | 'warning';
  /** Stable identifier, e.g. `dynamically-linked`, `wrong-arch`, `runs-as-root`. */
  readonly code: string;
  /** What is wrong, what will happen, and how to fix it. */
  readonly message: string;
}

/** What {@link verifyBinary} found. */
export interface VerifyReport {
  /** True when there is no finding of severity `error`. */
  readonly ok: boolean;
  /** Problems, errors first. */
  readonly findings: readonly VerifyFinding[];
  /** The ELF facts, when the input is ELF. */
  readonly elf?: ElfInfo;
  /** The Go build info, when the binary has one. */
  readonly buildInfo?: GoBuildInfo;
}

/**
 * The base image a binary will run in, which decides whether a dynamically linked binary
 * can start: `scratch` and `distroless` (gcr.io/distroless/static) have no loader at all,
 * `alpine` has musl's, `distroless-base` (base-debian12) and `debian` (debian:12) have
 * glibc's. Each `DT_NEEDED` library is checked against what the base holds.
 */
export type VerifyRuntime = 'scratch' | 'distroless' | 'distroless-base' | 'alpine' | 'debian';

/** The runtime bases {@link verifyBinary} knows, for argument checking. */
export const VERIFY_RUNTIMES: readonly VerifyRuntime[] = ['scratch', 'distroless', 'distroless-base', 'alpine', 'debian'];

/** Options of {@link verifyBinary}. */
export interface VerifyBinaryOptions {
  /**
   * The platform the binary must run on.
   *
   * @default - no architecture check
   */
  readonly platform?: Platform;
  /**
   * The base image it will run in.
   *
   * @default 'scratch'
   */
  readonly runtime?: VerifyRuntime;
  /**
   * Where it sits in the container, for messages.
   *
   * @default '/app'
   */
  readonly path?: string;
  /**
   * What the image provides, when known (as {@link verifyImage} knows it): whether a
   * loader path or a library exists in the image. Overrides `runtime`.
   *
   * @default - decided by `runtime`
   */
  readonly provides?: { readonly file: (path: string) => boolean; readonly library: (name: string) => boolean };
}

/**
 * Checks a binary will start in a minimal Linux container: it is a Linux ELF executable, for
 * the requested architecture, and statically linked (or its loader is in the runtime base).
 * Reads the bytes only; never runs it.
 *
 * @example
 * const report = verifyBinary(fs.readFileSync('app'), { platform: Platform.LINUX_ARM64 });
 * if (!report.ok) console.error(report.findings.map((f) => f.message).join('\n'));
 */
export function verifyBinary(buf: Uint8Array, opts: VerifyBinaryOptions = {}): VerifyReport {
  const findings: VerifyFinding[] = [];
  const path = opts.path ?? '/app';
  let elf: ElfInfo;
  try {
    elf = readElf(buf);
  } catch (e) {
    if (e instanceof ElfError) {
      return toReport([errorFinding('not-elf', `${path} is not a Linux executable: ${e.message} — a container needs a static Linux ELF binary; build with GOOS=linux CGO_ENABLED=0`)]);
    }
    throw e;
  }
  let buildInfo: GoBuildInfo | undefined;
  try {
    buildInfo = readGoBuildInfo(buf, elf);
    if (!buildInfo) {
      findings.push(warningFinding('no-go-build-info', `${path} has no Go build info: it is not a Go binary, or its build info was removed; the checks that need it (CGO_ENABLED, GOOS, GOARM) were skipped`));
    }
  } catch (e) {
    if (!(e instanceof BuildInfoError)) {
      throw e;
    }
    findings.push(warningFinding('go-build-info-unreadable', `${path}: ${e.message}`));
  }
  const settings = buildInfo?.settings ?? {};

  const otherOs = nonLinuxOsAbi(elf.osAbi) ?? (settings.GOOS && settings.GOOS !== 'linux' ? `GOOS=${settings.GOOS}` : undefined);
  if (otherOs) {
    findings.push(errorFinding('not-linux', `${path} is built for ${otherOs}, not Linux — it will fail with \`exec format error\`; build with GOOS=linux`));
  }
  if (elf.type !== 'EXEC' && elf.type !== 'DYN') {
    findings.push(errorFinding('not-executable', `${path} is an ELF ${elf.type} file, not an executable — build it with \`go build\``));
  }
  checkArch(elf, settings, path, opts.platform, findings);
  checkLinking(elf, settings, path, opts, findings);
  return toReport(findings, elf, buildInfo);
}

/** Builds a report: errors first, `ok` when there are none. */
export function toReport(findings: readonly VerifyFinding[], elf?: ElfInfo, buildInfo?: GoBuildInfo): VerifyReport {
  const sorted = [...findings].sort((a, b) => (a.severity === b.severity ? 0 : a.severity === 'error' ? -1 : 1));
  return { ok: !sorted.some((f) => f.severity === 'error'), findings: sorted, elf, buildInfo };
}

/** An `error` finding. */
export function errorFinding(code: string, message: string): VerifyFinding {
  return { severity: 'error', code, message };
}

/** A `warning` finding. */
export function warningFinding(code: string, message: string): VerifyFinding {
  return { severity: 'warning', code, message };
}

/** `linux/arm64`-style name of what the ELF header says, for messages. */
export function describeElfPlatform(elf: ElfInfo): string {
  const layout = `${elf.bits}-bit ${elf.endian}-endian`;
  return elf.arch ? `linux/${elf.arch} (${layout})` : `ELF machine ${elf.machine} (${layout}), which Go does not target on Linux`;
}

function checkArch(elf: ElfInfo, settings: Readonly<Record<string, string>>, path: string, platform: Platform | undefined, findings: VerifyFinding[]): void {
  if (!elf.arch) {
    findings.push(errorFinding('unknown-arch', `${path} is for ${describeElfPlatform(elf)} — build it with GOARCH set to the node's architecture`));
    return;
  }
  if (settings.GOARCH && settings.GOARCH !== elf.arch) {
    findings.push(warningFinding('go-build-info-mismatch', `${path}: the ELF header says ${elf.arch} but the build info says GOARCH=${settings.GOARCH}`));
  }
  if (!platform) {
    return;
  }
  if (platform.arch !== elf.arch) {
    findings.push(errorFinding('wrong-arch', `${path} is built for ${describeElfPlatform(elf)}, but the platform is ${platform} — it will fail with \`exec format error\`; build with ${goEnvText(platform)}`));
    return;
  }
  const level = (v?: string): number | undefined => (v ? Number(v.replace(/^v/, '')) : undefined);
  if (elf.arch === 'arm' && settings.GOARM) {
    const wanted = level(platform.variant) ?? 7;
    if (Number(settings.GOARM) > wanted) {
      findings.push(errorFinding('arm-variant', `${path} is built with GOARM=${settings.GOARM}, but the platform is ${platform} — ARMv${wanted} CPUs stop it with \`illegal instruction\`; build with GOARM=${wanted}`));
    }
  }
  if (elf.arch === 'amd64' && settings.GOAMD64) {
    const wanted = level(platform.variant) ?? 1;
    if ((level(settings.GOAMD64) ?? 1) > wanted) {
      findings.push(warningFinding('amd64-level', `${path} is built with GOAMD64=${settings.GOAMD64}, but the platform is ${platform} — older x86-64 CPUs stop it with \`illegal instruction\`; build with GOAMD64=v${wanted} or declare linux/amd64/${settings.GOAMD64}`));
    }
  }
}

function checkLinking(elf: ElfInfo, settings: Readonly<Record<string, string>>, path: string, opts: VerifyBinaryOptions, findings: VerifyFinding[]): void {
  const cgo = settings.CGO_ENABLED === '1';
  if (!elf.dynamic) {
    if (cgo) {
      findings.push(warningFinding('cgo-enabled', `${path} is statically linked but was built with CGO_ENABLED=1: C code linked statically (glibc's NSS and DNS in particular) can misbehave at run time; prefer CGO_ENABLED=0`));
    }
    return;
  }
  const loader = elf.interpreter;
  const libs = elf.needed.length ? ` (${elf.needed.join(', ')})` : '';
  const needs = loader ? `${loader}${libs}` : `the dynamic loader${libs}`;
  const runtime = opts.runtime ?? 'scratch';
  const where = opts.provides ? 'this image' : `a ${runtime} image`;
  const missing = missingPieces(elf, runtime, opts.provides);
  const why = cgo
    ? 'build with CGO_ENABLED=0'
    : settings['-buildmode'] === 'pie' || elf.type === 'DYN'
      ? 'build without -buildmode=pie, with CGO_ENABLED=0'
      : 'build with CGO_ENABLED=0';
  if (missing.loader) {
    findings.push(errorFinding('dynamically-linked',
      `dynamically linked: needs ${needs} — it will fail in ${where} with \`exec ${path}: no such file or directory\`` +
      `${opts.provides ? ` (missing: ${[missing.loader, ...missing.libraries].join(', ')})` : ''} — ${why}`));
  } else if (missing.libraries.length > 0) {
    findings.push(errorFinding('missing-library',
      `dynamically linked: needs ${needs}, and ${where} lacks ${missing.libraries.join(', ')} — the loader stops it with ` +
      `\`error while loading shared libraries: ${missing.libraries[0]}: cannot open shared object file\`` +
      ` — install ${missing.libraries.length === 1 ? 'it' : 'them'} in the image and verify the image, or ${why}`));
  } else {
    findings.push(warningFinding('dynamically-linked',
      `dynamically linked: needs ${needs}, which ${where} provides — it starts, but depends on the image's C library; ${why} for a static binary`));
  }
}

/**
 * What a dynamic binary needs that the runtime base lacks: the loader (`PT_INTERP`, or a C
 * library when there is none) and the `DT_NEEDED` libraries, from the image's own layers or
 * from what the named base holds.
 */
function missingPieces(elf: ElfInfo, runtime: VerifyRuntime, provides: VerifyBinaryOptions['provides']): { loader?: string; libraries: string[] } {
  const loader = elf.interpreter;
  if (provides) {
    return {
      ...(loader && !provides.file(loader) ? { loader } : {}),
      libraries: elf.needed.filter((lib) => !provides.library(lib)),
    };
  }
  const musl = loader !== undefined && loader.includes('ld-musl');
  const hasLoader = runtime === 'alpine' ? musl : runtime === 'debian' || runtime === 'distroless-base' ? !musl : false;
  if (!hasLoader) {
    return { loader: loader ?? 'a C library', libraries: elf.needed.filter((lib) => !runtimeHasLibrary(runtime, lib)) };
  }
  return { libraries: elf.needed.filter((lib) => !runtimeHasLibrary(runtime, lib)) };
}

function goEnvText(platform: Platform): string {
  return ['CGO_ENABLED=0', ...Object.entries(platform.goEnv()).map(([k, v]) => `${k}=${v}`)].join(' ');
}
