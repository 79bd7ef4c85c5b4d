import type { PublishPlan } from '../image/publish-plan';
import { BlobOutcome, RegistryRepo, RegistryRepoOptions } from '../registry/push';
import { indexOf, OCI, PlatformImage } from './image';
import { sha256 } from './layer';

/** What a publish pushed: the digest the ref now names, and what each blob cost. */
export interface Published {
  /** `repository:tag`. */
  readonly ref: string;
  /** The index digest for several platforms, else the manifest digest. */
  readonly digest: string;
  /** How many blobs were already there, mounted, uploaded. */
  readonly blobs: Readonly<Record<BlobOutcome, number>>;
  /** Bytes uploaded. */
  readonly uploadedBytes: number;
  /**
   * True when nothing was built or pushed: the image's inputs were those of its last publish
   * and the registry's tag still named that digest.
   * @default false
   */
  readonly unchanged?: boolean;
}

/** Publish: pushes an assembled image under its ref (ko's `publish.Interface`). */
export interface Publisher {
  /**
   * Pushes every platform image and, for several, one index; tags it.
   *
   * @throws Error naming the image when the registry refuses
   */
  publish(plan: PublishPlan, images: readonly PlatformImage[]): Promise<Published>;
}

/**
 * Pushes to each image's own repository through goship's distribution client: blobs the
 * registry has are skipped (HEAD), blobs another repository of the same registry has (a base,
 * or an image pushed earlier in this run) are mounted, the rest uploaded; manifests by digest,
 * then the tag. Pushing the tag last means a killed push never moves it, and a re-run skips
 * what already arrived.
 */
export class RegistryPublisher implements Publisher {
  /** Per registry host: blob digest → a repository path that has it. */
  private readonly seen = new Map<string, Map<string, string>>();

  public constructor(private readonly options: RegistryRepoOptions = {}) {}

  public async publish(plan: PublishPlan, images: readonly PlatformImage[]): Promise<Published> {
    const repo = new RegistryRepo(plan.repository, this.options);
    const tag = plan.ref.slice(plan.repository.length + 1);
    const blobs: Record<BlobOutcome, number> = { existed: 0, mounted: 0, uploaded: 0 };
    let uploadedBytes = 0;
    const seen = this.seen.get(repo.host) ?? new Map<string, string>();
    this.seen.set(repo.host, seen);
    try {
      for (const image of images) {
        // The blobs of one image go up side by side (HEAD, then mount or upload each).
        await Promise.all(image.blobs.map(async (blob) => {
          const digest = blob.descriptor.digest;
          const from = seen.get(digest) ?? (blob.mountFrom?.host === repo.host ? blob.mountFrom.name : undefined);
          const outcome = await repo.pushBlob(digest, blob.bytes, from);
          blobs[outcome]++;
          uploadedBytes += outcome === 'uploaded' ? blob.descriptor.size : 0;
          seen.set(digest, repo.name);
        }));
        if (images.length > 1 && !(await repo.hasManifest(image.descriptor.digest, image.descriptor.digest))) {
          await repo.putManifest(image.descriptor.digest, image.manifest, OCI.manifest);
        }
      }
      const [top, mediaType] = images.length > 1 ? [indexOf(images), OCI.index] : [images[0].manifest, OCI.manifest];
      const digest = sha256(top);
      // A PUT of a few hundred bytes costs what a HEAD would: the tag is always written, last.
      await repo.putManifest(tag, top, mediaType);
      return { ref: plan.ref, digest, blobs, uploadedBytes };
    } catch (e) {
      throw new Error(`${plan.name} (${plan.origin}): push to ${plan.ref} failed: ${(e as Error).message}`);
    }
  }
}
