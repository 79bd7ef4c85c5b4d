import { ImageError } from './tar-index';

/**
 * Shape checks for the JSON of an image (index, manifest, config, `docker save`'s
 * manifest.json). The files come from anyone: a field of the wrong type is an ImageError
 * naming the file and the field, never a TypeError deep inside a reader.
 */

type Json = Record<string, unknown>;

/** `value` as an object, or an ImageError naming `what`. */
export function object(value: unknown, what: string): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ImageError(`${what} is not a JSON object`);
  }
  return value as Json;
}

/** `value[key]` as an object, undefined when absent or null. */
export function optionalObject(value: Json, key: string, what: string): Json | undefined {
  const v = value[key];
  return v === undefined || v === null ? undefined : object(v, `${what}: ${key}`);
}

/** `value[key]` as a string, undefined when absent or null. */
export function optionalString(value: Json, key: string, what: string): string | undefined {
  const v = value[key];
  if (v === undefined || v === null) {
    return undefined;
  }
  if (typeof v !== 'string') {
    throw new ImageError(`${what}: ${key} is not a string`);
  }
  return v;
}

/** `value[key]` as a list, undefined when absent or null. */
export function optionalList(value: Json, key: string, what: string): unknown[] | undefined {
  const v = value[key];
  if (v === undefined || v === null) {
    return undefined;
  }
  if (!Array.isArray(v)) {
    throw new ImageError(`${what}: ${key} is not a list`);
  }
  return v;
}

/** `value[key]` as a list of strings, undefined when absent or null. */
export function optionalStrings(value: Json, key: string, what: string): string[] | undefined {
  const list = optionalList(value, key, what);
  if (list?.some((s) => typeof s !== 'string')) {
    throw new ImageError(`${what}: ${key} is not a list of strings`);
  }
  return list as string[] | undefined;
}

/** `value[key]` as a map of strings, undefined when absent or null. */
export function optionalStringMap(value: Json, key: string, what: string): Record<string, string> | undefined {
  const map = optionalObject(value, key, what);
  if (map && Object.values(map).some((s) => typeof s !== 'string')) {
    throw new ImageError(`${what}: ${key} is not a map of strings`);
  }
  return map as Record<string, string> | undefined;
}
