import * as fs from 'fs';
import * as path from 'path';
import { pinOutput, readBakeTargets } from '../pin/pin-output';
import { ImagePin, readPins, writePins } from '../pin/pins';
import type { Published } from './publisher';

/** Resolve: records what was published so the next synth uses it (ko's `resolve` step). */
export interface Resolver {
  /**
   * Records every image's digest. Called once, after every image was pushed: a failure before
   * it leaves the record as it was.
   */
  resolve(published: ReadonlyMap<string, Published>): Promise<void>;
}

/** Options of {@link PinsResolver}. */
export interface PinsResolverOptions {
  /** The pin file synth reads (`goship.pins.json` beside the app). */
  readonly pinsFile: string;
  /**
   * A synthesized output folder to re-pin too (its `*.k8s.yaml` files), when it exists and has
   * a `docker-bake.json`: what `goship pin` does after a buildx push.
   * @default - none: only the pin file
   */
  readonly outdir?: string;
}

/**
 * Writes the digests into the pin file (merged with the pins of other images already there),
 * and re-pins the synthesized YAML when asked; every write is atomic. GoshipApp's synth, the
 * YAML and the Pulumi component's prebuilt path read these pins.
 */
export class PinsResolver implements Resolver {
  public constructor(private readonly options: PinsResolverOptions) {}

  public async resolve(published: ReadonlyMap<string, Published>): Promise<void> {
    const pins = new Map<string, ImagePin>([...published].map(([name, p]) => [name, { ref: p.ref, digest: p.digest }]));
    const outdir = this.options.outdir;
    if (outdir && fs.existsSync(path.join(outdir, 'docker-bake.json'))) {
      const targets = readBakeTargets(outdir);
      const current = targets.filter((t) => pins.get(t.name)?.ref === t.ref);
      if (current.length === targets.length) {
        pinOutput(outdir, this.options.pinsFile, pins, targets);
        return;
      }
    }
    const merged = readPins(this.options.pinsFile);
    for (const [name, pin] of pins) {
      merged.set(name, pin);
    }
    writePins(this.options.pinsFile, merged);
  }
}
