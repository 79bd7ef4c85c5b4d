import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { summarizeProfile } from './profile-summary';
import { median, say, seconds, table } from './report';
import { TreeKind, writeMonorepo } from './trees';

/** What to measure. */
export interface SynthBenchOptions {
  /** Numbers of services (charts). */
  readonly sizes: readonly number[];
  /** goship runs per size; the tables show medians. */
  readonly runs: number;
  /** cdk8s runs per size (at 3000 services one takes a minute or more). */
  readonly cdk8sRuns: number;
  readonly tree: TreeKind;
  /** A scratch folder (the monorepo and the output folders go here). */
  readonly workdir: string;
  /** Write a CPU profile of goship's first run at each size here, and summarize the largest. */
  readonly profileDir?: string;
  /** Compare the chart YAML of both apps at every size, or at the smallest only. */
  readonly compare: 'all' | 'smallest';
}

/** One child process's measurement. */
export interface SynthSample {
  readonly constructMs: number;
  readonly synthMs: number;
  /** The part of synthMs spent creating files and folders. */
  readonly fsMs: number;
  readonly maxRssKb: number;
  readonly files: number;
}

/** Medians per size and app, and whether the chart YAML matched. */
export interface SynthRow {
  readonly n: number;
  readonly goship: SynthSample[];
  readonly cdk8s: SynthSample[];
  /** `identical (N files)`, or what differed; `not compared`. */
  readonly yaml: string;
}

const ROOT = path.resolve(__dirname, '..');
const CHILD = path.join(__dirname, 'synth-child.ts');

/**
 * Synthesizes the same tree with GoshipApp and with cdk8s' App, each measurement in a fresh
 * Node process, the two apps alternating so that the machine's noise hits both alike.
 */
export function synthBench(opts: SynthBenchOptions): SynthRow[] {
  const monorepo = path.join(opts.workdir, 'monorepo');
  if (opts.tree === 'services') {
    writeMonorepo(monorepo, Math.max(...opts.sizes));
  } else {
    fs.mkdirSync(monorepo, { recursive: true });
  }
  const rows = opts.sizes.map((n) => ({ n, goship: [] as SynthSample[], cdk8s: [] as SynthSample[], yaml: 'not compared' }));
  const smallest = Math.min(...opts.sizes);
  const spent: string[] = [];
  const runsOf = { goship: opts.runs, cdk8s: opts.cdk8sRuns };
  for (let run = 0; run < Math.max(opts.runs, opts.cdk8sRuns); run++) {
    for (const row of rows) {
      const order = (run % 2 === 0 ? ['goship', 'cdk8s'] as const : ['cdk8s', 'goship'] as const).filter((app) => run < runsOf[app]);
      const outdirs: Record<string, string> = {};
      for (const app of order) {
        const out = path.join(opts.workdir, `out-${app}-${row.n}-${run}`);
        const profile = app === 'goship' && run === 0 ? opts.profileDir : undefined;
        const sample = runChild(app, opts.tree, row.n, monorepo, out, profile && path.join(profile, `goship-${row.n}`));
        row[app].push(sample);
        outdirs[app] = out;
        process.stderr.write(`  synth ${opts.tree} n=${row.n} run ${run + 1}/${runsOf[app]} ${app.padEnd(6)} construct ${seconds(sample.constructMs)} s, synth ${seconds(sample.synthMs)} s (writing ${seconds(sample.fsMs)} s), peak ${(sample.maxRssKb / 1024).toFixed(0)} MB\n`);
      }
      if (run === 0 && outdirs.goship && outdirs.cdk8s && (opts.compare === 'all' || row.n === smallest)) {
        row.yaml = compareChartYaml(outdirs.goship, outdirs.cdk8s);
      }
      // Kept until the end: deleting thousands of files right before the next measurement
      // would make that measurement wait for the disk to catch up.
      spent.push(...Object.values(outdirs));
    }
  }
  for (const dir of spent) {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}

function runChild(app: string, tree: TreeKind, n: number, monorepo: string, out: string, profileDir?: string): SynthSample {
  const args = [
    ...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []),
    '-r', 'ts-node/register/transpile-only',
    CHILD, '--app', app, '--tree', tree, '--n', String(n), '--monorepo', monorepo, '--out', out,
  ];
  const child = spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, env: { ...process.env, TS_NODE_TRANSPILE_ONLY: 'true' } });
  const last = child.stdout?.trim().split('\n').pop() ?? '';
  if (child.status !== 0 || !last.startsWith('{')) {
    throw new Error(`synth child (${app}, n=${n}) failed with ${child.status ?? child.signal}:\n${(child.stderr ?? '').slice(-4000)}`);
  }
  return JSON.parse(last) as SynthSample;
}

