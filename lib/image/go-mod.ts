import { ValidationError } from '../model/errors';

/** A `require` line of `go.mod`. */
export interface GoRequirement {
  readonly path: string;
  readonly version: string;
}

/** A `replace` line of `go.mod` or `go.work`. */
export interface GoReplacement {
  /** The module replaced, e.g. `example.com/fork`. */
  readonly path: string;
  /** The version replaced, when the line names one (`example.com/fork v1.2.0 => …`). */
  readonly version?: string;
  /** The replacement: a directory (`./third_party/fork`, `../../libs/strutil`) or a module path. */
  readonly target: string;
  /** The replacement's version; only module replacements have one. */
  readonly targetVersion?: string;
  /** True when `target` is a directory (it starts with `./`, `../` or `/`), false for another module. */
  readonly local: boolean;
}

/** A `godebug` setting of `go.mod` or `go.work` (Go 1.23), as a line or in a block. */
export interface GoDebugSetting {
  readonly key: string;
  readonly value: string;
}

/** A `retract` line: one version (`low` equals `high`) or a `[low, high]` range. */
export interface GoRetraction {
  readonly low: string;
  readonly high: string;
}

/** What `go.mod` says about a module. */
export interface GoModInfo {
  /** The module path (`module` line). */
  readonly module: string;
  /** The `go` line: the language version, e.g. `1.19` or `1.21.0`. */
  readonly go?: string;
  /** The `toolchain` line without its `go` prefix, e.g. `1.21.3`. */
  readonly toolchain?: string;
  /** The `godebug` settings, in file order. */
  readonly godebug: readonly GoDebugSetting[];
  /** The `require` lines, in file order. */
  readonly requires: readonly GoRequirement[];
  /** The `exclude` lines, in file order. */
  readonly excludes: readonly GoRequirement[];
  /** The `replace` lines, in file order. */
  readonly replaces: readonly GoReplacement[];
  /** The `retract` lines, in file order. */
  readonly retracts: readonly GoRetraction[];
  /** The `tool` lines (Go 1.24): package paths of the module's tools. */
  readonly tools: readonly string[];
  /** The `ignore` lines (Go 1.25): directories `./...` patterns and the module zip leave out. */
  readonly ignores: readonly string[];
}

/** What `go.work` says about a workspace. */
export interface GoWorkInfo {
  /** The `go` line. */
  readonly go?: string;
  /** The `toolchain` line without its `go` prefix. */
  readonly toolchain?: string;
  /** The `godebug` settings. */
  readonly godebug: readonly GoDebugSetting[];
  /** The `use` directories, as written (relative to the go.work folder). */
  readonly uses: readonly string[];
  /** The `replace` lines. */
  readonly replaces: readonly GoReplacement[];
}

/**
 * The directives of a go.mod-style file (go.mod, go.work): each as its keyword and its words,
 * with `keyword ( … )` blocks unfolded and `//` comments removed. Quoted words lose their quotes.
 */
