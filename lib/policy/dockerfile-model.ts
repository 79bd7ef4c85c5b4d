import { Dockerfile, Instruction, Stage, expand, parseAssignments, splitWords } from './dockerfile-parse';

/**
 * What a parsed Dockerfile means for the rules: which stage a `FROM` or `COPY --from`
 * refers to, which base image the final stage runs on, which variables a `RUN` sees, and
 * which `go build` commands a `RUN` script contains.
 */

/** ARGs BuildKit provides itself; usable in `FROM`, and in a stage once declared with `ARG`. */
const AUTOMATIC_ARGS = [
  'BUILDPLATFORM', 'BUILDOS', 'BUILDARCH', 'BUILDVARIANT',
  'TARGETPLATFORM', 'TARGETOS', 'TARGETARCH', 'TARGETVARIANT',
];

/** Variables a `FROM` line can use: the global ARGs and BuildKit's platform ARGs. */
export function fromScope(df: Dockerfile): Map<string, string | undefined> {
  const vars = new Map<string, string | undefined>(AUTOMATIC_ARGS.map((a) => [a, undefined]));
  for (const [k, v] of df.globalArgs) {
    vars.set(k, v);
  }
  return vars;
}

/** The earlier stage a `FROM` or `--from` names (by name or, for `--from`, by index). */
export function stageNamed(df: Dockerfile, ref: string, before: number, byIndex = false): Stage | undefined {
  const name = ref.toLowerCase();
  if (byIndex && /^\d+$/.test(ref)) {
    const i = Number(ref);
    return i < before ? df.stages[i] : undefined;
  }
  return df.stages.find((s) => s.index < before && s.name === name);
}

/** The stage `stage` builds on, when its `FROM` names an earlier stage. */
export function parentStage(df: Dockerfile, stage: Stage): Stage | undefined {
  return stageNamed(df, expand(stage.image, fromScope(df)).text, stage.index);
}

/** The stage and the stages it builds on, nearest first. */
export function stageChain(df: Dockerfile, stage: Stage): Stage[] {
  const chain = [stage];
  for (let p = parentStage(df, stage); p; p = parentStage(df, p)) {
    chain.push(p);
  }
  return chain;
}

/** The external image a stage finally builds on, or `undefined` if a build argument decides it. */
export function baseImage(df: Dockerfile, stage: Stage): string | undefined {
  const root = stageChain(df, stage).pop() as Stage;
  const e = expand(root.image, fromScope(df));
  return e.dynamic || e.undeclared.length > 0 ? undefined : e.text;
}

