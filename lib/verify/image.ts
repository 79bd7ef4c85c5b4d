import { ImageCandidate, ImageFormat, openImage } from '../inspect/image-source';
import { ImageFs } from '../inspect/layers';
import { locate } from '../inspect/locate';
import { Platform } from '../model/platform';
import { errorFinding, VerifyFinding, toReport, verifyBinary, VerifyReport, warningFinding } from './verify';

/** Options of {@link verifyImage}. */
export interface VerifyImageOptions {
  /**
   * The platform to check. From a multi-platform index, only that image is checked, and
   * its absence is an error.
   *
   * @default - every image in the index, each against its own platform
   */
  readonly platform?: Platform;
}

/** What {@link verifyImage} found in one image (one platform). */
export interface ImageReport extends VerifyReport {
  /** `linux/arm64`, from the index entry or the image config. */
  readonly platform: string;
  /** Manifest digest (OCI) or config file name (docker-archive). */
  readonly id: string;
  /** Tags or reference names recorded for it. */
  readonly names: readonly string[];
  /** The command the container runs: Entrypoint followed by Cmd. */
  readonly entrypoint: readonly string[];
  /** Where the entrypoint's binary is in the image, symlinks followed; absent when not found. */
  readonly binary?: string;
  /** The image's `User`, empty when unset (root). */
  readonly user: string;
}

/** What {@link verifyImage} found. */
export interface ImageVerifyReport {
  /** True when no image has an error and none of the image-wide findings is one. */
  readonly ok: boolean;
  /** How the image was stored. */
  readonly format: ImageFormat;
  /** Findings about the whole index, e.g. the requested platform is missing. */
  readonly findings: readonly VerifyFinding[];
  /** One report per image checked. */
  readonly images: readonly ImageReport[];
}

/**
 * Checks that an image will start as a non-root static Go binary: finds the entrypoint's
 * file in the layers and runs {@link verifyBinary} on it with what the image provides,
 * then checks the user. Reads an OCI image layout directory, an OCI archive or a
 * `docker save` tarball; never runs anything.
 *
 * @throws ImageError if the image cannot be read
 * @example
 * const result = await verifyImage('hello.tar', { platform: Platform.LINUX_ARM64 });
 */
export async function verifyImage(location: string, opts: VerifyImageOptions = {}): Promise<ImageVerifyReport> {
  const source = await openImage(location);
  const findings: VerifyFinding[] = [];
  let candidates = source.images;
  if (candidates.length === 0) {
    findings.push(errorFinding('no-image', 'the image index lists no image'));
  } else if (opts.platform) {
    const wanted = opts.platform;
    candidates = candidates.filter((c) => samePlatform(c.platform, wanted));
    if (candidates.length === 0) {
      const has = [...new Set(source.images.map((c) => c.platform))].join(', ');
      findings.push(errorFinding('platform-not-in-image', `the image has no ${wanted} variant (it has ${has}) — it cannot run on ${wanted} nodes; build it for ${wanted}`));
    }
  }
  const images: ImageReport[] = [];
  for (const c of candidates) {
    images.push(await verifyCandidate(c, opts.platform));
  }
  return { ok: !findings.some((f) => f.severity === 'error') && images.every((i) => i.ok), format: source.format, findings, images };
}

async function verifyCandidate(c: ImageCandidate, requested: Platform | undefined): Promise<ImageReport> {
  const cfg = c.config.config ?? {};
  const user = cfg.User ?? '';
  const entrypoint = cfg.Entrypoint && cfg.Entrypoint.length > 0 ? [...cfg.Entrypoint, ...(cfg.Cmd ?? [])] : [...(cfg.Cmd ?? [])];
  const base = { platform: c.platform, id: c.id, names: c.names, entrypoint, user };
  const findings: VerifyFinding[] = [];
  const platform = requested ?? tryPlatform(c.platform);
  if (!platform) {
    findings.push(errorFinding('unsupported-platform', `the image is for ${c.platform}, which is not a Linux platform Go targets`));
  }
  const fs = await ImageFs.read(c.layers);
  findings.push(...checkUser(user, fs));
  const program = entrypoint[0];
  if (!program) {
    findings.push(errorFinding('no-entrypoint', 'the image has no Entrypoint or Cmd: the container has nothing to start — set ENTRYPOINT ["/app"]'));
    return { ...base, ...toReport(findings) };
  }
  const found = locate(program, cfg, fs);
  if (!found || found.file.type !== 'file') {
    const what = found ? `${found.path} is a ${found.file.type}` : 'no such file in any layer';
    findings.push(errorFinding('entrypoint-not-found', `binary not found at the image's entrypoint ${program} (${what}) — the container fails with \`exec ${program}: no such file or directory\`; copy the binary there or fix ENTRYPOINT`));
    return { ...base, ...toReport(findings) };
  }
  if ((found.file.mode & 0o111) === 0) {
    findings.push(errorFinding('not-executable-file', `${found.path} has no execute permission (mode ${(found.file.mode & 0o7777).toString(8)}) — the container fails with \`permission denied\`; chmod 0755 it in the build`));
  }
  const binary = verifyBinary(await fs.readFile(found.file), {
    platform,
    path: program,
    provides: { file: (p) => fs.hasFile(p), library: (name) => fs.hasLibrary(name) },
  });
  return { ...base, binary: found.path, ...toReport([...findings, ...binary.findings], binary.elf, binary.buildInfo) };
}

function checkUser(user: string, fs: ImageFs): VerifyFinding[] {
  const name = user.split(':')[0];
  if (name === '' || name === '0' || name === 'root') {
    const shown = user === '' ? 'no User is set, so it runs as root' : `User is '${user}', which is root`;
    return [errorFinding('runs-as-root', `the image runs as root: ${shown} — set a numeric non-root user, e.g. USER 65532:65532, so Kubernetes runAsNonRoot can enforce it`)];
  }
  if (/^\d+$/.test(name)) {
    return [];
  }
  const out = [warningFinding('user-not-numeric', `the image's user '${name}' is a name: Kubernetes runAsNonRoot cannot verify a name and refuses to start the pod ("image has non-numeric user") — use its numeric UID, e.g. USER 65532`)];
  if (!fs.hasFile('/etc/passwd')) {
    out.unshift(errorFinding('user-unknown', `the image's user '${name}' cannot be looked up: the image has no /etc/passwd — the container fails with \`unable to find user ${name}\`; use a numeric UID`));
  }
  return out;
}

function tryPlatform(p: string): Platform | undefined {
  try {
    return Platform.parse(p);
  } catch {
    return undefined;
  }
}

/** Same OS, architecture and variant, an absent variant meaning the default (arm: v7, arm64: v8, amd64: v1). */
function samePlatform(imagePlatform: string, wanted: Platform): boolean {
  const defaults: Record<string, string> = { arm: 'v7', arm64: 'v8', amd64: 'v1' };
  const key = (os: string, arch: string, variant?: string): string => `${os}/${arch}/${variant ?? defaults[arch] ?? ''}`;
  const [os, arch, variant] = imagePlatform.split('/');
  return key(os, arch, variant) === key(wanted.os, wanted.arch, wanted.variant);
}
