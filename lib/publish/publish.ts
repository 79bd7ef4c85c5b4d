import type { PublishPlan } from '../image/publish-plan';
import { RegistryRepoOptions } from '../registry/push';
import { Builder, HostGoBuilder } from './build';
import { appLayer, assemble, loadBase, PlatformImage, RuntimeFiles, runtimeLayer, sourceDateEpoch } from './image';
import { Layer } from './layer';
import { Published, Publisher, RegistryPublisher } from './publisher';
import { Resolver } from './resolver';

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
}

/**
 * `goship publish` from code: build → publish → resolve for each image, ko's pipeline. Every
 * image is built and pushed first; only when all are pushed does the resolver record them, so a
 * failure (go build, a refused push, bad credentials, a kill) leaves the pin file and the YAML
 * as they were, and a re-run pushes only what the registry is missing.
 *
 * @example
 * const plans = app.images().map(publishPlan);
 * await publishImages(plans, { resolver: new PinsResolver({ pinsFile: 'goship.pins.json' }) });
 */
export async function publishImages(plans: readonly PublishPlan[], options: PublishOptions = {}): Promise<Map<string, Published>> {
  const builder = options.builder ?? new HostGoBuilder({ env: options.env });
  const publisher = options.publisher ?? new RegistryPublisher(options.registry);
  const published = new Map<string, Published>();
  const runtimeLayers = new Map<string, Promise<Layer | undefined>>();
  for (const plan of plans) {
    const epoch = sourceDateEpoch(plan, options.env);
    const binaries = await builder.build(plan);
    const key = JSON.stringify([plan.runtime, plan.copyZoneinfo, plan.uid, plan.gid, epoch]);
    if (!runtimeLayers.has(key)) {
      runtimeLayers.set(key, runtimeLayer(plan, epoch, options.runtimeFiles));
    }
    const files = await runtimeLayers.get(key)!;
    const images: PlatformImage[] = [];
    for (const binary of binaries) {
      const base = await loadBase(plan, binary.platform, options.registry);
      const layers = [...(files ? [files] : []), await appLayer(binary, epoch)];
      images.push(assemble(plan, binary.platform, base, layers, epoch));
    }
    const result = await publisher.publish(plan, images);
    published.set(plan.name, result);
    options.log?.(`${plan.name}  ${result.ref}@${result.digest}  (blobs: ${result.blobs.uploaded} uploaded, ${result.blobs.mounted} mounted, ${result.blobs.existed} already there)`);
  }
  await options.resolver?.resolve(published);
  return published;
}
