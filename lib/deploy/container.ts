import { ValidationError } from '../model/errors';
import { PropNames, rejectUnknownProps } from '../model/known-props';
import { configMapKey, dns1123Subdomain, envVarName, toDns1123Label } from '../model/names';
import { EmptyDirSpec, EnvFromSpec, FileMountSpec } from '../render/workload';
import { byteQuantity } from './resources';
import type { ContainerOptions } from './workload-options';

/** Options of {@link EnvFrom.configMap} and {@link EnvFrom.secret}. */
export interface EnvFromOptions {
  /**
   * Prepended to every key: `DB_` turns `HOST` into `DB_HOST`.
   * @default - none
   */
  readonly prefix?: string;
  /**
   * Start the container even if the object is missing.
   * @default false
   */
  readonly optional?: boolean;
}

const ENV_FROM_OPTIONS: PropNames<EnvFromOptions> = { prefix: true, optional: true };

/**
 * Every key of an existing ConfigMap or Secret as environment variables (`envFrom`). goship
 * writes no value: the object is managed elsewhere.
 *
 * @example
 * EnvFrom.configMap('shop-flags')
 * EnvFrom.secret('shop-db', { prefix: 'DB_' })
 */
export class EnvFrom {
  /** Every key of a ConfigMap. */
  public static configMap(name: string, options: EnvFromOptions = {}): EnvFrom {
    return new EnvFrom('configMap', name, options);
  }

  /** Every key of a Secret. */
  public static secret(name: string, options: EnvFromOptions = {}): EnvFrom {
    return new EnvFrom('secret', name, options);
  }

  private constructor(
    /** `configMap` or `secret`. */
    public readonly kind: 'configMap' | 'secret',
    /** The object's name. */
    public readonly name: string,
    /** The options given. */
    public readonly options: EnvFromOptions,
  ) {}
}

/** Options of {@link FileSource.secret} and {@link FileSource.configMap}. */
export interface FileSourceOptions {
  /**
   * Only these keys, each as the file named by its value (a relative path); the others are left out.
   * @default - every key, as a file named after it
   * @example { 'tls.crt': 'tls.crt', 'tls.key': 'tls.key' }
   */
  readonly items?: Readonly<Record<string, string>>;
  /**
   * File mode. Readable by the owner (root) and the pod's group (goship sets `fsGroup` to
   * the process's group), by nobody else; no write or execute bits.
   * @default 0o440
   */
  readonly defaultMode?: number;
  /**
   * Start the container even if the object is missing (the directory is then empty).
   * @default false
   */
  readonly optional?: boolean;
}

const FILE_SOURCE_OPTIONS: PropNames<FileSourceOptions> = { items: true, defaultMode: true, optional: true };

/**
 * Files from an existing Secret or ConfigMap, mounted read-only at a directory.
 *
 * @example
 * files: { '/etc/shop/tls': FileSource.secret('shop-api-tls') }
 * files: { '/etc/shop/config': FileSource.configMap('shop-config', { items: { 'app.yaml': 'app.yaml' } }) }
 */
export class FileSource {
  /** The keys of a Secret as files. */
  public static secret(name: string, options: FileSourceOptions = {}): FileSource {
    return new FileSource('secret', name, options);
  }

  /** The keys of a ConfigMap as files. */
  public static configMap(name: string, options: FileSourceOptions = {}): FileSource {
    return new FileSource('configMap', name, options);
  }

  private constructor(
    /** `secret` or `configMap`. */
    public readonly kind: 'secret' | 'configMap',
    /** The object's name. */
    public readonly name: string,
    /** The options given. */
    public readonly options: FileSourceOptions,
  ) {}
}

/** A writable scratch directory. */
export interface EmptyDirOptions {
  /**
   * The most it may hold; the pod is evicted above it.
   * @example '256Mi'
   */
  readonly sizeLimit: string;
  /**
   * In RAM (tmpfs): fast, and counted against the memory limit.
   * @default false
   */
  readonly inMemory?: boolean;
}

const EMPTY_DIR_OPTIONS: PropNames<EmptyDirOptions> = { sizeLimit: true, inMemory: true };

/** The container settings, resolved. */
export interface ResolvedContainer {
  readonly command?: readonly string[];
  readonly args?: readonly string[];
  readonly envFrom: readonly EnvFromSpec[];
  readonly files: readonly FileMountSpec[];
  readonly emptyDirs: readonly EmptyDirSpec[];
}

