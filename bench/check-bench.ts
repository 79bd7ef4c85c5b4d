import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { performance } from 'perf_hooks';
import { checkInputs, listPolicyFiles, readInputs } from '../lib/policy';
import { median, say, seconds, table } from './report';
import { writeMonorepo } from './trees';

/**
 * `goship check` on what a synth wrote, against that synth: one chart per service (a
 * Deployment, Service, ConfigMap and PodDisruptionBudget, and a Dockerfile), so N Kubernetes
 * objects are N/4 services. The synth runs in a fresh process (bench/synth-child.ts); the
 * check reads every file of the output, parses it and runs every rule, like the CLI.
 */

/** What to measure. */
export interface CheckBenchOptions {
  /** Numbers of Kubernetes objects (multiples of 4). */
  readonly objects: readonly number[];
  /** Check runs per size; the table shows medians. */
  readonly runs: number;
  /** A scratch folder. */
  readonly workdir: string;
}

/** One size: synth time, check times, and what the check saw. */
export interface CheckRow {
  readonly services: number;
  readonly objects: number;
  readonly files: number;
  readonly synthMs: number;
  readonly checkMs: number[];
  readonly findings: number;
}

const ROOT = path.resolve(__dirname, '..');

/** Synthesizes each size once, then checks its output `runs` times. */
export async function checkBench(opts: CheckBenchOptions): Promise<CheckRow[]> {
  const monorepo = path.join(opts.workdir, 'monorepo');
  const largest = Math.max(...opts.objects) / 4;
  writeMonorepo(monorepo, largest);
  const rows: CheckRow[] = [];
  for (const objects of opts.objects) {
    const services = Math.ceil(objects / 4);
    const out = path.join(opts.workdir, `out-${services}`);
    const child = spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', path.join(__dirname, 'synth-child.ts'),
      '--app', 'goship', '--tree', 'services', '--n', String(services), '--monorepo', monorepo, '--out', out],
    { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, env: { ...process.env, TS_NODE_TRANSPILE_ONLY: 'true' } });
    const last = child.stdout?.trim().split('\n').pop() ?? '';
    if (child.status !== 0 || !last.startsWith('{')) {
      throw new Error(`synth child (n=${services}) failed with ${child.status ?? child.signal}:\n${(child.stderr ?? '').slice(-4000)}`);
    }
    const synthMs = (JSON.parse(last) as { synthMs: number }).synthMs;
    const checkMs: number[] = [];
    let report;
    for (let run = 0; run < opts.runs; run++) {
      const t0 = performance.now();
      report = checkInputs(await readInputs(out, await listPolicyFiles(out)));
      checkMs.push(performance.now() - t0);
    }
    if (!report) {
      throw new Error('check bench: --runs must be at least 1');
    }
    rows.push({ services, objects: report.objects, files: report.files, synthMs, checkMs, findings: report.findings.length });
    process.stderr.write(`  check ${report.objects} objects: synth ${seconds(synthMs)} s, check ${checkMs.map(seconds).join(' / ')} s\n`);
    fs.rmSync(out, { recursive: true, force: true });
  }
  return rows;
}

/** Prints the check table. */
export function printCheck(rows: readonly CheckRow[], opts: CheckBenchOptions): void {
  say(table(
    ['objects', 'services', 'files', 'goship synth s', 'goship check s', 'check / synth', 'check ms per 1000 objects', 'findings'],
    rows.map((r) => {
      const check = median(r.checkMs);
      return [String(r.objects), String(r.services), String(r.files), seconds(r.synthMs), seconds(check),
        `${((100 * check) / r.synthMs).toFixed(0)}%`, ((1000 * check) / r.objects).toFixed(0), String(r.findings)];
    }),
  ));
  say('', `goship check: median of ${opts.runs} run(s) in one process (read, parse, every rule); synth: one fresh process per size, which already runs the same policy gate over the objects it renders.`);
}