export function goModDirectives(text: string): Array<{ keyword: string; words: string[] }> {
  const out: Array<{ keyword: string; words: string[] }> = [];
  let block: string | undefined;
  for (const raw of text.split('\n')) {
    const words = [...raw.replace(/\/\/.*$/, '').matchAll(/"(?:[^"\\]|\\.)*"|`[^`]*`|\S+/g)]
      .map((m) => m[0].replace(/^["`]|["`]$/g, ''));
    if (words.length === 0) {
      continue;
    }
    if (block !== undefined) {
      if (words[0] === ')') {
        block = undefined;
      } else {
        out.push({ keyword: block, words });
      }
    } else if (words.length === 2 && words[1] === '(') {
      block = words[0];
    } else {
      out.push({ keyword: words[0], words: words.slice(1) });
    }
  }
  return out;
}

/** Parses the parts of `go.mod` goship needs. Pure: the caller reads the file. */
export function parseGoMod(text: string): GoModInfo {
  const directives = goModDirectives(text);
  const first = (keyword: string) => directives.find((d) => d.keyword === keyword)?.words[0];
  const module = first('module');
  if (!module) {
    throw ValidationError.invalid('context', 'go.mod', "has no 'module' line", "run 'go mod init <module path>' in the context directory");
  }
  const versions = (keyword: string) => directives.filter((d) => d.keyword === keyword && d.words.length >= 2)
    .map((d) => ({ path: d.words[0], version: d.words[1] }));
  const paths = (keyword: string) => directives.filter((d) => d.keyword === keyword && d.words.length >= 1).map((d) => d.words[0]);
  return {
    module,
    go: first('go'),
    toolchain: first('toolchain')?.replace(/^go/, ''),
    godebug: godebugOf(directives, 'go.mod'),
    requires: versions('require'),
    excludes: versions('exclude'),
    replaces: replacesOf(directives, 'go.mod'),
    retracts: directives.filter((d) => d.keyword === 'retract' && d.words.length >= 1).map((d) => retraction(d.words)),
    tools: paths('tool'),
    ignores: paths('ignore'),
  };
}

/** Parses `go.work`: its `go`, `toolchain` and `godebug` lines, `use` directories and `replace` lines. Pure. */
export function parseGoWork(text: string): GoWorkInfo {
  const directives = goModDirectives(text);
  return {
    go: directives.find((d) => d.keyword === 'go')?.words[0],
    toolchain: directives.find((d) => d.keyword === 'toolchain')?.words[0]?.replace(/^go/, ''),
    godebug: godebugOf(directives, 'go.work'),
    uses: directives.filter((d) => d.keyword === 'use' && d.words.length >= 1).map((d) => d.words[0]),
    replaces: replacesOf(directives, 'go.work'),
  };
}

function godebugOf(directives: ReturnType<typeof goModDirectives>, file: string): GoDebugSetting[] {
  return directives.filter((d) => d.keyword === 'godebug').map((d) => {
    const eq = d.words.length === 1 ? d.words[0].indexOf('=') : -1;
    if (eq < 1) {
      throw ValidationError.invalid('context', `${file}: godebug ${d.words.join(' ')}`, 'is not a godebug setting Go accepts', "write 'godebug <key>=<value>'");
    }
    return { key: d.words[0].slice(0, eq), value: d.words[0].slice(eq + 1) };
  });
}

/** `v1.0.1` or `[v1.0.0, v1.0.5]` (the tokenizer splits the range at its space). */
function retraction(words: readonly string[]): GoRetraction {
  const range = words.join(' ').match(/^\[\s*([^,\s]+)\s*,\s*([^\]\s]+)\s*\]/);
  return range ? { low: range[1], high: range[2] } : { low: words[0], high: words[0] };
}

function replacesOf(directives: ReturnType<typeof goModDirectives>, file: string): GoReplacement[] {
  return directives.filter((d) => d.keyword === 'replace').map((d) => {
    const arrow = d.words.indexOf('=>');
    const left = d.words.slice(0, arrow);
    const right = d.words.slice(arrow + 1);
    if (arrow < 1 || left.length > 2 || right.length < 1 || right.length > 2) {
      throw ValidationError.invalid('context', `${file}: replace ${d.words.join(' ')}`, 'is not a replace directive Go accepts', "write 'replace <module> [version] => <dir or module> [version]'");
    }
    const target = right[0];
    return {
      path: left[0],
      ...(left[1] !== undefined ? { version: left[1] } : {}),
      target,
      ...(right[1] !== undefined ? { targetVersion: right[1] } : {}),
      local: isLocalPath(target),
    };
  });
}

/** True for what Go reads as a directory in a replace or use line: `./x`, `../x`, `/x` (and `.`, `..`). */
export function isLocalPath(target: string): boolean {
  return target === '.' || target === '..' || /^\.\.?\//.test(target) || target.startsWith('/');
}

/** One module as `vendor/modules.txt` lists it. */
export interface VendoredModule {
  readonly path: string;
  readonly version?: string;
  /** True when go.mod requires it directly (`## explicit`). */
  readonly explicit: boolean;
}

/** Parses `vendor/modules.txt`: the `# module version` lines and whether each is `## explicit`. */
export function parseVendorModules(text: string): VendoredModule[] {
  const out: Array<{ path: string; version?: string; explicit: boolean }> = [];
  for (const line of text.split('\n')) {
    const module = /^# (\S+)(?: (v\S+))?/.exec(line);
    if (module) {
      out.push({ path: module[1], ...(module[2] ? { version: module[2] } : {}), explicit: false });
    } else if (line.startsWith('## ') && out.length > 0 && line.split(/[ ;]+/).includes('explicit')) {
      out[out.length - 1].explicit = true;
    }
  }
  return out;
}

/**
 * Why `vendor/modules.txt` disagrees with go.mod, or undefined when it agrees, by the rule
 * `go build -mod=vendor` applies: every requirement of go.mod is vendored, `## explicit`, at
 * its version, and every `## explicit` module is still required.
 */
export function vendorDisagreement(mod: GoModInfo, vendored: readonly VendoredModule[]): string | undefined {
  for (const r of mod.requires) {
    const v = vendored.find((m) => m.path === r.path);
    if (!v || !v.explicit) {
      return `go.mod requires ${r.path} ${r.version}, and vendor/modules.txt does not list it as explicit`;
    }
    if (v.version !== undefined && v.version !== r.version) {
      return `go.mod requires ${r.path} ${r.version}, and vendor/modules.txt has ${v.version}`;
    }
  }
  for (const v of vendored.filter((m) => m.explicit)) {
    if (!mod.requires.some((r) => r.path === v.path)) {
      return `vendor/modules.txt lists ${v.path} as explicit, and go.mod no longer requires it`;
    }
  }
  return undefined;
}

/**
 * The Go release to build with: exactly the `toolchain` line when there is one; else the newest
 * patch of the `go` line's minor (`go 1.25.0` gives `1.25`, whose image tag follows every
 * security release), since the `go` line is a minimum, not a pin.
 */
export function goVersionOf(mod: Pick<GoModInfo, 'go' | 'toolchain'>): string | undefined {
  return mod.toolchain ?? (mod.go === undefined ? undefined : goMinor(mod.go));
}

/** `1.25` of `1.25.0`, `1.25rc1` or `1.25`. */
export function goMinor(version: string): string {
  return /^\d+\.\d+/.exec(version)?.[0] ?? version;
}

/**
 * Compares two Go versions as the go command does (`1.21` < `1.21rc1` < `1.21.0` < `1.21.1`):
 * negative when `a` is older, 0 when equal, positive when newer.
 */
export function compareGoVersions(a: string, b: string): number {
  const key = (v: string): number[] => {
    const m = /^(\d+)\.(\d+)(?:\.(\d+)|(rc|beta)(\d+))?$/.exec(v);
    if (!m) {
      return [0, 0, 0, 0];
    }
    // A bare minor (1.21) is the language version, before its first release candidate.
    const stage = m[3] !== undefined ? 3 : m[4] === 'rc' ? 2 : m[4] === 'beta' ? 1 : 0;
    return [Number(m[1]), Number(m[2]), stage, Number(m[3] ?? m[5] ?? 0)];
  };
  const [x, y] = [key(a), key(b)];
  for (let i = 0; i < x.length; i++) {
    if (x[i] !== y[i]) {
      return x[i] - y[i];
    }
  }
  return 0;
}
