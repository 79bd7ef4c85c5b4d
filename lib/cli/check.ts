import { promises as fs } from 'fs';
import * as path from 'path';
import { ValidationError } from '../model/errors';
import { Finding, POLICY_RULES, checkFiles, countFindings, listPolicyFiles } from '../policy';
import type { CliIo } from './main';

const HELP = `usage: goship check <dir|file> [--json] [--skip <rule>]...

Checks Kubernetes YAML (*.yaml, *.yml, multi-document) and Dockerfiles (Dockerfile,
Dockerfile.*, *.Dockerfile) under <dir>, skipping node_modules and hidden folders:
Pod Security "restricted", probes, resources, image tags, selectors and Service ports;
a numeric non-root USER, CGO_ENABLED=0 for static bases, exec-form ENTRYPOINT, pinned bases.

  --json         print {"errors", "warnings", "findings"} as JSON
  --skip <rule>  do not run a rule (repeatable); --list-rules shows them
  --list-rules   print every rule id, severity and description

Exit code: 0 no errors (warnings allowed), 1 at least one error, 2 bad usage.`;

/**
 * `goship check <dir|file> [--json] [--skip <rule>]...`: runs the policy gate over a folder
 * of synthesized (or any) manifests and Dockerfiles and prints what it finds.
 *
 * @returns 0 when there is no error-severity finding, 1 when there is one, 2 on bad usage
 * @example
 * goship check dist
 */
export async function run(args: readonly string[], io: CliIo): Promise<number> {
  let json = false;
  const skip: string[] = [];
  const targets: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--help' || a === '-h') {
      io.out(HELP);
      return 0;
    } else if (a === '--list-rules') {
      for (const r of POLICY_RULES) {
        io.out(`${r.id.padEnd(42)} ${r.severity.padEnd(7)} ${r.description}`);
      }
      return 0;
    } else if (a === '--json') {
      json = true;
    } else if (a === '--skip' || a.startsWith('--skip=')) {
      const v = a === '--skip' ? args[++i] : a.slice('--skip='.length);
      if (v === undefined || v === '') {
        return usageError(io, '--skip needs a rule id');
      }
      skip.push(...v.split(','));
    } else if (a.startsWith('-')) {
      return usageError(io, `unknown option '${a}'`);
    } else {
      targets.push(a);
    }
  }
  if (targets.length !== 1) {
    return usageError(io, targets.length === 0 ? 'no folder given' : `one folder or file, got ${targets.length}`);
  }

  const target = targets[0];
  let stat;
  try {
    stat = await fs.stat(target);
  } catch {
    return usageError(io, `'${target}' does not exist`);
  }
  const [root, files] = stat.isDirectory()
    ? [target, await listPolicyFiles(target)]
    : [path.dirname(target), [path.basename(target)]];
  if (files.length === 0) {
    return usageError(io, `no YAML file or Dockerfile under '${target}'`);
  }

  let findings: Finding[];
  try {
    findings = await checkFiles(root, files, { skip });
  } catch (e) {
    if (e instanceof ValidationError) {
      return usageError(io, e.message);
    }
    throw e;
  }
  const { errors, warnings } = countFindings(findings);
  if (json) {
    io.out(JSON.stringify({ errors, warnings, findings }, undefined, 2));
  } else {
    io.out(formatFindings(findings, files.length));
  }
  return errors > 0 ? 1 : 0;
}

/**
 * Renders findings for a terminal, grouped under `file  Kind/name` (or `file:line`) headers,
 * with an `N errors, M warnings` summary.
 */
export function formatFindings(findings: readonly Finding[], fileCount: number): string {
  const lines: string[] = [];
  let header: string | undefined;
  for (const f of findings) {
    const where = [f.file === undefined ? undefined : `${f.file}${f.line !== undefined ? `:${f.line}` : ''}`, f.object]
      .filter((x) => x !== undefined).join('  ');
    if (where !== header) {
      lines.push(...(header === undefined ? [] : ['']), where || '(input)');
      header = where;
    }
    lines.push(`  ${f.severity.padEnd(7)} ${f.rule}`, `          ${f.message}`);
  }
  const { errors, warnings } = countFindings(findings);
  const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? '' : 's'}`;
  const checked = `${plural(fileCount, 'file')} checked`;
  lines.push(...(lines.length > 0 ? [''] : []), findings.length === 0
    ? `no findings, ${checked}`
    : `${plural(errors, 'error')}, ${plural(warnings, 'warning')}, ${checked}`);
  return lines.join('\n');
}

function usageError(io: CliIo, message: string): number {
  io.err(`goship check: ${message}`);
  io.err("Run 'goship check --help' for usage.");
  return 2;
}
