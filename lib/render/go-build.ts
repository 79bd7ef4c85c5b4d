/**
 * A value the linker writes into a string variable (`-X pkg.var=value`): a build arg that holds
 * a fact of the build (`VERSION`, `REVISION`, `COMMIT_DATE`), or a literal text.
 */
export type LinkValueSpec =
  | { readonly buildArg: 'VERSION' | 'REVISION' | 'COMMIT_DATE'; readonly literal?: undefined }
  | { readonly buildArg?: undefined; readonly literal: string };

/** The flags of one static `go build`. Plain data: the renderer writes every token. */
export interface GoBuildSpec {
  /** Package to build, relative to the module root: `.` or `./cmd/x`. */
  readonly main: string;
  /** Build tags, in order. */
  readonly tags: readonly string[];
  /** `-X` target that receives the version, if any. */
  readonly versionVariable?: string;
  /** More `-X` variables and their values, sorted by variable. */
  readonly linkValues?: Readonly<Record<string, LinkValueSpec>>;
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
 * The words of `-ldflags`: `-s -w`, the version and link values as `-X` flags, then the extra
 * flags. `valueOf` gives the text of a build arg: a shell expression in a Dockerfile
 * (`${VERSION}`), the value itself where no shell runs.
 */
export function ldflagWords(spec: GoBuildSpec, valueOf: (buildArg: 'VERSION' | 'REVISION' | 'COMMIT_DATE') => string): string[] {
  // The go command splits -ldflags on space, tab, CR and LF (cmd/internal/quoted): a value with one is quoted.
  const x = (variable: string, value: string) => (/[ \t\r]/.test(value) ? `-X '${variable}=${value}'` : `-X ${variable}=${value}`);
  return [
    ...(spec.stripSymbols ? ['-s', '-w'] : []),
    ...(spec.versionVariable ? [x(spec.versionVariable, valueOf('VERSION'))] : []),
    ...Object.entries(spec.linkValues ?? {}).map(([variable, v]) => x(variable, v.buildArg !== undefined ? valueOf(v.buildArg) : v.literal)),
    ...spec.ldflags,
  ];
}

/** The `go build` command line of a Dockerfile: always `-trimpath`, output `/out/app`, build args read from the shell. */
export function goBuildCommand(spec: GoBuildSpec): string {
  const ld = ldflagWords(spec, (arg) => `\${${arg}}`);
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
