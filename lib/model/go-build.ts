import { ValidationError } from './errors';

const GO_VERSION = /^1\.\d+(\.\d+)?((rc|beta)\d+)?$/;
const BUILD_TAG = /^[A-Za-z0-9_.]+$/;
const GO_IDENT_PATH = /^[A-Za-z0-9_./-]+\.[A-Za-z_][A-Za-z0-9_]*$/;
const SHELL_UNSAFE = /["$`\\\n]/;

/** Validates a Go release version such as `1.19`, `1.22.4` or `1.23rc1`. */
export function goVersion(prop: string, value: unknown): string {
  if (typeof value !== 'string' || !GO_VERSION.test(value)) {
    throw ValidationError.invalid(prop, value, 'not a Go release version', "use e.g. '1.22' or '1.22.4' (the default reads it from go.mod)");
  }
  return value;
}

/** Validates build tags: identifiers of letters, digits, `_` and `.`. */
export function buildTags(prop: string, value: unknown): string[] {
  if (!Array.isArray(value)) {
    throw ValidationError.invalid(prop, value, 'must be a list of build tags', "use e.g. ['netgo', 'osusergo']");
  }
  for (const tag of value) {
    if (typeof tag !== 'string' || !BUILD_TAG.test(tag)) {
      throw ValidationError.invalid(prop, tag, 'not a Go build tag (letters, digits, _ and .)', "use e.g. 'netgo'");
    }
    if (tag === 'cgo') {
      throw ValidationError.invalid(prop, tag, 'goship always builds with CGO_ENABLED=0 so the binary starts in a scratch image; a cgo build tag cannot hold', 'remove it');
    }
  }
  return [...value];
}

/**
 * Validates extra linker flags. They are passed inside a double-quoted `-ldflags="…"` in the
 * Dockerfile's shell, so quotes, `$`, backquotes and backslashes are refused; flags that need
 * an external (cgo) linker are refused because the binary must stay static.
 */
export function ldflags(prop: string, value: unknown): string[] {
  if (!Array.isArray(value)) {
    throw ValidationError.invalid(prop, value, 'must be a list of linker flags', "use e.g. ['-X', 'main.commit=abc']");
  }
  for (const flag of value) {
    if (typeof flag !== 'string' || flag.length === 0 || SHELL_UNSAFE.test(flag)) {
      throw ValidationError.invalid(prop, flag, 'linker flags may not be empty or contain ", $, `, \\ or newlines (they are written into a shell command)', "use single quotes for values with spaces, e.g. \"-X 'main.greeting=hello world'\"");
    }
    if (/linkmode[= ]*external|extldflags/.test(flag)) {
      throw ValidationError.invalid(prop, flag, 'an external linker needs cgo, and goship builds with CGO_ENABLED=0 so the binary is static', 'remove it: the internal linker already produces a static binary');
    }
  }
  return [...value];
}

/** Validates a `-X` target such as `main.version` or `example.com/app/internal/build.Version`. */
export function versionVariable(prop: string, value: unknown): string {
  if (typeof value !== 'string' || !GO_IDENT_PATH.test(value)) {
    throw ValidationError.invalid(prop, value, 'not a Go package-qualified variable name', "use e.g. 'main.version' (a string variable of the main package)");
  }
  return value;
}

/** Validates the main package: `.` or a relative path such as `./cmd/hello`, inside the context. */
export function mainPackage(prop: string, value: unknown): string {
  if (typeof value !== 'string' || !(value === '.' || value.startsWith('./')) || value.split('/').includes('..') || SHELL_UNSAFE.test(value) || /\s/.test(value)) {
    throw ValidationError.invalid(prop, value, 'not a package path relative to the context', "use '.' or a path such as './cmd/hello'");
  }
  return value.replace(/\/+$/, '') || '.';
}

/**
 * A value the linker writes into a string variable (`-X pkg.var=value`): one of the facts of
 * the build, or a literal. The facts reach the build as build args, so the Dockerfile holds no
 * `$` a user wrote.
 *
 * @example
 * linkValues: {
 *   'example.com/api/internal/build.Version': LinkValue.version(),
 *   'example.com/api/internal/build.Commit': LinkValue.revision(),
 *   'example.com/api/internal/build.Date': LinkValue.commitDate(),
 *   'main.edition': 'community',
 * }
 */
export class LinkValue {
  /** The image tag (`VERSION`). */
  public static version(): LinkValue {
    return new LinkValue('VERSION');
  }

  /** The full commit the image is built from (`REVISION`); needs git. */
  public static revision(): LinkValue {
    return new LinkValue('REVISION');
  }

  /**
   * The commit date of that commit, ISO 8601 in UTC (`2026-11-28T10:04:05Z`, build arg
   * `COMMIT_DATE`): not the time of the build, so a rebuild gives the same binary. Needs git.
   */
  public static commitDate(): LinkValue {
    return new LinkValue('COMMIT_DATE');
  }

  /** A fixed text: no quotes, `$`, backquotes, backslashes or newlines. */
  public static of(text: string): LinkValue {
    if (typeof text !== 'string' || SHELL_UNSAFE.test(text) || text.includes("'")) {
      throw ValidationError.invalid('linkValues', text, 'a literal may not contain quotes, $, `, \\ or newlines (it is written into a shell command)', 'use plain text, or LinkValue.version(), .revision() or .commitDate() for the build facts');
    }
    return new LinkValue(undefined, text);
  }

  private constructor(
    /** The build arg that holds the value, for the facts of the build. */
    public readonly buildArg?: string,
    /** The text, for a literal. */
    public readonly literal?: string,
  ) {}

  /** The value as the shell sees it inside `-ldflags="…"`. */
  public get expression(): string {
    return this.buildArg !== undefined ? `\${${this.buildArg}}` : this.literal!;
  }
}

/** Validates `linkValues`: Go variables (`pkg.Var`) to a {@link LinkValue} or a literal string. */
export function linkValues(prop: string, value: unknown): Record<string, LinkValue> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw ValidationError.invalid(prop, value, 'must map Go variables to values', "use e.g. { 'main.commit': LinkValue.revision() }");
  }
  const out: Record<string, LinkValue> = {};
  for (const [variable, v] of Object.entries(value as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b))) {
    versionVariable(`${prop}.${variable}`, variable);
    if (typeof v === 'string') {
      out[variable] = LinkValue.of(v);
    } else if (v instanceof LinkValue) {
      out[variable] = v;
    } else {
      throw ValidationError.invalid(`${prop}.${variable}`, v, 'not a LinkValue or a string', 'use LinkValue.version(), .revision(), .commitDate() or a literal string');
    }
  }
  return out;
}

