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

/** What `go.mod` says about a module. */
export interface GoModInfo {
  /** The module path (`module` line). */
  readonly module: string;
  /** The `go` line: the language version, e.g. `1.19` or `1.21.0`. */
  readonly go?: string;
  /** The `toolchain` line without its `go` prefix, e.g. `1.21.3`. */
  readonly toolchain?: string;
  /** The `require` lines, in file order. */
  readonly requires: readonly GoRequirement[];
  /** The `replace` lines, in file order. */
  readonly replaces: readonly GoReplacement[];
}

/** What `go.work` says about a workspace. */
export interface GoWorkInfo {
  /** The `go` line. */
  readonly go?: string;
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
  return {
    module,
    go: first('go'),
    toolchain: first('toolchain')?.replace(/^go/, ''),
    requires: directives.filter((d) => d.keyword === 'require' && d.words.length >= 2)
      .map((d) => ({ path: d.words[0], version: d.words[1] })),
    replaces: replacesOf(directives, 'go.mod'),
  };
}

/** Parses `go.work`: its `go` line, `use` directories and `replace` lines. Pure. */
export function parseGoWork(text: string): GoWorkInfo {
  const directives = goModDirectives(text);
  return {
    go: directives.find((d) => d.keyword === 'go')?.words[0],
    uses: directives.filter((d) => d.keyword === 'use' && d.words.length >= 1).map((d) => d.words[0]),
    replaces: replacesOf(directives, 'go.work'),
  };
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

/** The Go version to build with: the `toolchain` line when there is one, else the `go` line. */
export function goVersionOf(mod: Pick<GoModInfo, 'go' | 'toolchain'>): string | undefined {
  return mod.toolchain ?? mod.go;
}