/** Compares every `*.k8s.yaml` of the two output folders byte for byte. */
export function compareChartYaml(ours: string, theirs: string): string {
  const list = (dir: string) => fs.readdirSync(dir).filter((f) => f.endsWith('.k8s.yaml')).sort();
  const a = list(ours);
  const b = list(theirs);
  if (a.join('\n') !== b.join('\n')) {
    const onlyOurs = a.filter((f) => !b.includes(f));
    const onlyTheirs = b.filter((f) => !a.includes(f));
    return `DIFFERENT file names (only goship: ${onlyOurs.slice(0, 3).join(', ') || '–'}; only cdk8s: ${onlyTheirs.slice(0, 3).join(', ') || '–'})`;
  }
  for (const f of a) {
    if (!fs.readFileSync(path.join(ours, f)).equals(fs.readFileSync(path.join(theirs, f)))) {
      return `DIFFERENT bytes in ${f}`;
    }
  }
  return `identical (${a.length} files)`;
}

/** Prints the synth table and the two targets. */
export function printSynth(rows: readonly SynthRow[], opts: SynthBenchOptions): void {
  const med = (xs: SynthSample[], k: keyof SynthSample) => median(xs.map((x) => x[k]));
  say(table(
    ['N', 'goship construct s', 'goship synth s', '(writing files)', 'cdk8s construct s', 'cdk8s synth s', '(writing files)', 'synth ratio', 'goship peak MB', 'cdk8s peak MB', 'chart YAML goship vs cdk8s'],
    rows.map((r) => [
      String(r.n),
      seconds(med(r.goship, 'constructMs')),
      seconds(med(r.goship, 'synthMs')),
      `(${seconds(med(r.goship, 'fsMs'))})`,
      seconds(med(r.cdk8s, 'constructMs')),
      seconds(med(r.cdk8s, 'synthMs')),
      `(${seconds(med(r.cdk8s, 'fsMs'))})`,
      `${(med(r.cdk8s, 'synthMs') / med(r.goship, 'synthMs')).toFixed(1)}×`,
      (med(r.goship, 'maxRssKb') / 1024).toFixed(0),
      (med(r.cdk8s, 'maxRssKb') / 1024).toFixed(0),
      r.yaml,
    ]),
  ));
  const first = rows[0];
  const last = rows[rows.length - 1];
  say('');
  say(`Medians of ${opts.runs} goship and ${opts.cdk8sRuns} cdk8s run(s) per cell; every run is a fresh Node process; goship and cdk8s alternate. Tree: ${describeTree(opts.tree)}.`);
  if (rows.length > 1) {
    const growth = med(last.goship, 'synthMs') / med(first.goship, 'synthMs');
    const cdk8sGrowth = med(last.cdk8s, 'synthMs') / med(first.cdk8s, 'synthMs');
    const cpu = (xs: SynthSample[]) => median(xs.map((x) => x.synthMs - x.fsMs));
    say(`Scaling ${first.n} → ${last.n} services (${(last.n / first.n).toFixed(1)}× the charts): goship synth ${growth.toFixed(2)}× (target ≤ 3.5× for 1000 → 3000), cdk8s synth ${cdk8sGrowth.toFixed(2)}×.`
      + ` Without writing files: goship ${(cpu(last.goship) / cpu(first.goship)).toFixed(2)}×, cdk8s ${(cpu(last.cdk8s) / cpu(first.cdk8s)).toFixed(2)}×.`);
  }
  const ratio = med(last.cdk8s, 'synthMs') / med(last.goship, 'synthMs');
  say(`At ${last.n} services goship synthesizes ${ratio.toFixed(1)}× faster than cdk8s App.synth() (target ≥ 10× at 3000).`
    + (opts.tree === 'services' ? ' goship writes 3 files and a folder per service (YAML, Dockerfile, ignore file), cdk8s 1 file.' : ''));
  if (opts.profileDir) {
    printProfile(path.join(opts.profileDir, `goship-${last.n}`));
  }
}

function describeTree(tree: TreeKind): string {
  return tree === 'services'
    ? 'one chart per service, each a GoStaticImage (amd64 + arm64) and a RollingDeployment shaped in turn like the shop api (ServiceAccount, Deployment, Service, PDB, HPA, Ingress, NetworkPolicy), worker (Deployment, PDB) and grpc (Deployment, Service, PDB, GRPCRoute)'
    : 'one chart per service of plain cdk8s-plus-27 Deployment + Service + ConfigMap, some charts depending on others';
}

function printProfile(dir: string): void {
  const file = fs.existsSync(dir) ? fs.readdirSync(dir).find((f) => f.endsWith('.cpuprofile')) : undefined;
  if (!file) {
    return;
  }
  const { byTotal, bySelf } = summarizeProfile(path.join(dir, file), 400);
  const ours = byTotal.filter((r) => /^(lib|bench)\//.test(r.where) && !r.fn.startsWith('(anonymous)')).slice(0, 15);
  say('', `CPU profile of goship's first run (${path.join(dir, file)}), inclusive time of goship functions:`, '');
  say(table(['function', 'where', 'total ms', 'self ms'], ours.map((r) => [r.fn, r.where, r.totalMs.toFixed(0), r.selfMs.toFixed(0)])));
  say('', 'Top self time (all code):', '');
  say(table(['function', 'where', 'self ms'], bySelf.slice(0, 10).map((r) => [r.fn, r.where || '(native)', r.selfMs.toFixed(0)])));
}
