import type { LineHit } from './finding';

/**
 * A small Dockerfile reader: only what the policy rules need. Line continuations, comments,
 * the `escape` parser directive, flags (`--platform=…`, `--mount=…`), JSON exec form and
 * BuildKit heredocs; stages with their base image, platform and name.
 */

/** A `--name=value` (or bare `--name`) flag of an instruction. */
export interface Flag {
  readonly name: string;
  readonly value?: string;
}

/** One instruction, with its continuation lines joined. */
export interface Instruction {
  /** Upper-case keyword: `RUN`, `FROM`, … */
  readonly keyword: string;
  readonly flags: readonly Flag[];
  /** Everything after the keyword and flags, continuation lines joined. */
  readonly args: string;
  /** The arguments when written in JSON exec form (`["/app", "serve"]`). */
  readonly exec?: readonly string[];
  /** Bodies of `<<EOF` heredocs that follow the instruction. */
  readonly heredocs: readonly string[];
  /** 1-based line where the instruction starts. */
  readonly line: number;
}

/** A build stage: `FROM [--platform=…] image [AS name]` and the instructions up to the next `FROM`. */
export interface Stage {
  readonly index: number;
  /** Lower-cased stage name (`AS build`), if any. */
  readonly name?: string;
  /** The base as written, e.g. `golang:1.22`, `scratch`, `${BASE}` or another stage's name. */
  readonly image: string;
  /** The `--platform` value as written, e.g. `$BUILDPLATFORM`. */
  readonly platform?: string;
  /** Line of the `FROM`. */
  readonly line: number;
  /** Instructions after the `FROM`. */
  readonly instructions: readonly Instruction[];
}

/** A parsed Dockerfile. */
export interface Dockerfile {
  /** `ARG`s before the first `FROM` (usable in `FROM` lines), with their defaults. */
  readonly globalArgs: ReadonlyMap<string, string | undefined>;
  readonly stages: readonly Stage[];
  /** What could not be read. */
  readonly problems: readonly LineHit[];
}

