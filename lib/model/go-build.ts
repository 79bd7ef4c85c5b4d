import { ValidationError } from './errors';

/** What `go.mod` says about a module. */
export interface GoModInfo {
  /** The module path (`module` line). */
  readonly module: string;
  /** The `go` line: the language version, e.g. `1.19` or `1.21.0`. */
  readonly go?: string;
  /** The `toolchain` line without its `go` prefix, e.g. `1.21.3`. */
  readonly toolchain?: string;
}

const GO_VERSION = /^1\.\d+(\.\d+)?((rc|beta)\d+)?$/;
const BUILD_TAG = /^[A-Za-z0-9_.]+$/;
const GO_IDENT_PATH = /^[A-Za-z0-9_./-]+\.[A-Za-z_][A-Za-z0-9_]*$/;
const SHELL_UNSAFE = /["$`\\\n]/;

/** Parses the parts of `go.mod` goship needs. Pure: the caller reads the file. */
export function parseGoMod(text: string): GoModInfo {
  const line = (keyword: string): string | undefined => {
    const m = new RegExp(`^\\s*${keyword}\\s+("[^"]+"|\\S+)`, 'm').exec(text.replace(/\/\/.*$/gm, ''));
    return m ? m[1].replace(/^"|"$/g, '') : undefined;
  };
  const module = line('module');
  if (!module) {
    throw ValidationError.invalid('context', 'go.mod', "has no 'module' line", "run 'go mod init <module path>' in the context directory");
  }
  return { module, go: line('go'), toolchain: line('toolchain')?.replace(/^go/, '') };
}

/** The Go version to build with: the `toolchain` line when there is one, else the `go` line. */
export function goVersionOf(mod: GoModInfo): string | undefined {
  return mod.toolchain ?? mod.go;
}

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

/** The flags of one static `go build`. */
export interface GoBuildSpec {
  /** Package to build, relative to the module root: `.` or `./cmd/x`. */
  readonly main: string;
  /** Build tags, in order. */
  readonly tags: readonly string[];
  /** `-X` target that receives the version, if any. */
  readonly versionVariable?: string;
  /** Strip the symbol table and DWARF (`-s -w`). */
  readonly stripSymbols: boolean;
  /** Extra linker flags. */
  readonly ldflags: readonly string[];
}

/**
 * The `go build` command line: always `-trimpath`, output `/out/app`.
 * `versionExpr` is the shell expression that holds the version, e.g. `${VERSION}`.
 */
export function goBuildCommand(spec: GoBuildSpec, versionExpr: string): string {
  const ld = [
    ...(spec.stripSymbols ? ['-s', '-w'] : []),
    ...(spec.versionVariable ? [`-X ${spec.versionVariable}=${versionExpr}`] : []),
    ...spec.ldflags,
  ];
  const parts = ['go build', '-trimpath'];
  if (spec.tags.length > 0) {
    parts.push(`-tags ${spec.tags.join(',')}`);
  }
  if (ld.length > 0) {
    parts.push(`-ldflags="${ld.join(' ')}"`);
  }
  parts.push('-o /out/app', spec.main);
  return parts.join(' ');
}
