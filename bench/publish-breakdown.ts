/**
 * Where the time of the publish bench's rows goes: goship publish's own steps (from
 * `publishImages`' timing hook), go's own phases for a one-line change (`go build
 * -debug-trace`), and BuildKit's steps (its plain progress log).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { performance } from 'perf_hooks';
import { median, say, seconds, table } from './report';

/** One measured publish: the total and the wall time of each step (ms). */
export interface PublishSample {
  readonly total: number;
  readonly steps: Readonly<Record<string, number>>;
}

/** goship publish's steps per row, medians of the row's runs. */
export function printPublishSteps(rows: readonly (readonly [string, readonly PublishSample[]])[]): void {
  const steps = ['app synth', 'skip check', 'go build', 'base', 'layers', 'push'];
  say(table(['goship publish', 'total', ...steps, 'rest'], rows.map(([row, samples]) => {
    const med = (step: string) => median(samples.map((s) => s.steps[step] ?? 0));
    const serial = ['app synth', 'skip check', 'go build', 'layers', 'push'].reduce((sum, s) => sum + med(s), 0);
    const total = median(samples.map((s) => s.total));
    return [row, `${seconds(total)} s`, ...steps.map((s) => `${seconds(med(s))} s`), `${seconds(Math.max(0, total - serial))} s`];
  })), '',
  '`base` (reading a registry base; nothing for scratch) runs while go builds; `layers` is tar+gzip+sha256 of the binary layer and the image config; `push` is the HEADs, uploads and manifest PUT; `skip check` is `go env` and the HEAD of the recorded digest; `rest` is what is not in a step (GC, event loop).');
}

/** go's phases in one `go build` of a one-line change (with the bench's warm cache), from its trace. */
export function goBuildPhases(opts: { cwd: string; args: readonly string[]; env: NodeJS.ProcessEnv; edit: () => void; workdir: string }): Record<string, number> {
  opts.edit();
  const trace = path.join(opts.workdir, 'go-build-trace.json');
  const t0 = performance.now();
  const r = spawnSync('go', [opts.args[0], `-debug-trace=${trace}`, ...opts.args.slice(1)], { cwd: opts.cwd, env: opts.env, encoding: 'utf8' });
  const wall = performance.now() - t0;
  if (r.status !== 0) {
    throw new Error(`go build -debug-trace failed: ${r.stderr}`);
  }
  const events = JSON.parse(fs.readFileSync(trace, 'utf8')) as { name: string; ph: string; ts: number; tid: number }[];
  const open = new Map<string, number[]>();
  const sums: Record<string, number> = {};
  let first = Infinity;
  let last = 0;
  for (const e of events) {
    if (typeof e.ts === 'number') {
      first = Math.min(first, e.ts);
      last = Math.max(last, e.ts);
    }
    const key = `${e.tid}\0${e.name}`;
    if (e.ph === 'B') {
      open.set(key, [...(open.get(key) ?? []), e.ts]);
    } else if (e.ph === 'E' && open.get(key)?.length) {
      const start = open.get(key)!.pop()!;
      const phase = phaseOf(e.name);
      if (phase) {
        sums[phase] = (sums[phase] ?? 0) + (e.ts - start) / 1000;
      }
    }
  }
  return { 'go process (wall)': wall, 'traced': (last - first) / 1000, ...sums };
}

/** The phase a go trace event belongs to, or undefined for nested events counted elsewhere. */
function phaseOf(name: string): string | undefined {
  if (name === 'load.PackagesAndErrors') {
    return 'load packages (go.mod, imports)';
  }
  if (name.startsWith('Executing action (link ')) {
    return 'link';
  }
  if (name.startsWith('Executing action (build check')) {
    return 'cache check of every package';
  }
  if (name.startsWith('Executing action (build ')) {
    return 'compile (what changed)';
  }
  return undefined;
}

/** Prints go's phases. */
export function printGoPhases(phases: Record<string, number>): void {
  say(table(['go build of a one-line change', 'time'], Object.entries(phases).map(([k, ms]) => [k, `${seconds(ms)} s`])), '',
    'Measured once after the rows, with publish\'s Go build cache and flags. Compile and link are what any tool pays for the change; the rest is go\'s own bookkeeping.');
}

/** BuildKit's steps in a plain progress log: `#N [stage i/n] STEP` with its `#N DONE x.ys`. */
export function buildKitSteps(log: string): { step: string; seconds: number }[] {
  const names = new Map<string, string>();
  for (const m of log.matchAll(/^#(\d+) (\[[^\]]+\] .*|exporting to image|naming to .*|load build definition.*|load \.dockerignore|load build context|transferring context.*)$/gm)) {
    names.set(m[1], m[2].replace(/\s+/g, ' ').slice(0, 70));
  }
  const out: { step: string; seconds: number }[] = [];
  for (const m of log.matchAll(/^#(\d+) DONE ([\d.]+)s$/gm)) {
    if (names.has(m[1])) {
      out.push({ step: names.get(m[1])!, seconds: Number(m[2]) });
    }
  }
  return out;
}

/** BuildKit's steps per row (medians), and the `docker push` after the build. */
export function printBuildKitSteps(rows: readonly (readonly [string, readonly { log: string; buildMs: number; pushMs: number }[]])[]): void {
  const stepNames = [...new Set(rows.flatMap(([, runs]) => runs.flatMap((r) => buildKitSteps(r.log).map((s) => s.step))))];
  const med = (runs: readonly { log: string }[], step: string) => median(runs.map((r) => buildKitSteps(r.log).filter((s) => s.step === step).reduce((sum, s) => sum + s.seconds, 0)));
  const shown = stepNames.filter((step) => rows.some(([, runs]) => med(runs, step) >= 0.05));
  say(table(['BuildKit step', ...rows.map(([row]) => row)], [
    ['docker build (wall)', ...rows.map(([, runs]) => `${seconds(median(runs.map((r) => r.buildMs)))} s`)],
    ...shown.map((step) => [step, ...rows.map(([, runs]) => `${med(runs, step).toFixed(2)} s`)]),
    ['docker push (wall)', ...rows.map(([, runs]) => `${seconds(median(runs.map((r) => r.pushMs)))} s`)],
  ]), '', 'Steps as BuildKit reports them (`#N DONE`), medians of the row\'s runs; steps under 0.05 s left out.');
}
