import * as fs from 'fs';
import * as path from 'path';
import { ValidationError } from '../model/errors';
import { imageDigest, parseImageReference } from '../model/image-ref';
import { writeFileAtomic } from '../output/atomic-output';

/**
 * The pin file: which digest each image goship built was pushed as.
 *
 * `goship pin` writes it (from buildx's metadata file or the registry) next to the app, to be
 * committed; `GoshipApp.synth()` reads it and writes `repo:tag@sha256:…` for every image whose
 * pin is for the very reference it builds now. A pin is keyed by image name and records the
 * full `repo:tag` it was made for, so a new tag (a new commit) never keeps an old digest: the
 * pin no longer matches and the image is written by tag until it is pinned again.
 */

/** The default pin file name, in the folder the app (and `goship pin`) runs from. */
export const PINS_FILE = 'goship.pins.json';

/** One image's pin. */
export interface ImagePin {
  /** The `repository:tag` that was pushed, as the bake file names it. */
  readonly ref: string;
  /** The digest it was pushed as: the index digest for a multi-platform image. */
  readonly digest: string;
}

/** Pins by image name (the bake target). */
export type Pins = ReadonlyMap<string, ImagePin>;

const HEADER = 'Written by `goship pin`; read by synth. A pin applies only while the image is built with this exact ref.';

/**
 * Reads a pin file. A missing file means no pins.
 *
 * @throws Error naming the file and what is wrong with it, and how to fix it
 */
export function readPins(file: string): Map<string, ImagePin> {
  if (!fs.existsSync(file)) {
    return new Map();
  }
  const fail = (why: string): never => {
    throw new Error(`${file}: ${why} — run \`goship pin\` again to rewrite it, or delete it to synthesize without pins`);
  };
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    return fail(`not valid JSON (${(e as Error).message})`);
  }
  const images = (json as { images?: unknown })?.images;
  if (typeof images !== 'object' || images === null || Array.isArray(images)) {
    return fail("has no 'images' object");
  }
  const pins = new Map<string, ImagePin>();
  for (const [name, pin] of Object.entries(images as Record<string, unknown>)) {
    const { ref, digest } = (pin ?? {}) as { ref?: unknown; digest?: unknown };
    try {
      const parsed = parseImageReference(`images.${name}.ref`, ref);
      if (parsed.digest !== undefined || parsed.tag === undefined) {
        throw ValidationError.invalid(`images.${name}.ref`, ref, 'must be repository:tag, without a digest', 'use the tag from docker-bake.json');
      }
      pins.set(name, { ref: ref as string, digest: imageDigest(`images.${name}.digest`, digest) });
    } catch (e) {
      fail((e as Error).message);
    }
  }
  return pins;
}

/** The pin file's text: sorted by image name, stable, one trailing newline. */
export function renderPins(pins: Pins): string {
  const images = Object.fromEntries([...pins.keys()].sort().map((name) => {
    const pin = pins.get(name)!;
    return [name, { ref: pin.ref, digest: pin.digest }];
  }));
  return `${JSON.stringify({ comment: HEADER, images }, null, 2)}\n`;
}

/** Writes a pin file atomically (a sibling temporary file renamed over it). */
export function writePins(file: string, pins: Pins): void {
  writeFileAtomic(file, renderPins(pins));
}

/**
 * For each image, `ref` → `ref@digest` when its pin is for exactly that ref. Pins of other
 * refs (an older tag) and of images no longer in the app are left out.
 */
export function pinnedRefs(images: readonly { readonly name: string; readonly imageRef: string }[], pins: Pins): Map<string, string> {
  const refs = new Map<string, string>();
  for (const image of images) {
    const pin = pins.get(image.name);
    if (pin && pin.ref === image.imageRef) {
      refs.set(image.imageRef, `${pin.ref}@${pin.digest}`);
    }
  }
  return refs;
}

/** Keys of a pod spec whose items carry an `image`. */
const CONTAINER_LISTS = new Set(['containers', 'initContainers', 'ephemeralContainers']);

/**
 * A copy of a Kubernetes object with every container image in `refs` replaced by its pinned
 * reference. An image already pinned to another digest (`ref@sha256:…`) is re-pinned.
 * Objects without such images come back equal.
 */
export function pinObjectImages<T>(object: T, refs: ReadonlyMap<string, string>): T {
  if (refs.size === 0) {
    return object;
  }
  const walk = (value: unknown, isContainer: boolean): unknown => {
    if (Array.isArray(value)) {
      return value.map((item) => walk(item, false));
    }
    if (typeof value !== 'object' || value === null) {
      return value;
    }
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
      if (isContainer && key === 'image' && typeof child === 'string') {
        out[key] = refs.get(child.split('@')[0]) ?? child;
      } else {
        out[key] = Array.isArray(child) && CONTAINER_LISTS.has(key)
          ? child.map((c) => walk(c, true))
          : walk(child, false);
      }
    }
    return out;
  };
  return walk(object, false) as T;
}

/** Validates GoshipApp's `pinsFile` prop: the absolute file, or undefined for `false`. */
export function pinsFileOf(value: unknown, rootdir: string): string | undefined {
  if (value === false) {
    return undefined;
  }
  if (value === undefined) {
    return path.join(rootdir, PINS_FILE);
  }
  if (typeof value !== 'string' || value.trim() === '' || value.endsWith('/')) {
    throw ValidationError.invalid('pinsFile', value, 'must be the path of a file (or false)', `leave it unset for ${PINS_FILE} in rootdir`);
  }
  return path.resolve(rootdir, value);
}

/** The manifests with every image pinned that the pin file pins for its current ref. */
export function applyPins<M extends { readonly objects: readonly unknown[] }>(manifests: readonly M[], images: readonly { readonly name: string; readonly imageRef: string }[], file: string | undefined): M[] {
  const refs = file === undefined ? new Map<string, string>() : pinnedRefs(images, readPins(file));
  return manifests.map((m) => (refs.size === 0 ? m : { ...m, objects: m.objects.map((o) => pinObjectImages(o, refs)) }));
}
