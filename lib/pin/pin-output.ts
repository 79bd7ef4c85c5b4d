import * as fs from 'fs';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { readTextBounded } from '../bounds';
import { imageDigest } from '../model/image-ref';
import { stringifyManifests } from '../output/manifest-yaml';
import { journalFileOf, resolveOutputFolder, withOutputLock } from '../output/output-lock';
import { replaceFiles } from '../output/replace-files';
import { ImagePin, pinObjectImages, Pins, readPins, writePins } from './pins';

/**
 * `goship pin`'s work on a synthesized output folder: read which images goship built (the bake
 * file), take their digests from buildx's metadata file or a registry, then rewrite every
 * `*.k8s.yaml` with the images pinned and record the pins for the next synth.
 */

/** An image goship built, as `docker-bake.json` names it. */
export interface BuiltImageTarget {
  /** The bake target: the image name. */
  readonly name: string;
  /** `repository:tag`, the one tag goship gives it. */
  readonly ref: string;
  readonly platforms: readonly string[];
  /** The build context, relative to where bake runs. */
  readonly context: string;
}

/** Media types of a multi-platform index (OCI, Docker). */
export const INDEX_MEDIA_TYPES: readonly string[] = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
];

/**
 * Every target of `<outdir>/docker-bake.json`.
 *
 * @throws Error when the file is missing or is not a bake file goship wrote
 */
export function readBakeTargets(outdir: string): BuiltImageTarget[] {
  const file = path.join(outdir, 'docker-bake.json');
  if (!fs.existsSync(file)) {
    throw new Error(`${file}: no such file — synthesize first (npm run synth), or pass --outdir`);
  }
  let bake: { target?: Record<string, { tags?: unknown; platforms?: unknown; context?: unknown }> };
  try {
    bake = JSON.parse(readTextBounded(file)) as typeof bake;
  } catch (e) {
    throw new Error(`${file}: not valid JSON (${(e as Error).message}) — synthesize again`);
  }
  return Object.entries(bake?.target ?? {}).map(([name, t]) => {
    if (!Array.isArray(t.tags) || t.tags.length !== 1 || typeof t.tags[0] !== 'string' || !Array.isArray(t.platforms)) {
      throw new Error(`${file}: target '${name}' has no single tag and platforms, as goship writes them — synthesize again`);
    }
    return { name, ref: t.tags[0], platforms: t.platforms.map(String), context: typeof t.context === 'string' ? t.context : '.' };
  });
}

/**
 * The pins in a buildx metadata file (`docker buildx bake --push --metadata-file <file>`): per
 * target, `containerimage.digest` (the index digest for a multi-platform push) and
 * `image.name` (the pushed names, comma-separated). Every target goship built needs a digest,
 * and every target in the file must be one goship built, pushed under the tag goship gave it.
 *
 * @param source the file name, for messages
 * @throws Error naming the image and what is wrong, and the fix
 */
export function pinsFromMetadata(metadata: unknown, targets: readonly BuiltImageTarget[], source: string): Map<string, ImagePin> {
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) {
    throw new Error(`${source}: not a buildx metadata file (expected an object of bake targets) — write it with \`docker buildx bake --push --metadata-file ${source}\``);
  }
  const entries = metadata as Record<string, unknown>;
  const byName = new Map(targets.map((t) => [t.name, t]));
  const problems: string[] = [];
  for (const name of Object.keys(entries)) {
    if (!name.startsWith('buildx.') && !byName.has(name)) {
      problems.push(`'${name}' is not an image goship built (docker-bake.json has ${[...byName.keys()].map((n) => `'${n}'`).join(', ') || 'none'}) — bake the file goship wrote, and synthesize before baking`);
    }
  }
  const pins = new Map<string, ImagePin>();
  for (const target of targets) {
    const entry = entries[target.name] as Record<string, unknown> | undefined;
    const digest = entry?.['containerimage.digest'];
    if (typeof entry !== 'object' || entry === null || digest === undefined) {
      problems.push(`image '${target.name}' (${target.ref}) has no containerimage.digest — bake it with --push, or leave it out of the app`);
      continue;
    }
    try {
      imageDigest(`${target.name}: containerimage.digest`, digest);
    } catch (e) {
      problems.push((e as Error).message);
      continue;
    }
    const names = typeof entry['image.name'] === 'string' ? entry['image.name'].split(',').map((n) => n.trim()) : [];
    if (!names.includes(target.ref)) {
      problems.push(`image '${target.name}' was pushed as ${names.join(', ') || 'nothing (no image.name)'}, not as ${target.ref} — synthesize, then bake the new docker-bake.json with --push`);
      continue;
    }
    const mediaType = (entry['containerimage.descriptor'] as { mediaType?: unknown } | undefined)?.mediaType;
    if (target.platforms.length > 1 && typeof mediaType === 'string' && !INDEX_MEDIA_TYPES.includes(mediaType)) {
      problems.push(`image '${target.name}' is built for ${target.platforms.join(', ')}, but its digest is of a single ${mediaType} — push all platforms as one index (buildx bake does by default)`);
      continue;
    }
    pins.set(target.name, { ref: target.ref, digest: digest as string });
  }
  if (problems.length > 0) {
    throw new Error(`${source}: nothing was pinned:\n  ${problems.join('\n  ')}`);
  }
  return pins;
}