/** Checks command, args, envFrom, files and emptyDirs; mount paths must be distinct and not nested. */
export function resolveContainer(input: ContainerOptions): ResolvedContainer {
  const command = stringList('command', input.command);
  const args = stringList('args', input.args);
  const envFrom = (listOf('envFrom', input.envFrom) as readonly EnvFrom[]).map((e, i) => {
    const prop = `envFrom[${i}]`;
    if (!(e instanceof EnvFrom)) {
      throw ValidationError.invalid(prop, e, 'not an EnvFrom', "use EnvFrom.configMap('name') or EnvFrom.secret('name')");
    }
    rejectUnknownProps(e.options, ENV_FROM_OPTIONS, 'EnvFrom options', prop, true);
    const name = dns1123Subdomain(`${prop}.name`, e.name);
    const prefix = e.options.prefix === undefined ? undefined : envVarName(`${prop}.prefix`, e.options.prefix);
    return { kind: e.kind, name, prefix, optional: bool(`${prop}.optional`, e.options.optional) };
  });
  const paths = new Map<string, string>([['/tmp', 'the writable /tmp']]);
  const volumes = new Set(['tmp']);
  const emptyDirs = recordKeys('emptyDirs', input.emptyDirs).map((mountPath): EmptyDirSpec => {
    const prop = `emptyDirs.${mountPath}`;
    const d = input.emptyDirs![mountPath];
    if (typeof d !== 'object' || d === null) {
      throw ValidationError.invalid(prop, d, "must be { sizeLimit }: an emptyDir without a limit can fill the node's disk", `use e.g. '${mountPath}': { sizeLimit: '256Mi' }`);
    }
    rejectUnknownProps(d, EMPTY_DIR_OPTIONS, 'an emptyDir', prop);
    byteQuantity(`${prop}.sizeLimit`, d.sizeLimit);
    return { volume: volumeName(prop, mountPath, volumes), mountPath: claimPath(prop, mountPath, paths), sizeLimit: d.sizeLimit, inMemory: bool(`${prop}.inMemory`, d.inMemory) };
  });
  const files = recordKeys('files', input.files).map((mountPath): FileMountSpec => {
    const prop = `files.${mountPath}`;
    const f = input.files![mountPath];
    if (!(f instanceof FileSource)) {
      throw ValidationError.invalid(prop, f, 'not a FileSource', "use FileSource.secret('name') or FileSource.configMap('name')");
    }
    rejectUnknownProps(f.options, FILE_SOURCE_OPTIONS, 'FileSource options', prop);
    const source = dns1123Subdomain(`${prop}.name`, f.name);
    const items = recordKeys(`${prop}.items`, f.options.items).map((key) => ({
      key: configMapKey(`${prop}.items`, key),
      path: relativePath(`${prop}.items.${key}`, f.options.items![key]),
    }));
    return {
      volume: volumeName(prop, mountPath, volumes),
      mountPath: claimPath(prop, mountPath, paths),
      kind: f.kind,
      source,
      items,
      defaultMode: fileMode(`${prop}.defaultMode`, f.options.defaultMode ?? 0o440),
      optional: bool(`${prop}.optional`, f.options.optional),
    };
  });
  return { command, args, envFrom, files, emptyDirs };
}

function stringList(prop: string, value: unknown): readonly string[] | undefined {
  if (value === undefined) {
    return undefined;
  }
  const list = listOf(prop, value);
  list.forEach((v, i) => {
    if (typeof v !== 'string') {
      throw ValidationError.invalid(`${prop}[${i}]`, v, 'must be a string', `quote it: '${String(v)}'`);
    }
  });
  return list as string[];
}

function listOf(prop: string, value: unknown): readonly unknown[] {
  if (value === undefined) {
    return [];
  }
  if (!Array.isArray(value)) {
    throw ValidationError.invalid(prop, value, 'must be a list', `use e.g. ${prop}: ['--queue', 'orders']`);
  }
  return value;
}

function recordKeys(prop: string, value: unknown): string[] {
  if (value === undefined) {
    return [];
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw ValidationError.invalid(prop, value, 'must be an object keyed by path', `see the ${prop} example in the docs`);
  }
  return Object.keys(value).sort();
}

function bool(prop: string, value: unknown): boolean {
  if (value !== undefined && typeof value !== 'boolean') {
    throw ValidationError.invalid(prop, value, 'must be true or false', 'leave it unset for false');
  }
  return value === true;
}

/** An absolute, normalised directory; not `/`, not inside or around another mount. */
function claimPath(prop: string, path: string, claimed: Map<string, string>): string {
  if (!/^\/[A-Za-z0-9._/-]*[A-Za-z0-9._-]$/.test(path) || path.split('/').some((s) => s === '..' || s === '.') || path.includes('//')) {
    throw ValidationError.invalid(prop, path, 'not an absolute, normalised directory (letters, digits, ., _, -; no .., no trailing /)', "use e.g. '/etc/shop/tls'");
  }
  for (const [other, what] of claimed) {
    if (other === path || other.startsWith(`${path}/`) || path.startsWith(`${other}/`)) {
      throw ValidationError.invalid(prop, path, `overlaps ${what} at ${other}: one mount would hide the other`, 'mount each at its own directory');
    }
  }
  claimed.set(path, prop);
  return path;
}

/** A volume name from the mount path, `/etc/shop/tls` → `etc-shop-tls`, unique in the pod. */
function volumeName(prop: string, path: string, taken: Set<string>): string {
  const base = toDns1123Label(path.replace(/[._]/g, '-')) || 'dir';
  let name = base;
  for (let n = 2; taken.has(name); n++) {
    name = `${base.slice(0, 60)}-${n}`;
  }
  if (name.length === 0) {
    throw ValidationError.invalid(prop, path, 'gives no volume name', "use a path with letters, e.g. '/etc/shop'");
  }
  taken.add(name);
  return name;
}

function relativePath(prop: string, value: unknown): string {
  if (typeof value !== 'string' || !/^[A-Za-z0-9._-][A-Za-z0-9._/-]*$/.test(value) || value.split('/').some((s) => s === '..' || s === '')) {
    throw ValidationError.invalid(prop, value, 'not a relative file path (no leading /, no ..)', "use e.g. 'tls.crt'");
  }
  return value;
}

function fileMode(prop: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 0o777) {
    throw ValidationError.invalid(prop, value, 'not a file mode from 0 to 0o777', 'use e.g. 0o440');
  }
  if ((value & 0o333) !== 0 || (value & 0o007) !== 0) {
    throw ValidationError.invalid(prop, `0o${value.toString(8)}`, 'grants write, execute or world access to files that hold secrets or config', 'use 0o440 (owner and group read) or 0o400');
  }
  return value;
}