const KEYWORDS = new Set([
  'ADD', 'ARG', 'CMD', 'COPY', 'ENTRYPOINT', 'ENV', 'EXPOSE', 'FROM', 'HEALTHCHECK', 'LABEL',
  'MAINTAINER', 'ONBUILD', 'RUN', 'SHELL', 'STOPSIGNAL', 'USER', 'VOLUME', 'WORKDIR',
]);
const WITH_FLAGS = new Set(['ADD', 'COPY', 'FROM', 'HEALTHCHECK', 'RUN']);
const WITH_HEREDOCS = new Set(['ADD', 'COPY', 'RUN']);
const EXEC_FORM = new Set(['ADD', 'CMD', 'COPY', 'ENTRYPOINT', 'RUN', 'SHELL', 'VOLUME']);
const BLANK_OR_COMMENT = /^\s*(#.*)?$/;

/** Parses a Dockerfile. Never throws: what it cannot read is listed in `problems`. */
export function parseDockerfile(text: string): Dockerfile {
  const lines = text.split(/\r?\n/);
  const escape = escapeDirective(lines);
  const instructions: Instruction[] = [];
  const problems: LineHit[] = [];

  let n = 0;
  while (n < lines.length) {
    const line = n + 1;
    let raw = lines[n++];
    if (BLANK_OR_COMMENT.test(raw)) {
      continue;
    }
    let logical = '';
    for (;;) {
      const trimmed = raw.replace(/\s+$/, '');
      if (!trimmed.endsWith(escape)) {
        logical += raw;
        break;
      }
      logical += trimmed.slice(0, -1);
      while (n < lines.length && BLANK_OR_COMMENT.test(lines[n])) {
        n++; // comments and blank lines inside a continuation are dropped, as BuildKit does
      }
      if (n >= lines.length) {
        break;
      }
      raw = lines[n++];
    }

    const m = /^\s*(\S+)\s*([\s\S]*)$/.exec(logical);
    const keyword = (m?.[1] ?? '').toUpperCase();
    if (!KEYWORDS.has(keyword)) {
      problems.push({ line, message: `unknown instruction '${m?.[1] ?? logical.trim()}'` });
      continue;
    }
    let rest = m?.[2] ?? '';
    const flags: Flag[] = [];
    if (WITH_FLAGS.has(keyword)) {
      let f: RegExpExecArray | null;
      while ((f = /^--([A-Za-z][\w-]*)(?:=(\S*))?(?:\s+|$)/.exec(rest)) !== null) {
        flags.push(f[2] === undefined ? { name: f[1] } : { name: f[1], value: f[2] });
        rest = rest.slice(f[0].length);
      }
    }
    const args = rest.trim();
    const exec = EXEC_FORM.has(keyword) ? execForm(args) : undefined;
    const heredocs: string[] = [];
    if (WITH_HEREDOCS.has(keyword) && exec === undefined) {
      for (const h of args.matchAll(/<<(-?)\s*(["']?)([A-Za-z_][\w.-]*)\2/g)) {
        const body: string[] = [];
        const stripTabs = h[1] === '-';
        while (n < lines.length) {
          const l = stripTabs ? lines[n].replace(/^\t+/, '') : lines[n];
          n++;
          if (l === h[3]) {
            break;
          }
          body.push(l);
        }
        heredocs.push(body.join('\n'));
      }
    }
    instructions.push({ keyword, flags, args, exec, heredocs, line });
  }

  return { ...splitStages(instructions, problems), problems };
}

function escapeDirective(lines: readonly string[]): string {
  for (const l of lines) {
    const d = /^#\s*([A-Za-z]+)\s*=\s*(\S+)\s*$/.exec(l);
    if (!d) {
      break; // directives only at the very top
    }
    if (d[1].toLowerCase() === 'escape') {
      return d[2] === '`' ? '`' : '\\';
    }
  }
  return '\\';
}

function execForm(args: string): string[] | undefined {
  if (!args.startsWith('[')) {
    return undefined;
  }
  try {
    const v: unknown = JSON.parse(args);
    return Array.isArray(v) && v.every((x) => typeof x === 'string') ? v : undefined;
  } catch {
    return undefined; // not JSON: BuildKit runs it in shell form
  }
}

function splitStages(instructions: readonly Instruction[], problems: LineHit[]): Omit<Dockerfile, 'problems'> {
  const globalArgs = new Map<string, string | undefined>();
  const stages: Stage[] = [];
  let current: { stage: Omit<Stage, 'instructions'>; instructions: Instruction[] } | undefined;
  const close = () => {
    if (current) {
      stages.push({ ...current.stage, instructions: current.instructions });
    }
  };
  for (const ins of instructions) {
    if (ins.keyword === 'FROM') {
      close();
      const words = splitWords(ins.args);
      if (words.length === 0) {
        problems.push({ line: ins.line, message: 'FROM without an image' });
      }
      const name = words.length >= 3 && words[1].toLowerCase() === 'as' ? words[2].toLowerCase() : undefined;
      const platform = ins.flags.find((f) => f.name === 'platform')?.value;
      current = {
        stage: { index: stages.length, image: words[0] ?? '', line: ins.line, ...(name ? { name } : {}), ...(platform ? { platform } : {}) },
        instructions: [],
      };
    } else if (current) {
      current.instructions.push(ins);
    } else if (ins.keyword === 'ARG') {
      for (const [k, v] of parseAssignments(ins.args, false)) {
        globalArgs.set(k, v);
      }
    } else {
      problems.push({ line: ins.line, message: `${ins.keyword} before the first FROM (only ARG may come before it)` });
    }
  }
  close();
  if (stages.length === 0 && problems.length === 0) {
    problems.push({ line: 1, message: 'no FROM: a Dockerfile needs at least one stage' });
  }
  return { globalArgs, stages };
}

/**
 * Splits words the way a Dockerfile does for `FROM`, `ARG`, `ENV` and `USER`: on blanks,
 * honouring single and double quotes and backslash escapes; quotes are removed.
 */
export function splitWords(s: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  let quote: string | undefined;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (quote) {
      if (c === quote) {
        quote = undefined;
      } else if (c === '\\' && quote === '"' && i + 1 < s.length) {
        word += s[++i];
      } else {
        word += c;
      }
    } else if (/\s/.test(c)) {
      if (word !== undefined) {
        words.push(word);
        word = undefined;
      }
    } else if (c === '"' || c === "'") {
      quote = c;
      word = word ?? '';
    } else if (c === '\\' && i + 1 < s.length) {
      word = (word ?? '') + s[++i];
    } else {
      word = (word ?? '') + c;
    }
  }
  if (word !== undefined) {
    words.push(word);
  }
  return words;
}

/**
 * Reads `ARG a b=c` (`legacyPair` false) or `ENV a=1 b=2` / `ENV a 1` (`legacyPair` true) as
 * name → value; an `ARG` without a default has value `undefined`.
 */
export function parseAssignments(args: string, legacyPair: boolean): Map<string, string | undefined> {
  const out = new Map<string, string | undefined>();
  const words = splitWords(args);
  if (legacyPair && words.length > 0 && !words[0].includes('=')) {
    const m = /^\s*(\S+)\s+([\s\S]*)$/.exec(args);
    out.set(words[0], m ? splitWords(m[2]).join(' ') : '');
    return out;
  }
  for (const w of words) {
    const eq = w.indexOf('=');
    if (eq > 0) {
      out.set(w.slice(0, eq), w.slice(eq + 1));
    } else if (eq < 0) {
      out.set(w, undefined);
    }
  }
  return out;
}

/** The result of {@link expand}. */
export interface Expanded {
  /** The text with every known variable replaced; variables declared without a value stay as written. */
  readonly text: string;
  /** Names referenced but not declared: Docker expands them to the empty string. */
  readonly undeclared: readonly string[];
  /** True when some variable is declared but its value is only known at build time. */
  readonly dynamic: boolean;
}

/**
 * Expands `$NAME`, `${NAME}`, `${NAME:-word}`, `${NAME:+word}` and (literally)
 * `${NAME#prefix}` / `${NAME%suffix}` the way a Dockerfile does in `FROM`, `ENV`, `USER`, ….
 * `vars` maps each declared name to its value, or `undefined` if only the build knows it.
 */
export function expand(s: string, vars: ReadonlyMap<string, string | undefined>): Expanded {
  const undeclared: string[] = [];
  let dynamic = false;
  const text = s.replace(/\\\$|\$\{([A-Za-z_]\w*)(?:(:?[-+])([^}]*)|([#%]{1,2})([^}]*))?\}|\$([A-Za-z_]\w*)/g,
    (all, braced?: string, op?: string, word?: string, trim?: string, pattern?: string, bare?: string) => {
      if (all === '\\$') {
        return '$';
      }
      const name = (braced ?? bare) as string;
      const declared = vars.has(name);
      const value = vars.get(name);
      if (op === ':-' || op === '-') {
        if (!declared || (op === ':-' && value === '')) {
          return word ?? '';
        }
      } else if (op === ':+' || op === '+') {
        if (!declared || (op === ':+' && value === '')) {
          return '';
        }
        if (value !== undefined) {
          return word ?? '';
        }
      }
      if (!declared) {
        undeclared.push(name);
        return '';
      }
      if (value === undefined) {
        dynamic = true;
        return all;
      }
      if (trim?.startsWith('#') && pattern !== undefined && value.startsWith(pattern)) {
        return value.slice(pattern.length);
      }
      if (trim?.startsWith('%') && pattern !== undefined && value.endsWith(pattern)) {
        return value.slice(0, value.length - pattern.length);
      }
      return value;
    });
  return { text, undeclared, dynamic };
}
