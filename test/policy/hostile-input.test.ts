import * as fs from 'fs';
import * as path from 'path';
import { stringify } from 'yaml';
import { run } from '../../lib/cli/check';
import { CliIo } from '../../lib/cli/main';
import { resolvePlain11 } from '../../lib/model/yaml11';
import { deployment, tree } from './fixtures';

/** `goship check` against input written to slip past it. */

async function check(args: string[], cwd: string) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { out: (t) => out.push(t), err: (t) => err.push(t) };
  const code = await run(args, io, { cwd });
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

/** A good Deployment's YAML with one line of its pod spec replaced or added, as a person would type it. */
function podYaml(podLine: string, containerLine = ''): string {
  let text = stringify(deployment());
  text = text.replace(/^( {6})securityContext:\n/m, `$1${podLine}\n$1securityContext:\n`);
  if (containerLine) {
    text = text.replace(/^( {10})securityContext:\n/m, `$1securityContext:\n$1  ${containerLine}\n`);
  }
  return text;
}

describe('goship check reads scalars as kubectl does (YAML 1.1)', () => {
  test.each([
    ['hostNetwork: yes', '', 'pss-baseline/host-namespaces'],
    ['hostPID: on', '', 'pss-baseline/host-namespaces'],
    ['hostIPC: Y', '', 'pss-baseline/host-namespaces'],
    ['', 'privileged: yes', 'pss-baseline/privileged'],
  ])('fails if %s%s is written as a YAML 1.1 boolean', async (pod, container, rule) => {
    const dir = tree({ 'app.yaml': podYaml(pod || 'dnsPolicy: ClusterFirst', container) });
    const { code, stdout } = await check(['--format', 'json', '.'], dir);
    const report = JSON.parse(stdout) as { findings: { rule: string }[] };
    expect(report.findings.map((f) => f.rule)).toContain(rule);
    expect(report.findings.map((f) => f.rule)).toContain('yaml/yaml11-scalar');
    expect(code).toBe(1);
  });

  test('allowPrivilegeEscalation: no is false, as kubectl reads it: no false alarm', async () => {
    const text = stringify(deployment()).replace(/allowPrivilegeEscalation: false/, 'allowPrivilegeEscalation: no');
    expect(text).toContain('allowPrivilegeEscalation: no');
    const { code, stdout } = await check(['--format', 'json', '.'], tree({ 'app.yaml': text }));
    const report = JSON.parse(stdout) as { findings: { rule: string; severity: string }[] };
    expect(report.findings.filter((f) => f.severity !== 'notice')).toEqual([]);
    expect(code).toBe(0);
  });

  test.each([
    ['yes', true], ['Off', false], ['y', true], ['NO', false], ['true', true], ['~', null], ['', null],
    ['0o17', 15], ['0O17', 15], ['0X1F', 31], ['0x1f', 31], ['0B11', 3], ['0b11', 3], ['017', 15], ['1_000', 1000], ['-0x10', -16],
    ['08', 8], ['1e3', 1000], ['.5', 0.5], ['+12', 12], ['2001-12-14', '2001-12-14'], ['1:20', '1:20'], ['0x', '0x'],
    ['yes please', 'yes please'], ['9223372036854775807', 9223372036854775807], ['1e400', '1e400'],
  ])('reads the plain scalar %j as go-yaml v2 does: %j', (source, value) => {
    expect(resolvePlain11(source)).toEqual(value);
  });
});

describe('goship check and templates', () => {
  const privileged = () => podYaml('hostNetwork: true');

  test('fails if {{ … }} in a comment is used to hide a privileged pod', async () => {
    const { code, stdout } = await check(['.'], tree({ 'app.yaml': `# {{ not a template }}\n${privileged()}` }));
    expect(stdout).toContain('pss-baseline/host-namespaces');
    expect(code).toBe(1);
  });

  test('fails if a JSON-style "kind": key and {{ … }} hide an object that parses', async () => {
    const json = JSON.stringify(JSON.parse(JSON.stringify(deployment())));
    const withHost = json.replace('"securityContext":{"runAsNonRoot"', '"hostPID":true,"securityContext":{"runAsNonRoot"');
    const { code, stdout } = await check(['.'], tree({ 'app.yaml': `${withHost}\n# {{ x }}\n` }));
    expect(stdout).toContain('pss-baseline/host-namespaces');
    expect(code).toBe(1);
  });

  test('a real template: the documents that parse are checked, the others reported as template', async () => {
    const text = `${privileged()}---\nkind: Deployment\nmetadata:\n  name: {{ .Values.name }}\n  labels: {{- include "x" . | nindent 4 }}\n`;
    const { code, stdout } = await check(['.'], tree({ 'chart.yaml': text }));
    expect(stdout).toContain('yaml/template');
    expect(stdout).toContain('pss-baseline/host-namespaces');
    expect(stdout).not.toContain('yaml/syntax');
    expect(code).toBe(1);
  });
});

describe('goship check and links, sizes, escapes', () => {
  test('fails if a privileged pod is behind a symbolic link in the checked folder (followed, as kubectl does)', async () => {
    const outside = tree({ 'real.yaml': podYaml('hostNetwork: true') });
    const dir = tree({ 'ok.yaml': stringify(deployment('ok')) });
    fs.symlinkSync(path.join(outside, 'real.yaml'), path.join(dir, 'linked.yaml'));
    fs.symlinkSync(outside, path.join(dir, 'linked-dir'));
    fs.symlinkSync(dir, path.join(dir, 'loop'));
    const { code, stdout } = await check(['.'], dir);
    expect(stdout).toContain('linked.yaml:');
    expect(stdout).toContain('linked-dir/real.yaml:');
    expect(stdout).toContain('pss-baseline/host-namespaces');
    expect(code).toBe(1);
  });

  test('150,000 documents in one file are read, without a stack overflow', async () => {
    const doc = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n---\n';
    const dir = tree({ 'many.yaml': `${doc.repeat(150_000)}${podYaml("hostNetwork: true")}` });
    const { code, stdout } = await check(['.'], dir);
    expect(stdout).toContain('pss-baseline/host-namespaces');
    expect(stdout).toContain('ConfigMap ×150000');
    expect(code).toBe(1);
  });

  test('fails if a file has more documents than the bound, naming the file', async () => {
    const dir = tree({ 'flood.yaml': '---\na: 1\n'.repeat(250_001) });
    const { code, stderr } = await check(['.'], dir);
    expect(stderr).toContain("flood.yaml: the number of YAML documents is over goship's limit of 250000");
    expect(code).toBe(2);
  });

  test('fails if a kind with a line break could write workflow commands in --format github or a fake line in text', async () => {
    const evil = { apiVersion: 'v1', kind: 'X\n::error file=a::forged\n::stop-commands::tok', metadata: { name: 'n\n::warning::w' } };
    const dir = tree({ 'app.yaml': `${stringify(deployment())}---\n${stringify(evil)}` });
    for (const format of ['github', 'text']) {
      const { stdout } = await check(['--format', format, '.'], dir);
      const lines = stdout.split('\n');
      expect(lines.filter((l) => l.startsWith('::'))).toEqual(lines.filter((l) => /^::(error|warning|notice) file=app\.yaml/.test(l)));
      expect(stdout).not.toMatch(/^::stop-commands::/m);
      expect(stdout).not.toMatch(/^::warning::w/m);
    }
  });
});
