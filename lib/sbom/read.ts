import { createHash } from 'crypto';
import { promises as fsp } from 'fs';
import * as path from 'path';
import { BOUNDS, readFileBounded } from '../bounds';
import { readGoBuildInfo } from '../inspect/buildinfo';
import { ElfError, readElf } from '../inspect/elf';
import { ImageCandidate, openImage } from '../inspect/image-source';
import { ImageFs } from '../inspect/layers';
import { locate } from '../inspect/locate';
import { Platform } from '../model/platform';
import { SbomFile, sbomSubject, SbomSubject, SbomSubjectOptions } from './subject';

/** The files a Go program reads at run time that goship's runtimes put beside it. */
const RUNTIME_FILES = ['/etc/ssl/certs/ca-certificates.crt', '/etc/passwd', '/etc/group'];
const RUNTIME_DIRS = ['/usr/share/zoneinfo'];

/** Options of {@link readSbomSubject}. */
export interface ReadSbomOptions {
  /** For an image index: which image. @default - the only image; an index of several needs it */
  readonly platform?: Platform;
  /** @default - from the environment */
  readonly sourceDateEpoch?: string;
}

/**
 * Reads what an SBOM says from a Go binary, an OCI layout directory or an image tarball:
 * the build info of the binary (an image's entrypoint) and, for an image, its runtime files
 * (CA bundle, `/etc/passwd`, `/etc/group`, zoneinfo).
 *
 * @throws Error for a file that is not ELF, a binary without Go build info, or an index of several images without `platform`
 */
export async function readSbomSubject(location: string, options: ReadSbomOptions = {}): Promise<SbomSubject> {
  const stat = await fsp.stat(location).catch(() => {
    throw new Error(`${location}: no such file or directory`);
  });
  if (!stat.isDirectory() && !stat.isFile()) {
    // Opening a FIFO waits for a writer, and a device such as /dev/zero never ends.
    throw new Error(`${location}: not a regular file, folder or image — give a binary, an image tarball or an OCI layout`);
  }
  if (!stat.isDirectory()) {
    const handle = await fsp.open(location, 'r');
    const head = Buffer.alloc(4);
    await handle.read(head, 0, 4, 0).finally(() => handle.close());
    if (head.readUInt32BE(0) === 0x7f454c46) {
      return fromBinary(readFileBounded(location, BOUNDS.binaryBytes), location, { sourceDateEpoch: options.sourceDateEpoch });
    }
  }
  const source = await openImage(location);
  const image = pick(source.images, options.platform, location);
  const fs = await ImageFs.read(image.layers);
  const cfg = image.config.config ?? {};
  const program = [...(cfg.Entrypoint ?? []), ...(cfg.Cmd ?? [])][0];
  const found = program ? locate(program, cfg, fs) : undefined;
  if (!found || found.file.type !== 'file') {
    throw new Error(`${location}: no binary at the image's entrypoint ${program ?? '(none)'}`);
  }
  const paths = [...RUNTIME_FILES.filter((f) => fs.hasFile(f)), ...RUNTIME_DIRS.flatMap((d) => fs.filesUnder(d))];
  const contents = await fs.readFiles(paths.map((p) => fs.resolve(p)!.file));
  const files: SbomFile[] = paths.map((p, i) => ({ path: p, sha1: hash('sha1', contents[i]), sha256: hash('sha256', contents[i]) }));
  const name = image.names[0] ?? path.basename(path.resolve(location));
  const digest = source.format === 'docker-archive' ? undefined : image.id;
  return fromBinary(await fs.readFile(found.file), `${location}:${found.path}`, {
    image: { name, digest, files },
    sourceDateEpoch: options.sourceDateEpoch,
  });
}

function fromBinary(bytes: Buffer, what: string, options: SbomSubjectOptions): SbomSubject {
  let elf: ReturnType<typeof readElf>;
  try {
    elf = readElf(bytes);
  } catch (e) {
    // Name the binary: inside an image, the reader's message alone does not say which file.
    throw e instanceof ElfError ? new ElfError(`${what}: ${e.message}`) : e;
  }
  const info = readGoBuildInfo(bytes, elf);
  if (!info) {
    throw new Error(`${what}: has no Go build info, so there is no module list to build an SBOM from — build it with Go 1.18 or newer (go build keeps the build info unless it is stripped out with a packer or objcopy)`);
  }
  return sbomSubject(bytes, info, options);
}

function pick(images: readonly ImageCandidate[], platform: Platform | undefined, location: string): ImageCandidate {
  const has = images.map((i) => i.platform).join(', ');
  if (platform) {
    const found = images.find((i) => i.platform === platform.toString());
    if (!found) {
      throw new Error(`${location}: has no ${platform.toString()} image (it has ${has || 'none'})`);
    }
    return found;
  }
  if (images.length !== 1) {
    throw new Error(`${location}: holds ${images.length} images (${has || 'none'}) — pick one with --platform`);
  }
  return images[0];
}

function hash(algorithm: string, bytes: Buffer): string {
  return createHash(algorithm).update(bytes).digest('hex');
}
