import { createHash } from 'crypto';
import { GoBuildInfo, GoModule } from '../inspect/buildinfo';

/**
 * What an SBOM describes, in one neutral shape both formats render: the Go program (its main
 * module), every module linked in, the Go standard library, and for an image the image and the
 * runtime files next to the binary.
 */

/** One package: a Go module, the standard library, or the image. */
export interface SbomPackage {
  /** A stable id within the document, e.g. `go-module-golang.org-x-net`. */
  readonly id: string;
  readonly name: string;
  readonly version?: string;
  /** `pkg:golang/…` (or `pkg:oci/…` for an image). */
  readonly purl?: string;
  /** SHA-256 as hex: for a module, Go's `h1:` hash decoded (the dirhash of its files). */
  readonly sha256?: string;
  /** The `h1:…` go.sum hash as Go wrote it. */
  readonly goSum?: string;
  readonly purpose: 'application' | 'library' | 'container';
}

/** A file the image carries for the program at run time (CA roots, zoneinfo, passwd). */
export interface SbomFile {
  /** Absolute path in the image, e.g. `/etc/ssl/certs/ca-certificates.crt`. */
  readonly path: string;
  readonly sha1: string;
  readonly sha256: string;
}

/** Everything an SBOM says. */
export interface SbomSubject {
  /** The document's name: the main package path, or the image. */
  readonly name: string;
  /** The program's main module. */
  readonly main: SbomPackage;
  /** Modules linked in, sorted by path. */
  readonly dependencies: readonly SbomPackage[];
  /** The Go standard library at the toolchain's version (`pkg:golang/stdlib@1.19.8`), as scanners look it up. */
  readonly stdlib: SbomPackage;
  /** The image, when an image was read. */
  readonly image?: SbomPackage;
  /** Runtime files in the image, sorted by path. */
  readonly files: readonly SbomFile[];
  /** SHA-256 of the binary: names the document, so the same binary gives the same document. */
  readonly binarySha256: string;
  /**
   * The document's creation time: the commit time Go recorded (`vcs.time`), else
   * `SOURCE_DATE_EPOCH`, else the Unix epoch; never the clock, so the same binary gives the same bytes.
   */
  readonly created: string;
}

/** Options of {@link sbomSubject}. */
export interface SbomSubjectOptions {
  /** The image the binary came from. @default - a plain binary */
  readonly image?: { readonly name: string; readonly digest?: string; readonly files: readonly SbomFile[] };
  /** `SOURCE_DATE_EPOCH`, seconds. @default - from the environment */
  readonly sourceDateEpoch?: string;
}

/**
 * The SBOM subject of a Go binary's build info.
 *
 * @param binary the binary's bytes (hashed, never stored)
 * @example
 * const subject = sbomSubject(bytes, readGoBuildInfo(bytes)!);
 */
export function sbomSubject(binary: Uint8Array, info: GoBuildInfo, options: SbomSubjectOptions = {}): SbomSubject {
  const binarySha256 = createHash('sha256').update(binary).digest('hex');
  const mainPath = info.main?.path ?? info.path ?? 'command-line-arguments';
  const mainVersion = info.main && info.main.version !== '(devel)' ? info.main.version : undefined;
  const main: SbomPackage = {
    id: `go-module-${idPart(mainPath)}`,
    name: mainPath,
    version: mainVersion ?? info.main?.version,
    purl: goPurl(mainPath, mainVersion),
    sha256: binarySha256,
    purpose: 'application',
  };
  const dependencies = info.deps
    .map(moduleLinked)
    .sort((a, b) => a.path.localeCompare(b.path))
    .map((m): SbomPackage => ({
      id: `go-module-${idPart(m.path)}`,
      name: m.path,
      version: m.version || undefined,
      purl: goPurl(m.path, m.version || undefined),
      sha256: h1Hex(m.sum),
      goSum: m.sum || undefined,
      purpose: 'library',
    }));
  const goVersion = info.goVersion.replace(/^go/, '').split(' ')[0];
  const stdlib: SbomPackage = { id: 'go-stdlib', name: 'stdlib', version: goVersion, purl: `pkg:golang/stdlib@${goVersion}`, purpose: 'library' };
  const image = options.image && {
    id: 'image',
    name: options.image.name,
    purl: options.image.digest ? ociPurl(options.image.name, options.image.digest) : undefined,
    sha256: options.image.digest?.replace(/^sha256:/, ''),
    purpose: 'container' as const,
  };
  return {
    name: options.image?.name ?? info.path ?? mainPath,
    main,
    dependencies,
    stdlib,
    image,
    files: [...options.image?.files ?? []].sort((a, b) => a.path.localeCompare(b.path)),
    binarySha256,
    created: createdTime(info, options.sourceDateEpoch ?? process.env.SOURCE_DATE_EPOCH),
  };
}

/** What is linked: the replacement when a `replace` directive names one with a version. */
function moduleLinked(m: GoModule): GoModule {
  return m.replace && m.replace.version ? m.replace : m;
}

/** `pkg:golang/<path>@<version>`, each path segment and the version percent-encoded. */
export function goPurl(modulePath: string, version?: string): string {
  const name = modulePath.split('/').map(encodeURIComponent).join('/');
  return `pkg:golang/${name}${version ? `@${encodeURIComponent(version)}` : ''}`;
}

/** `pkg:oci/<name>@sha256%3A…?repository_url=<repo>` for an image reference. */
function ociPurl(reference: string, digest: string): string {
  const repository = reference.split('@')[0].replace(/:[^/:]+$/, '');
  const name = repository.split('/').pop()!;
  return `pkg:oci/${encodeURIComponent(name)}@${encodeURIComponent(digest)}?repository_url=${encodeURIComponent(repository)}`;
}

/** `h1:<base64>` → hex, or undefined for no (or another) hash. */
function h1Hex(sum: string): string | undefined {
  const m = /^h1:([A-Za-z0-9+/]{43}=)$/.exec(sum);
  return m ? Buffer.from(m[1], 'base64').toString('hex') : undefined;
}

/** A module path as an id part: letters, digits, `.` and `-` only. */
function idPart(s: string): string {
  return s.replace(/[^A-Za-z0-9.]+/g, '-');
}

function createdTime(info: GoBuildInfo, epoch: string | undefined): string {
  const vcsTime = info.settings['vcs.time'];
  if (vcsTime && !Number.isNaN(Date.parse(vcsTime))) {
    return isoSeconds(new Date(vcsTime));
  }
  if (epoch && /^\d+$/.test(epoch)) {
    return isoSeconds(new Date(Number(epoch) * 1000));
  }
  return isoSeconds(new Date(0));
}

function isoSeconds(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
