/**
 * Runs `goship check` over the manifests of real repositories and prints, per repository, what
 * was read and what was found: files, objects, objects checked, Kustomize patches, files not
 * read (templates, YAML errors), and errors split by who else refuses them (Pod Security, the
 * API server, kubectl) against goship's own policy. The repositories are not part of this one:
 * check them out and pass their folders.
 *
 *   npx ts-node --transpile-only bench/check-repos.ts <name>@<commit>=<folder>[,<folder>]... [--rules]
 *
 * e.g. `argo-cd@37ee009=argo-cd/manifests`. `--rules` also prints the findings by rule and severity.
 */
import { POLICY_RULES, checkInputs, listPolicyFiles, readInputs, ruleSource } from '../lib/policy';
import type { CheckReport, Finding } from '../lib/policy';

interface Row {
  readonly name: string;
  readonly folders: readonly string[];
  readonly report: CheckReport;
}

async function check(folders: readonly string[]): Promise<CheckReport> {
  // Paths relative to the working directory, as `goship check <folder>...` names them.
  const inputs = (await Promise.all(folders.map(async (folder) => readInputs('.', (await listPolicyFiles(folder)).map((f) => `${folder}/${f}`))))).flat();
  return checkInputs(inputs, { kubernetesVersion: '1.33' });
}

const count = (findings: readonly Finding[], keep: (f: Finding) => boolean) => findings.filter(keep).length;

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const specs = args.filter((a) => !a.startsWith('--'));
  if (specs.length === 0 || specs.some((s) => !s.includes('='))) {
    console.error('usage: check-repos.ts <name>@<commit>=<folder>[,<folder>]... [--rules]');
    process.exit(2);
  }
  const rows: Row[] = [];
  for (const spec of specs) {
    const [name, folders] = spec.split('=');
    rows.push({ name, folders: folders.split(','), report: await check(folders.split(',')) });
  }
  console.log('| repository @ commit | folders | files | objects | checked | Kustomize patches | files not read | errors: Kubernetes also | errors: goship policy | warnings | notices |');
  console.log('|---|---|---|---|---|---|---|---|---|---|---|');
  for (const { name, folders, report } of rows) {
    const f = report.findings;
    const patches = Object.entries(report.skippedKinds).filter(([k]) => k.endsWith('(Kustomize patch)')).reduce((n, [, v]) => n + v, 0);
    const unread = new Set(f.filter((x) => x.rule === 'yaml/syntax' || x.rule === 'yaml/template').map((x) => x.file)).size;
    const errors = f.filter((x) => x.severity === 'error');
    console.log(`| ${name} | ${folders.map((x) => `\`${x.split('/').slice(1).join('/') || '.'}\``).join(', ')} | ${report.files} | ${report.objects} | ${report.checked} | ${patches} | ${unread} | `
      + `${count(errors, (x) => ruleSource(x.rule) !== 'goship')} | ${count(errors, (x) => ruleSource(x.rule) === 'goship')} | `
      + `${count(f, (x) => x.severity === 'warning')} | ${count(f, (x) => x.severity === 'notice')} |`);
  }
  if (args.includes('--rules')) {
    for (const { name, report } of rows) {
      const by = new Map<string, number>();
      for (const x of report.findings) {
        by.set(`${x.rule} ${x.severity}`, (by.get(`${x.rule} ${x.severity}`) ?? 0) + 1);
      }
      const order = (k: string) => POLICY_RULES.findIndex((r) => r.id === k.split(' ')[0]);
      console.log(`\n${name}: ${[...by].sort(([a], [b]) => order(a) - order(b)).map(([k, n]) => `${k} ×${n}`).join(', ')}`);
    }
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
