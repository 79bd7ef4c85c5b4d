import { performance } from 'perf_hooks';
import type { PublishPlan } from '../image/publish-plan';
import { RegistryRepoOptions } from '../registry/push';
import { Builder, HostGoBuilder } from './build';
import { appLayer, assemble, loadBase, PlatformImage, RuntimeFiles, runtimeEntries, sourceDateEpoch } from './image';
import { buildLayer, Layer } from './layer';
import { Published, Publisher, RegistryPublisher } from './publisher';
import { Resolver } from './resolver';
import { PublishRecord, skipKey, stillPublished } from './skip';

/** The steps of one image's publish, as {@link PublishOptions.timing} names them. */
export type PublishStep = 'skip check' | 'go build' | 'base' | 'layers' | 'push';

/** Options of {@link publishImages}. */
export interface PublishOptions {
  /** @default new HostGoBuilder() */
  readonly builder?: Builder;
  /** @default new RegistryPublisher(registry) */
  readonly publisher?: Publisher;
  /** Where the digests go. @default - nowhere: the caller reads the result */
  readonly resolver?: Resolver;
  /** Registry options (credentials, plain http) of the default publisher and of base pulls. */
  readonly registry?: RegistryRepoOptions;
  /** Where the CA bundle and zoneinfo come from. @default - this machine's Debian paths */
  readonly runtimeFiles?: RuntimeFiles;
  /** The environment SOURCE_DATE_EPOCH is read from when an image has no commit date. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /** Called with a line per image pushed. @default - silent */
  readonly log?: (line: string) => void;
  /**
   * The no-change skip: an image whose inputs (context files, build settings, toolchain,
   * runtime files, target) are those of a recorded publish, and whose tag the registry still
   * serves at the recorded digest, is neither built nor pushed. `false` builds every image.
   * @default new PublishRecord() - records in the user's cache folder
   */
  readonly record?: PublishRecord | false;
  /**
   * Build and push every image even when its inputs are unchanged; the record is still written.
   * @default false
   */
  readonly rebuild?: boolean;
  /** Called with each step's wall time per image, for a breakdown. @default - not measured */
  readonly timing?: (image: string, step: PublishStep, ms: number) => void;
}

/**
 * `goship publish` from code: build → publish → resolve for each image, ko's pipeline. Every
 * image is built and pushed first; only when all are pushed does the resolver record them, so a
 * failure (go build, a refused push, bad credentials, a kill) leaves the pin file and the YAML
 * as they were, and a re-run pushes only what the registry is missing.
 *
 * An image whose inputs did not change since it was last published, and whose tag still names
 * that digest (one `HEAD`), is neither built nor pushed (see {@link PublishOptions.record}).
 * While one image is pushed the next one builds; its runtime base is read while go builds.
 *
 * @example
 * const plans = app.images().map(publishPlan);
 * await publishImages(plans, { resolver: new PinsResolver({ pinsFile: 'goship.pins.json' }) });
 */
export async function publishImages(plans: readonly PublishPlan[], options: PublishOptions = {}): Promise<Map<string, Published>> {
  const builder = options.builder ?? new HostGoBuilder({ env: options.env });
  const publisher = options.publisher ?? new RegistryPublisher(options.registry);
  const record = options.record === false ? undefined : options.record ?? new PublishRecord({ env: options.env });
  const timed = async <T>(plan: PublishPlan, step: PublishStep, work: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    try {
      return await work();
    } finally {
      options.timing?.(plan.name, step, performance.now() - t0);
    }
  };
  const runtimeLayers = new Map<string, Promise<Layer | undefined>>();
  const published = new Map<string, Published>();
  // Pushes run one after another (so a later image mounts what an earlier one pushed, and the
  // log keeps the plans' order), each while the next image builds.
  let pushes = Promise.resolve();
  let failure: { error: unknown } | undefined;
  const then = (work: () => Promise<void> | void) => {
    pushes = pushes.then(async () => {
      if (!failure) {
        await work();
      }
    }).catch((error: unknown) => {
      failure ??= { error };
    });
  };
  for (const plan of plans) {
    if (failure) {
      break;
    }
    try {
      const epoch = sourceDateEpoch(plan, options.env);
      const entries = runtimeEntries(plan, options.runtimeFiles);
      const key = record && builder.fingerprint
        ? await timed(plan, 'skip check', async () => skipKey(plan, { toolchain: await builder.fingerprint!(plan), runtimeEntries: entries, epoch }))
        : undefined;
      const recorded = key && !options.rebuild ? record!.get(key) : undefined;
      if (recorded && await timed(plan, 'skip check', () => stillPublished(plan, recorded, options.registry))) {
        then(() => {
          published.set(plan.name, { ref: plan.ref, digest: recorded.digest, blobs: { existed: 0, mounted: 0, uploaded: 0 }, uploadedBytes: 0, unchanged: true });
          options.log?.(`${plan.name}  ${plan.ref}@${recorded.digest}  (unchanged: same inputs as the last publish, still in the registry; nothing built)`);
        });
        continue;
      }
      const layerKey = JSON.stringify([plan.runtime, plan.copyZoneinfo, plan.uid, plan.gid, epoch]);
      if (!runtimeLayers.has(layerKey)) {
        runtimeLayers.set(layerKey, entries.length === 0 ? Promise.resolve(undefined) : buildLayer(entries, epoch));
      }
      const files = runtimeLayers.get(layerKey)!;
      // The base is read (and the runtime files compressed) while go builds.
      const bases = new Map(plan.platforms.map((p) => [p, timed(plan, 'base', () => loadBase(plan, p, options.registry))]));
      [...bases.values(), files].forEach((p) => p.catch(() => undefined));
      const binaries = await timed(plan, 'go build', () => builder.build(plan));
      // Compressed at once (in zlib's threads), pushed after the images before it.
      const layers = timed(plan, 'layers', () => Promise.all(binaries.map(async (binary) => {
        const own = [await files, await appLayer(binary, epoch)].filter((l): l is Layer => l !== undefined);
        return assemble(plan, binary.platform, await bases.get(binary.platform)!, own, epoch);
      })));
      layers.catch(() => undefined);
      then(async () => {
        const images: PlatformImage[] = await layers;
        const result = await timed(plan, 'push', () => publisher.publish(plan, images));
        published.set(plan.name, result);
        if (key) {
          const base = (await bases.get(plan.platforms[0]))?.ref;
          record!.set(key, { ref: result.ref, digest: result.digest, ...(base ? { base } : {}) });
        }
        options.log?.(`${plan.name}  ${result.ref}@${result.digest}  (blobs: ${result.blobs.uploaded} uploaded, ${result.blobs.mounted} mounted, ${result.blobs.existed} already there)`);
      });
    } catch (error) {
      failure ??= { error };
    }
  }
  await pushes;
  if (failure) {
    throw failure.error;
  }
  // In the order of the plans, whatever order the pushes finished in.
  const ordered = new Map(plans.filter((p) => published.has(p.name)).map((p) => [p.name, published.get(p.name)!]));
  await options.resolver?.resolve(ordered);
  return ordered;
}