/** What {@link pinOutput} changed. */
export interface PinResult {
  /** Image name → `repo:tag@sha256:…`. */
  readonly pinned: ReadonlyMap<string, string>;
  /** The `*.k8s.yaml` files whose bytes changed. */
  readonly changedFiles: readonly string[];
}

/**
 * Rewrites every `*.k8s.yaml` in `outdir` whose images change with each pinned image's
 * container `image` as `repo:tag@sha256:…`, as synth with that pin file would write it, then
 * writes the pins into the pin file (merged with the pins already there for images still in
 * the bake file). Only those YAML files and the pin file are written: every other file,
 * folder, mode and link in `outdir` is left as it was. It holds the output folder's lock, and
 * on any error the YAML files and the pin file are as they were.
 */
export function pinOutput(outdir: string, pinsFile: string, pins: Pins, targets: readonly BuiltImageTarget[]): PinResult {
  if (!fs.existsSync(outdir)) {
    throw new Error(`${outdir}: no such folder — synthesize first, or pass --outdir`);
  }
  const folder = resolveOutputFolder(outdir);
  return withOutputLock(folder, () => {
    const known = new Set(targets.map((t) => t.name));
    const merged = new Map([...readPins(pinsFile)].filter(([name]) => known.has(name)));
    for (const [name, pin] of pins) {
      merged.set(name, pin);
    }
    const refs = new Map([...pins.values()].map((p) => [p.ref, `${p.ref}@${p.digest}`]));
    const changes = new Map<string, string>();
    const changedFiles: string[] = [];
    for (const rel of listManifestFiles(folder)) {
      const file = path.join(folder, rel);
      const text = readTextBounded(file);
      const next = pinYaml(text, refs, path.join(outdir, rel));
      if (next !== text) {
        changes.set(file, next);
        changedFiles.push(rel);
      }
    }
    replaceFiles(changes, () => writePins(pinsFile, merged), { journal: journalFileOf(folder), alsoRestore: [pinsFile] });
    return { pinned: new Map([...pins].map(([name, p]) => [name, `${p.ref}@${p.digest}`])), changedFiles: changedFiles.sort() };
  });
}

/** One YAML file with its container images pinned, written as synth writes it. */
function pinYaml(text: string, refs: ReadonlyMap<string, string>, file: string): string {
  const docs = parseAllDocuments(text);
  const objects = docs.map((doc) => {
    if (doc.errors.length > 0) {
      throw new Error(`${file}: not valid YAML (${doc.errors[0].message}) — synthesize again`);
    }
    return doc.contents === null ? undefined : doc.toJS() as unknown;
  });
  const pinned = objects.map((o) => pinObjectImages(o, refs));
  // A file without a pinned image keeps its bytes, whoever wrote them.
  return JSON.stringify(pinned) === JSON.stringify(objects) ? text : stringifyManifests(pinned);
}

/**
 * The `*.k8s.yaml` regular files under `dir` (relative, with `/`). Links, devices and FIFOs are
 * never opened: goship writes only regular files and folders.
 */
function listManifestFiles(dir: string): string[] {
  const files: string[] = [];
  const walk = (rel: string) => {
    for (const entry of fs.readdirSync(path.join(dir, rel), { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const child = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        walk(child);
      } else if (entry.isFile() && entry.name.endsWith('.k8s.yaml')) {
        files.push(child);
      }
    }
  };
  walk('');
  return files;
}
