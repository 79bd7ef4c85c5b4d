/**
 * One error class for every rejected input.
 *
 * A message names where the problem is (the construct path), what is wrong (the prop and
 * its value), why, and how to fix it:
 *
 * `[hello/image] platforms: 'linux/sparc' — not a Go target — use one of linux/amd64, linux/arm64, …`
 *
 * Spec functions are pure and know no construct path: they throw a `ValidationError`
 * without one, and the construct that called them adds its path with {@link validating}.
 */
export class ValidationError extends Error {
  /** Builds the error for a bad `prop` value. */
  public static invalid(prop: string, value: unknown, why: string, fix: string): ValidationError {
    return new ValidationError({ prop, value, why, fix });
  }

  /** The construct path, e.g. `hello/image`; absent when raised outside a construct. */
  public readonly path?: string;
  /** The prop that holds the bad value, e.g. `platforms` or `resources.memoryLimit`. */
  public readonly prop: string;
  /** The value that was rejected. */
  public readonly value: unknown;
  /** Why it was rejected. */
  public readonly why: string;
  /** What to do instead. */
  public readonly fix: string;

  public constructor(details: ValidationErrorDetails, path?: string) {
    super(formatMessage(details, path));
    this.name = 'ValidationError';
    this.path = path;
    this.prop = details.prop;
    this.value = details.value;
    this.why = details.why;
    this.fix = details.fix;
  }

  /** The same error, located at a construct path (and under a parent prop, if given). */
  public at(path: string, parentProp?: string): ValidationError {
    const prop = parentProp ? `${parentProp}.${this.prop}` : this.prop;
    return new ValidationError({ prop, value: this.value, why: this.why, fix: this.fix }, this.path ?? path);
  }
}

/** The parts of a {@link ValidationError}. */
export interface ValidationErrorDetails {
  readonly prop: string;
  readonly value: unknown;
  readonly why: string;
  readonly fix: string;
}

/**
 * Runs `fn`; a `ValidationError` it throws without a path gets `path` (and, if given, is
 * placed under `parentProp`, so `tag` becomes `image.tag`).
 */
export function validating<T>(path: string, fn: () => T, parentProp?: string): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof ValidationError && e.path === undefined) {
      throw e.at(path, parentProp);
    }
    throw e;
  }
}

/**
 * Returns `value` when it is a plain string. Pulumi `Output`s, cdk8s `Lazy` values and other
 * unresolved tokens are never inspected: they are refused, because a build needs the value at
 * synth time.
 */
export function plainString(prop: string, value: unknown): string {
  if (typeof value !== 'string') {
    throw ValidationError.invalid(prop, value, 'must be a plain string known at synth time (not a Pulumi Output, token or other value)', 'pass a literal string');
  }
  return value;
}

/** Renders a value for a message: strings quoted, everything else as JSON. */
/** A URL's `user:password@` (or `token@`), anywhere in a text. */
const URL_USERINFO = /([a-z][a-z0-9+.-]*:\/\/)[^/@,|'"\n]*@/gi;

/** Whether a text holds a URL with a user or password (`https://user:token@host`). */
export function hasUrlCredentials(text: string): boolean {
  return new RegExp(URL_USERINFO.source, 'i').test(text);
}

/** `text` with every URL's user and password replaced by `***`: errors never print credentials. */
export function redactCredentials(text: string): string {
  return text.replace(URL_USERINFO, '$1***@');
}

export function show(value: unknown): string {
  if (typeof value === 'string') {
    return `'${redactCredentials(value)}'`;
  }
  if (value === undefined) {
    return 'undefined';
  }
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) {
    return String(value);
  }
  try {
    const json = redactCredentials(JSON.stringify(value));
    return json.length > 120 ? `${json.slice(0, 117)}...` : json;
  } catch {
    return String(value);
  }
}

function formatMessage(d: ValidationErrorDetails, path?: string): string {
  const where = path === undefined ? '' : `[${path}] `;
  return redactCredentials(`${where}${d.prop}: ${show(d.value)} — ${d.why} — ${d.fix}`);
}