/** Whether the stage (or the stage it builds on) runs on the build machine: `--platform=$BUILDPLATFORM`. */
export function runsOnBuildPlatform(df: Dockerfile, stage: Stage): boolean {
  return stageChain(df, stage).some((s) => s.platform !== undefined && /\$\{?BUILDPLATFORM\b/.test(s.platform));
}

/** The last stage, the one `docker build` outputs. */
export function finalStage(df: Dockerfile): Stage | undefined {
  return df.stages[df.stages.length - 1];
}

/** Stages whose results end up in the final image: its `FROM` chain and every `COPY --from` / `RUN --mount=from=` source, transitively. */
export function stagesInFinalImage(df: Dockerfile): Stage[] {
  const last = finalStage(df);
  const seen = new Set<number>();
  const visit = (s: Stage | undefined) => {
    if (!s || seen.has(s.index)) {
      return;
    }
    seen.add(s.index);
    visit(parentStage(df, s));
    for (const ins of s.instructions) {
      for (const f of ins.flags) {
        const from = f.name === 'from' ? f.value
          : f.name === 'mount' ? /(?:^|,)from=([^,]+)/.exec(f.value ?? '')?.[1] : undefined;
        if (from !== undefined) {
          visit(stageNamed(df, from, s.index, true));
        }
      }
    }
  };
  visit(last);
  return df.stages.filter((s) => seen.has(s.index));
}

/**
 * Stages whose files are copied into the final image but that are not part of its `FROM`
 * chain: the build stages. A binary built there runs on another root filesystem.
 */
export function buildStages(df: Dockerfile): Stage[] {
  const last = finalStage(df);
  const chain = new Set(last ? stageChain(df, last) : []);
  return stagesInFinalImage(df).filter((s) => !chain.has(s));
}

/** What a `RUN` at some point of a stage sees. */
export interface Scope {
  /** `ENV` and `ARG` values in effect (`undefined`: a build argument without a default, or a platform ARG). */
  readonly vars: ReadonlyMap<string, string | undefined>;
  /** Values written by an earlier `go env -w`. */
  readonly goEnv: ReadonlyMap<string, string>;
  /** Variables whose `ENV`/`ARG` value used variables the stage never declared (they expanded to ''). */
  readonly undeclared: ReadonlyMap<string, readonly string[]>;
}

/**
 * The variables in effect before instruction `before` of `stage`: `ENV` from the stages it
 * builds on and from itself, `ARG`s declared in the stage itself (ARGs end with their stage;
 * `ENV` wins over an `ARG` of the same name).
 */
export function scopeAt(df: Dockerfile, stage: Stage, before = stage.instructions.length): Scope {
  const env = new Map<string, string | undefined>();
  const goEnv = new Map<string, string>();
  const undeclared = new Map<string, readonly string[]>();
  let args = new Map<string, string | undefined>();
  const merged = () => new Map([...args, ...env]);
  // A value that uses a build-time variable is known only to the build: `undefined`.
  const value = (name: string, v: string): string | undefined => {
    const e = expand(v, merged());
    if (e.undeclared.length > 0) {
      undeclared.set(name, e.undeclared);
    } else {
      undeclared.delete(name);
    }
    return e.dynamic ? undefined : e.text;
  };
  for (const s of stageChain(df, stage).reverse()) {
    args = new Map();
    const end = s === stage ? before : s.instructions.length;
    for (const ins of s.instructions.slice(0, end)) {
      if (ins.keyword === 'ARG') {
        for (const [k, v] of parseAssignments(ins.args, false)) {
          args.set(k, v !== undefined ? value(k, v) : df.globalArgs.get(k));
        }
      } else if (ins.keyword === 'ENV') {
        for (const [k, v] of parseAssignments(ins.args, true)) {
          env.set(k, value(k, v ?? ''));
        }
      } else if (ins.keyword === 'RUN') {
        for (const cmd of shellCommands(runScript(ins))) {
          if (cmd.argv[0] !== undefined && isGo(cmd.argv[0]) && cmd.argv[1] === 'env' && cmd.argv[2] === '-w') {
            for (const [k, v] of parseAssignments(cmd.argv.slice(3).join(' '), false)) {
              goEnv.set(k, v ?? '');
            }
          }
        }
      }
    }
  }
  return { vars: merged(), goEnv, undeclared };
}

/** The script a `RUN` executes: its shell text and heredoc bodies, or its exec-form words. */
export function runScript(ins: Instruction): string {
  if (ins.exec) {
    return ins.exec.map((w) => (/[\s"'\\]/.test(w) ? JSON.stringify(w) : w)).join(' ');
  }
  return [ins.args, ...ins.heredocs].join('\n');
}

const SHELLS = /^(\/usr)?(\/bin\/)?(sh|bash|ash|dash)$/;

/** A simple command of a shell script: its `VAR=value` prefix and persistent assignments in effect, and its words. */
export interface ShellCommand {
  /** Variables set for this command: earlier `export X=…` / `X=…` lines, then its own `X=… cmd` prefix. */
  readonly env: ReadonlyMap<string, string>;
  readonly argv: readonly string[];
}

const SHELL_KEYWORDS = new Set(['!', '{', '(', 'do', 'elif', 'else', 'exec', 'if', 'then', 'time', 'until', 'while']);
const ASSIGNMENT = /^([A-Za-z_]\w*)=([\s\S]*)$/;

/**
 * Splits a shell script into simple commands (on `&&`, `||`, `;`, `|`, `&` and newlines,
 * outside quotes) and tracks variable assignments. Not a shell: enough to see
 * `CGO_ENABLED=0 go build …`, `export GOARCH=…` and `env GOOS=linux go build …`.
 */
export function shellCommands(script: string): ShellCommand[] {
  const out: ShellCommand[] = [];
  const persistent = new Map<string, string>();
  for (const segment of splitSegments(script)) {
    let words = splitWords(segment);
    if (words.length === 0 || words[0].startsWith('#')) {
      continue;
    }
    while (words.length > 0 && SHELL_KEYWORDS.has(words[0])) {
      words = words.slice(1);
    }
    const prefix = new Map<string, string>();
    let exported = false;
    if (words[0] === 'export') {
      exported = true;
      words = words.slice(1);
    }
    for (;;) {
      const m = words.length > 0 ? ASSIGNMENT.exec(words[0]) : null;
      if (m) {
        prefix.set(m[1], m[2]);
        words = words.slice(1);
      } else if (words[0] === 'env' && !exported) {
        words = words.slice(1);
      } else {
        break;
      }
    }
    if (words.length === 0 || exported) {
      for (const [k, v] of prefix) {
        persistent.set(k, v);
      }
      continue;
    }
    const env = new Map([...persistent, ...prefix]);
    if (SHELLS.test(words[0]) && words[1] === '-c' && words[2] !== undefined) {
      // sh -c '<script>': the inner script inherits what is set here.
      out.push(...shellCommands(words[2]).map((c) => ({ env: new Map([...env, ...c.env]), argv: c.argv })));
      continue;
    }
    out.push({ env, argv: words });
  }
  return out;
}

function splitSegments(script: string): string[] {
  const segments: string[] = [];
  let cur = '';
  let quote: string | undefined;
  for (let i = 0; i < script.length; i++) {
    const c = script[i];
    if (quote) {
      if (c === '\\' && quote === '"' && i + 1 < script.length) {
        cur += c + script[++i];
        continue;
      }
      if (c === quote) {
        quote = undefined;
      }
      cur += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      cur += c;
    } else if (c === '\\' && i + 1 < script.length) {
      cur += c + script[++i];
    } else if (c === ';' || c === '\n' || c === '&' || c === '|') {
      segments.push(cur);
      cur = '';
      if ((c === '&' || c === '|') && script[i + 1] === c) {
        i++;
      }
    } else {
      cur += c;
    }
  }
  segments.push(cur);
  return segments;
}

/** Build tools and scripts whose commands a Dockerfile does not show: `make`, `./build.sh`, `bash scripts/build`. */
export function opaqueBuild(cmd: ShellCommand): boolean {
  const [w0 = '', w1 = ''] = cmd.argv;
  const tool = w0.slice(w0.lastIndexOf('/') + 1);
  return ['make', 'gmake', 'mage', 'task', 'just', 'bazel', 'bazelisk', 'goreleaser'].includes(tool)
    || /\.sh$/.test(w0) || w0.startsWith('./')
    || (SHELLS.test(w0) && w1 !== '' && !w1.startsWith('-'));
}

function isGo(word: string): boolean {
  return word === 'go' || word.endsWith('/go');
}

/** A `go build` or `go install` in a `RUN`. */
export interface GoBuild {
  readonly stage: Stage;
  readonly run: Instruction;
  /** What the command sees: the `RUN`'s scope plus the script's own assignments. */
  readonly scope: Scope;
  readonly env: ReadonlyMap<string, string>;
  /** The command's words, from `go` on. */
  readonly argv: readonly string[];
}

/** goBuilds per parsed Dockerfile and set of stages: three rules ask for the same builds. */
const goBuildsSeen = new WeakMap<Dockerfile, Map<string, readonly GoBuild[]>>();

/** Every `go build` / `go install` in the given stages (found once per Dockerfile and stages: do not change the list). */
export function goBuilds(df: Dockerfile, stages: readonly Stage[]): readonly GoBuild[] {
  let seen = goBuildsSeen.get(df);
  if (!seen) {
    seen = new Map();
    goBuildsSeen.set(df, seen);
  }
  const key = stages.map((s) => s.index).join(',');
  const hit = seen.get(key);
  if (hit) {
    return hit;
  }
  const out: GoBuild[] = [];
  for (const stage of stages) {
    stage.instructions.forEach((run, i) => {
      if (run.keyword !== 'RUN') {
        return;
      }
      const commands = shellCommands(runScript(run))
        .filter((c) => isGo(c.argv[0]) && (c.argv[1] === 'build' || c.argv[1] === 'install'));
      if (commands.length > 0) {
        const scope = scopeAt(df, stage, i);
        out.push(...commands.map((c) => ({ stage, run, scope, env: c.env, argv: c.argv })));
      }
    });
  }
  seen.set(key, out);
  return out;
}

/** The value a variable has for a `go build`, with how it was set. */
export interface Resolved {
  /** `unset`: nowhere; `dynamic`: decided by a build argument or platform ARG; `undeclared`: it names variables the stage never declares. */
  readonly state: 'set' | 'unset' | 'dynamic' | 'undeclared';
  readonly value?: string;
  /** The assignment as written in the script, when the script set it. */
  readonly raw?: string;
  readonly undeclared?: readonly string[];
}

/** Resolves `name` for a `go build`: its own assignments, then `ENV`/`ARG`, then `go env -w`. */
export function resolveGoVar(b: GoBuild, name: string): Resolved {
  const vars = new Map<string, string | undefined>([...b.scope.vars, ...b.env]);
  const own = b.env.get(name);
  if (own === undefined && b.scope.vars.has(name)) {
    const v = b.scope.vars.get(name);
    const missing = b.scope.undeclared.get(name);
    if (missing) {
      return { state: 'undeclared', value: v ?? '', undeclared: missing };
    }
    return v === undefined ? { state: 'dynamic' } : { state: 'set', value: v };
  }
  const raw = own ?? b.scope.goEnv.get(name);
  if (raw === undefined) {
    return { state: 'unset' };
  }
  const e = expand(raw, vars);
  if (e.undeclared.length > 0) {
    return { state: 'undeclared', raw, value: e.text, undeclared: e.undeclared };
  }
  return e.dynamic ? { state: 'dynamic', raw, value: e.text } : { state: 'set', raw, value: e.text };
}
