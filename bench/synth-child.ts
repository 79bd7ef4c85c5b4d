/**
 * One synth measurement, in a process of its own so that heap and JIT state never leak from
 * one measurement into the next. Run by bench/run.ts:
 *
 *   node -r ts-node/register/transpile-only bench/synth-child.ts \
 *     --app goship|cdk8s --tree services|plain --n 1000 --monorepo DIR --out DIR
 *
 * Prints one JSON line: { constructMs, synthMs, fsMs, maxRssKb, files }; fsMs is the part of
 * synthMs spent writing the output folder.
 * Libraries are loaded before the clock starts: the times are construct and synth only.
 */
import * as fs from 'fs';
import { performance } from 'perf_hooks';
import { App } from 'cdk8s';
import { GoshipApp } from '../lib/app/goship-app';
import { PLAIN_CHART_POLICY_GAPS } from '../test/support/trees';
import { addTree, TreeKind } from './trees';

function arg(name: string): string {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0 || i + 1 >= process.argv.length) {
    throw new Error(`synth-child: --${name} is required`);
  }
  return process.argv[i + 1];
}

const appKind = arg('app');
const tree = arg('tree') as TreeKind;
const n = Number(arg('n'));
const monorepo = arg('monorepo');
const outdir = arg('out');

// Time spent creating the output (files, folders, renames), for both apps alike: on a shared
// disk it is the noisiest part of a synth, so the table shows it apart.
let fsMs = 0;
let depth = 0;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const mutable = require('fs') as Record<string, (...args: unknown[]) => unknown>; // the module itself, not a namespace copy
for (const name of ['writeFileSync', 'mkdirSync', 'mkdtempSync', 'chmodSync', 'renameSync', 'rmSync']) {
  const original = mutable[name];
  mutable[name] = (...args: unknown[]) => {
    const start = depth++ === 0 ? performance.now() : 0;
    try {
      return original(...args);
    } finally {
      if (--depth === 0) {
        fsMs += performance.now() - start;
      }
    }
  };
}

// Load what the tree needs before measuring (module loading is not construct time).
// eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on purpose, before the clock starts
require(tree === 'services' ? '../lib/deploy/rolling-deployment' : '../test/support/trees');

// Plain cdk8s-plus-27 Deployments break some policy rules (as the app test does, skip those).
const goshipProps = tree === 'plain'
  ? { skipPolicies: PLAIN_CHART_POLICY_GAPS, warn: () => undefined }
  : {};

const t0 = performance.now();
const app = appKind === 'goship' ? new GoshipApp({ outdir, rootdir: monorepo, ...goshipProps }) : new App({ outdir });
addTree(app, tree, n, monorepo);
const t1 = performance.now();
app.synth();
const t2 = performance.now();

const result = {
  constructMs: t1 - t0,
  synthMs: t2 - t1,
  fsMs,
  maxRssKb: process.resourceUsage().maxRSS,
  files: fs.readdirSync(outdir).length,
};
process.stdout.write(`${JSON.stringify(result)}\n`);
