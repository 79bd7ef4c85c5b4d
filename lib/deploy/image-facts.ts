import { DeployableImage } from '../model/deployable-image';
import { ValidationError } from '../model/errors';
import { parseImageReference } from '../model/image-ref';
import { labelValue, portNumber } from '../model/names';
import { Platform } from '../model/platform';
import type { PodOptions } from './workload-options';

/** What the workload takes from its image, checked; `nodeArchitectures` narrowed by the pod's. */
export interface ImageFacts {
  readonly imageRef: string;
  /** The `app.kubernetes.io/version` value, if the image has a version or a tag. */
  readonly version?: string;
  /** Undefined for a workload that serves no port (a Job). */
  readonly port?: number;
  readonly uid: number;
  readonly gid: number;
  /** `kubernetes.io/arch` values the pods may run on, sorted; empty means any. */
  readonly architectures: readonly string[];
}

const MAX_ID = 2147483647;

/**
 * Reads the image once, checking every value: the image is the one place its port, user and
 * platforms are declared. `usesPort`: false for a run-to-completion workload, which serves none.
 */
export function readImage(image: DeployableImage, pod: Pick<PodOptions, 'nodeArchitectures'>, usesPort = true): ImageFacts {
  if (typeof image !== 'object' || image === null) {
    throw ValidationError.invalid('image', image, 'is required', "pass a GoStaticImage, or { imageRef: 'ghcr.io/acme/hello:1.0.0', port: 8080, uid: 65532 }");
  }
  const ref = parseImageReference('image.imageRef', image.imageRef);
  const version = image.version !== undefined ? image.version : ref.tag;
  if (version !== undefined) {
    try {
      labelValue('image.version', version);
    } catch (e) {
      const why = e instanceof ValidationError ? e.why : String(e);
      throw ValidationError.invalid('image.version', version, `is the app.kubernetes.io/version label, and ${why}`, "give the image a version that fits, e.g. 'v1.4.2'");
    }
  }
  const port = usesPort ? portNumber('image.port', image.port) : undefined;
  const uid = userId('image.uid', image.uid);
  const gid = groupId(image.gid !== undefined ? 'image.gid' : 'image.uid', image.gid ?? image.uid);
  const architectures = pod.nodeArchitectures !== undefined
    ? nodeArchitectures(pod.nodeArchitectures)
    : platformArchitectures(image.platforms);
  return { imageRef: image.imageRef, version, port, uid, gid, architectures };
}

function userId(prop: string, value: unknown): number {
  if (value === 0) {
    throw ValidationError.invalid(prop, value, 'is root: a container escape would own the node, and the restricted Pod Security profile rejects it', 'run as a non-root numeric id such as 65532');
  }
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > MAX_ID) {
    throw ValidationError.invalid(prop, value, 'not a numeric user id (the kubelet can only check runAsNonRoot against a number)', 'use a whole number from 1 to 2147483647, e.g. 65532');
  }
  return value;
}

function groupId(prop: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > MAX_ID) {
    throw ValidationError.invalid(prop, value, 'not a numeric group id', 'use a whole number from 0 to 2147483647, e.g. 65532');
  }
  return value;
}

const GO_ARCHES = Platform.supported().map((p) => p.slice('linux/'.length));

function nodeArchitectures(values: readonly string[]): string[] {
  if (!Array.isArray(values) || values.length === 0) {
    throw ValidationError.invalid('nodeArchitectures', values, 'must list at least one architecture', "use e.g. ['amd64', 'arm64']");
  }
  for (const arch of values) {
    if (typeof arch !== 'string' || !GO_ARCHES.includes(arch)) {
      throw ValidationError.invalid('nodeArchitectures', arch, 'not a kubernetes.io/arch value Go can build for', `use one of ${GO_ARCHES.join(', ')}`);
    }
  }
  return [...new Set(values)].sort();
}

function platformArchitectures(platforms: readonly Platform[] | undefined): string[] {
  if (platforms === undefined) {
    return [];
  }
  if (!Array.isArray(platforms)) {
    throw ValidationError.invalid('image.platforms', platforms, 'must be a list of platforms', 'use e.g. [Platform.LINUX_AMD64]');
  }
  const arches = platforms.map((p) => (p instanceof Platform ? p : Platform.parse(p as unknown as string, 'image.platforms')).arch);
  return [...new Set(arches)].sort();
}
