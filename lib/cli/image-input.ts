import { promises as fsp } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseImageReference } from '../model/image-ref';
import { pullImage } from '../registry/pull';

/**
 * Whether a command-line input names a registry image (`registry/repo:tag`, `…@sha256:…`)
 * rather than a file: it is no existing path, has a registry host or a path, and parses as a
 * pinned reference.
 */
export async function isRegistryReference(input: string): Promise<boolean> {
  if (await fsp.stat(input).then(() => true, () => false)) {
    return false;
  }
  if (!input.includes('/') || (!input.includes(':') && !input.includes('@'))) {
    return false;
  }
  try {
    parseImageReference('image', input);
    return true;
  } catch {
    return false;
  }
}

/** The registry could not give the image: the message names the reference and the cause. */
export class PullError extends Error {}

/**
 * Runs `use` on a local path for `input`: the input itself, or, for a registry reference, an
 * OCI layout pulled into a temporary folder (one platform, or all), removed afterwards.
 */
export async function withImageInput<T>(input: string, platform: string | undefined, use: (location: string) => Promise<T>): Promise<T> {
  if (!(await isRegistryReference(input))) {
    return use(input);
  }
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'goship-pull-'));
  try {
    await pullImage(input, dir, { platform }).catch((e: Error) => {
      throw new PullError(e.message);
    });
    return await use(dir);
  } finally {
    await fsp.rm(dir, { recursive: true, force: true });
  }
}
