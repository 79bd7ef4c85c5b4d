import { resolveDigest, ResolveOptions } from '../registry/distribution';
import { BuiltImageTarget, INDEX_MEDIA_TYPES } from './pin-output';
import type { ImagePin } from './pins';

/**
 * The pins a registry gives: for each image goship built, the digest its tag points to now
 * (OCI distribution API, credentials from the Docker config). An image built for several
 * platforms must be served as one index, or a pin would run one platform everywhere.
 *
 * @throws Error naming the image and what the registry serves, when it is not one index
 */
export async function pinsFromRegistry(targets: readonly BuiltImageTarget[], options: ResolveOptions = {}): Promise<Map<string, ImagePin>> {
  const pins = new Map<string, ImagePin>();
  for (const target of targets) {
    const { digest, mediaType } = await resolveDigest(target.ref, options);
    if (target.platforms.length > 1 && !INDEX_MEDIA_TYPES.includes(mediaType)) {
      throw new Error(`${target.ref} is built for ${target.platforms.join(', ')}, but the registry serves a single ${mediaType || 'manifest'} for it — push all platforms as one index`);
    }
    pins.set(target.name, { ref: target.ref, digest });
  }
  return pins;
}
