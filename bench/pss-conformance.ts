/**
 * Measures `checkManifests` against Kubernetes' own Pod Security Admission fixtures
 * (`staging/src/k8s.io/pod-security-admission/test/testdata/` of kubernetes/kubernetes,
 * laid out as `<level>/v<version>/{pass,fail}/*.yaml`) and prints the agreement per level
 * and version. The fixtures are not part of this repository: pass their folder.
 *
 * A fixture agrees when:
 * - restricted `fail`: some `pss-*` error; restricted `pass`: no `pss-*` error;
 * - baseline `fail` (checked at level baseline): some `pss-baseline/*` error; `pass`: no `pss-*` error.
 *
 *   npx ts-node --transpile-only bench/pss-conformance.ts <fixtures> [--verbose]
 */
import * as fs from 'fs';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { checkManifests } from '../lib/policy';

type Level = 'baseline' | 'restricted';

function main(): void {
  const [root, ...flags] = process.argv.slice(2);
  if (root === undefined) {
    console.error('usage: pss-conformance.ts <fixtures folder> [--verbose]');
    process.exit(2);
  }
  const verbose = flags.includes('--verbose');
  const levels: Level[] = ['restricted', 'baseline'];
  const versions = [...new Set(levels.flatMap((l) => fs.readdirSync(path.join(root, l))))]
    .sort((a, b) => Number(a.split('.')[1]) - Number(b.split('.')[1]));
  const rows: string[] = [`| level | ${versions.map((v) => v.slice(1)).join(' | ')} |`, `|---|${versions.map(() => '---|').join('')}`];
  for (const level of levels) {
    const cells: string[] = [];
    for (const version of versions) {
      let agree = 0;
      let total = 0;
      for (const expect of ['pass', 'fail'] as const) {
        const dir = path.join(root, level, version, expect);
        for (const file of fs.existsSync(dir) ? fs.readdirSync(dir).sort() : []) {
          const objects = parseAllDocuments(fs.readFileSync(path.join(dir, file), 'utf8')).map((d) => d.toJS() as unknown);
          const findings = checkManifests(objects, { level, kubernetesVersion: version.slice(1) })
            .filter((f) => f.severity === 'error' && f.rule.startsWith(expect === 'fail' && level === 'baseline' ? 'pss-baseline/' : 'pss-'));
          const ok = expect === 'fail' ? findings.length > 0 : findings.length === 0;
          total++;
          agree += ok ? 1 : 0;
          if (!ok && verbose) {
            console.log(`${level} ${version} ${expect}/${file}: ${findings.map((f) => f.rule).join(', ') || 'no pss error'}`);
          }
        }
      }
      cells.push(`${(Math.floor((1000 * agree) / total) / 10).toFixed(1)}%`);
    }
    rows.push(`| ${level} | ${cells.join(' | ')} |`);
  }
  console.log(rows.join('\n'));
}

main();
