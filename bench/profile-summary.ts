import * as fs from 'fs';
import * as path from 'path';

/** One row of a profile summary: a function and the time spent in it. */
export interface ProfileRow {
  readonly fn: string;
  /** Where it is defined: `file:line`, relative to the working directory when inside it. */
  readonly where: string;
  /** Time in the function itself, ms. */
  readonly selfMs: number;
  /** Time in the function and everything it called, ms (recursion counted once). */
  readonly totalMs: number;
}

interface CpuProfileNode {
  readonly id: number;
  readonly callFrame: { functionName: string; url: string; lineNumber: number };
  readonly children?: number[];
}

interface CpuProfile {
  readonly nodes: CpuProfileNode[];
  readonly startTime: number;
  readonly endTime: number;
  readonly samples: number[];
  readonly timeDeltas: number[];
}

/**
 * Reads a `.cpuprofile` written by `node --cpu-prof` and returns the functions that took the
 * most time, by self time and by total (inclusive) time.
 */
export function summarizeProfile(file: string, top = 15): { bySelf: ProfileRow[]; byTotal: ProfileRow[]; totalMs: number } {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) {
    for (const c of n.children ?? []) {
      parent.set(c, n.id);
    }
  }
  const key = (n: CpuProfileNode) => `${n.callFrame.functionName || '(anonymous)'}\t${location(n)}`;
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  const selfOfNode = new Map<number, number>();
  profile.samples.forEach((id, i) => {
    const dt = (profile.timeDeltas[i + 1] ?? 0) / 1000;
    selfOfNode.set(id, (selfOfNode.get(id) ?? 0) + dt);
  });
  for (const [id, ms] of selfOfNode) {
    const node = byId.get(id)!;
    self.set(key(node), (self.get(key(node)) ?? 0) + ms);
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const k = key(byId.get(cur)!);
      if (!seen.has(k)) {
        seen.add(k);
        total.set(k, (total.get(k) ?? 0) + ms);
      }
    }
  }
  const rows = (m: Map<string, number>) => [...m.entries()]
    .filter(([k]) => !/^\((root|program|idle|garbage collector)\)/.test(k) || k.startsWith('(garbage collector)'))
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([k]) => {
      const [fn, where] = k.split('\t');
      return { fn, where, selfMs: self.get(k) ?? 0, totalMs: total.get(k) ?? 0 };
    });
  return { bySelf: rows(self), byTotal: rows(total), totalMs: (profile.endTime - profile.startTime) / 1000 };
}

function location(n: CpuProfileNode): string {
  const url = n.callFrame.url.replace(/^file:\/\//, '');
  if (!url) {
    return '';
  }
  const rel = path.relative(process.cwd(), url);
  return `${rel.startsWith('..') ? path.basename(url) : rel}:${n.callFrame.lineNumber + 1}`;
}

if (require.main === module) {
  const [file, top] = process.argv.slice(2);
  const s = summarizeProfile(file, Number(top ?? 15));
  const print = (title: string, rows: ProfileRow[]) => {
    console.log(`${title} (profile ${s.totalMs.toFixed(0)} ms)`);
    for (const r of rows) {
      console.log(`  ${r.selfMs.toFixed(0).padStart(7)} self ${r.totalMs.toFixed(0).padStart(7)} total  ${r.fn}  ${r.where}`);
    }
  };
  print('by self time', s.bySelf);
  print('by total time', s.byTotal);
}