/** The flags of one static `go build`. */
export interface GoBuildSpec {
  /** Package to build, relative to the module root: `.` or `./cmd/x`. */
  readonly main: string;
  /** Build tags, in order. */
  readonly tags: readonly string[];
  /** `-X` target that receives the version, if any. */
  readonly versionVariable?: string;
  /** More `-X` variables and their values, sorted by variable. */
  readonly linkValues?: Readonly<Record<string, LinkValue>>;
  /** Strip the symbol table and DWARF (`-s -w`). */
  readonly stripSymbols: boolean;
  /** Extra linker flags. */
  readonly ldflags: readonly string[];
  /** Build from `vendor/` (`-mod=vendor`): no module download. */
  readonly vendor?: boolean;
}

/** The build args the linker values of a build read (`REVISION`, `COMMIT_DATE`; `VERSION` is always there). */
export function linkBuildArgs(spec: GoBuildSpec): string[] {
  return [...new Set(Object.values(spec.linkValues ?? {}).flatMap((v) => (v.buildArg !== undefined ? [v.buildArg] : [])))].sort();
}

/**
 * The `go build` command line: always `-trimpath`, output `/out/app`.
 * `versionExpr` is the shell expression that holds the version, e.g. `${VERSION}`.
 */
export function goBuildCommand(spec: GoBuildSpec, versionExpr: string): string {
  // The go command splits -ldflags on space, tab, CR and LF (cmd/internal/quoted): a value with one is quoted.
  const x = (variable: string, value: string) => (/[ \t\r]/.test(value) ? `-X '${variable}=${value}'` : `-X ${variable}=${value}`);
  const ld = [
    ...(spec.stripSymbols ? ['-s', '-w'] : []),
    ...(spec.versionVariable ? [x(spec.versionVariable, versionExpr)] : []),
    ...Object.entries(spec.linkValues ?? {}).map(([variable, v]) => x(variable, v.expression)),
    ...spec.ldflags,
  ];
  const parts = ['go build', '-trimpath'];
  if (spec.vendor) {
    parts.push('-mod=vendor');
  }
  if (spec.tags.length > 0) {
    parts.push(`-tags ${spec.tags.join(',')}`);
  }
  if (ld.length > 0) {
    parts.push(`-ldflags="${ld.join(' ')}"`);
  }
  parts.push('-o /out/app', spec.main);
  return parts.join(' ');
}
