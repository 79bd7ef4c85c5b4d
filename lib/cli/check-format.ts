import { CheckReport, Finding, POLICY_RULES, Severity, countFindings } from '../policy';

/**
 * How `goship check` prints a report: for a terminal, as JSON, as SARIF 2.1.0 (code
 * scanning) or as GitHub Actions workflow commands (annotations on the pull request).
 */

/** The output formats of `goship check --format`. */
export const FORMATS = ['text', 'json', 'sarif', 'github'] as const;
/** One of {@link FORMATS}. */
export type Format = (typeof FORMATS)[number];

/** Renders a report in a format. */
export function formatReport(report: CheckReport, format: Format): string {
  return { text: formatText, json: formatJson, sarif: formatSarif, github: formatGithub }[format](report);
}

const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? '' : 's'}`;

/**
 * Text from the checked files (kinds, names, paths, messages quoting values) made safe for a
 * terminal or a log: control characters (line breaks, escape sequences, U+0085, U+2028/9)
 * are written as `\u{…}`, so one finding stays on one line and cannot fake another.
 */
export function printable(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => `\\u{${c.charCodeAt(0).toString(16)}}`);
}

/** What was looked at: `9 files: 2 of 3 objects checked, 4 Dockerfiles`, and the kinds no rule inspects. */
export function describeCoverage(report: CheckReport): string[] {
  const lines = [`${plural(report.files, 'file')}: ${report.checked} of ${plural(report.objects, 'Kubernetes object')} checked, ${plural(report.dockerfiles, 'Dockerfile')}`];
  const skipped = Object.entries(report.skippedKinds);
  if (skipped.length > 0) {
    lines.push(`not checked (no rule reads them): ${skipped.map(([k, n]) => `${k} ×${n}`).join(', ')}`);
  }
  return lines;
}

/** For a terminal: findings grouped under `file:line  Kind/name` headers, then counts and coverage. */
export function formatText(report: CheckReport): string {
  const lines: string[] = [];
  let header: string | undefined;
  for (const f of report.findings) {
    const where = [f.file === undefined ? undefined : `${f.file}${f.line !== undefined ? `:${f.line}` : ''}`, f.object]
      .filter((x) => x !== undefined).join('  ');
    if (where !== header) {
      lines.push(...(header === undefined ? [] : ['']), printable(where) || '(input)');
      header = where;
    }
    lines.push(`  ${f.severity.padEnd(7)} ${f.rule}`, `          ${printable(f.message)}`);
  }
  const { errors, warnings, notices } = countFindings(report.findings);
  const counts = [plural(errors, 'error'), plural(warnings, 'warning'), ...(notices > 0 ? [plural(notices, 'notice')] : [])].join(', ');
  lines.push(...(lines.length > 0 ? [''] : []), report.findings.length === 0 ? 'no findings' : counts, ...describeCoverage(report).map(printable));
  return lines.join('\n');
}

/** `{ errors, warnings, notices, files, dockerfiles, objects, checked, skippedKinds, findings }`. */
export function formatJson(report: CheckReport): string {
  const { findings, ...coverage } = report;
  return JSON.stringify({ ...countFindings(findings), ...coverage, findings }, undefined, 2);
}

const SARIF_LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = { error: 'error', warning: 'warning', notice: 'note' };

/**
 * SARIF 2.1.0, as code scanning reads it: one run of the `goship` tool, every rule in
 * `tool.driver.rules`, one result per finding located by file (and line when known).
 */
export function formatSarif(report: CheckReport): string {
  const rules = POLICY_RULES.map((r) => ({
    id: r.id,
    shortDescription: { text: r.description },
    defaultConfiguration: { level: SARIF_LEVEL[r.severity] },
  }));
  const index = new Map(rules.map((r, i) => [r.id, i]));
  const results = report.findings.map((f) => ({
    ruleId: f.rule,
    ...(index.has(f.rule) ? { ruleIndex: index.get(f.rule) } : {}),
    level: SARIF_LEVEL[f.severity],
    message: { text: f.object !== undefined ? `${f.object}: ${f.message}` : f.message },
    ...(f.file !== undefined ? {
      locations: [{
        physicalLocation: {
          artifactLocation: { uri: encodeURI(f.file) },
          ...(f.line !== undefined ? { region: { startLine: f.line } } : {}),
        },
        ...(f.object !== undefined ? { logicalLocations: [{ name: f.object, kind: 'object' }] } : {}),
      }],
    } : {}),
  }));
  return JSON.stringify({
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [{ tool: { driver: { name: 'goship', rules } }, results }],
  }, undefined, 2);
}

/**
 * Escapes a workflow command's message (`%`, CR, LF) or property value (also `:` and `,`).
 * Other control characters are written as `\u{…}` (see {@link printable}).
 */
function escapeCommand(text: string, property = false): string {
  const s = printable(text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A'));
  return property ? s.replace(/:/g, '%3A').replace(/,/g, '%2C') : s;
}

/** GitHub Actions workflow commands: `::error file=…,line=…,title=<rule>::<message>`, then a summary line. */
export function formatGithub(report: CheckReport): string {
  const lines = report.findings.map((f: Finding) => {
    const props = [
      ...(f.file !== undefined ? [`file=${escapeCommand(f.file, true)}`] : []),
      ...(f.line !== undefined ? [`line=${f.line}`] : []),
      `title=${escapeCommand(f.rule, true)}`,
    ];
    const message = f.object !== undefined ? `${f.object}: ${f.message}` : f.message;
    return `::${f.severity} ${props.join(',')}::${escapeCommand(message)}`;
  });
  const { errors, warnings, notices } = countFindings(report.findings);
  // Not a command, but a line of the log all the same: escaped so that no kind or name can start one.
  lines.push(`goship check: ${plural(errors, 'error')}, ${plural(warnings, 'warning')}, ${plural(notices, 'notice')}; ${escapeCommand(describeCoverage(report).join('; '))}`);
  return lines.join('\n');
}
