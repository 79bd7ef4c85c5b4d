import '@microsoft/jest-sarif';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { stringify } from 'yaml';
import { CheckEnv, run } from '../../lib/cli/check';
import { CliIo, main } from '../../lib/cli/main';
import { POLICY_RULES } from '../../lib/policy';
import { GOOD_DOCKERFILE, PINNED_DOCKERFILE, deployment, sampleRepo, service, tree } from '../policy/fixtures';

/** Captures what a command writes. */
function capture(): CliIo & { stdout: () => string; stderr: () => string } {
  const out: string[] = [];
  const err: string[] = [];
  return { out: (t) => out.push(t), err: (t) => err.push(t), stdout: () => out.join('\n'), stderr: () => err.join('\n') };
}

/** Runs `goship check` in a folder. */
async function check(args: string[], cwd: string, env: Omit<CheckEnv, 'cwd'> = {}) {
  const io = capture();
  const code = await run(args, io, { cwd, ...env });
  return { code, stdout: io.stdout(), stderr: io.stderr() };
}

describe('goship check', () => {
  let repo: string;
  beforeAll(() => {
    repo = sampleRepo();
  });
  afterAll(() => fs.rmSync(repo, { recursive: true }));

  test('prints each finding under its file, line and object, counts them and what was checked, and exits 1 on an error', async () => {
    const { code, stdout, stderr } = await check(['.'], repo);
    expect(code).toBe(1);
    expect(stdout).toContain([
      'deploy/hello-svc.yml:1  Service/hello',
      '  error   service/target-port',
      "          port 'http' (80) targets 'web', which no container of Deployment/hello declares (8080 'http') — a name that no container declares does not resolve: the Service has no endpoints for this port and requests fail although the pods are ready — set targetPort to the name or number of the container port",
    ].join('\n'));
    expect(stdout).toContain('Dockerfile:11\n  error   dockerfile/non-root-user\n          the final stage sets no USER — ');
    expect(stdout.split('\n').slice(-2)).toEqual(['4 errors, 2 warnings', '9 files: 2 of 2 Kubernetes objects checked, 4 Dockerfiles']);
    expect(stderr).toBe('');
  });

  test('exits 0 when there are only warnings', async () => {
    const dir = tree({ Dockerfile: GOOD_DOCKERFILE });
    expect(await check([dir], os.tmpdir())).toMatchObject({ code: 0, stdout: expect.stringMatching(/\n0 errors, 1 warning\n1 file: 0 of 0 Kubernetes objects checked, 1 Dockerfile$/) });
    fs.rmSync(dir, { recursive: true });
  });

  test('exits 0 and says what it checked when nothing is found', async () => {
    const dir = tree({ 'a/Dockerfile': PINNED_DOCKERFILE });
    expect(await check(['.'], dir)).toEqual({ code: 0, stdout: 'no findings\n1 file: 0 of 0 Kubernetes objects checked, 1 Dockerfile', stderr: '' });
    fs.rmSync(dir, { recursive: true });
  });

  test('--json prints counts, coverage and findings with file, line, object, rule and severity', async () => {
    const { code, stdout } = await check(['--json', '.'], repo);
    expect(code).toBe(1);
    const report = JSON.parse(stdout);
    expect(report).toMatchObject({ errors: 4, warnings: 2, notices: 0, files: 9, dockerfiles: 4, objects: 2, checked: 2, skippedKinds: {} });
    expect(report.findings).toHaveLength(6);
    expect(report.findings[0]).toEqual({
      rule: 'dockerfile/pinned-builder-image', severity: 'warning', file: 'Dockerfile', line: 2, message: expect.stringContaining("stage 'build' uses 'golang:1.19'"),
    });
    expect(report.findings.find((f: { rule: string }) => f.rule === 'service/target-port')).toEqual({
      rule: 'service/target-port', severity: 'error', file: 'deploy/hello-svc.yml', line: 1, object: 'Service/hello', message: expect.any(String),
    });
  });

  test('--skip leaves rules and groups out (repeated or comma-separated)', async () => {
    const { code, stdout } = await check(['.', '--skip', 'dockerfile/non-root-user', '--skip=service,yaml/syntax,dockerfile/exec-form-no-shell', '--json'], repo);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ errors: 0, warnings: 2 });
  });

  test('checks several paths, globs and standard input together', async () => {
    // GIVEN the Deployment on stdin, its Service in a file, and Dockerfiles matched by a glob
    const stdin = async () => stringify(deployment());
    const { code, stdout } = await check(['--json', '-', 'deploy/hello-svc.yml', '*.Dockerfile', 'images/**/Dockerfile'], repo, { stdin });
    // THEN the Service is matched with the Deployment from stdin, and each file is read once
    const report = JSON.parse(stdout);
    expect(code).toBe(1);
    expect(report).toMatchObject({ files: 4, dockerfiles: 2, objects: 2, checked: 2 });
    expect(report.findings.map((f: { file: string; rule: string }) => `${f.file} ${f.rule}`)).toEqual([
      'deploy/hello-svc.yml service/target-port', 'worker.Dockerfile dockerfile/exec-form-no-shell',
    ]);
  });

  test('reads a Dockerfile from standard input', async () => {
    const { code, stdout } = await check(['-'], repo, { stdin: async () => GOOD_DOCKERFILE.replace('USER 65532:65532\n', '') });
    expect(code).toBe(1);
    expect(stdout).toMatch(/^<stdin>:2\n {2}warning dockerfile\/pinned-builder-image/);
  });

  test('--level baseline admits what only restricted refuses; --kubernetes-version picks the controls', async () => {
    // GIVEN a pod without hardening that sets a sysctl made safe in 1.32
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: {
      restartPolicy: 'Never', securityContext: { sysctls: [{ name: 'net.ipv4.tcp_rmem', value: '4096 87380 16777216' }] },
      containers: [{ name: 'app', image: 'ghcr.io/acme/job:1', resources: { requests: { cpu: '1', memory: '1Gi' }, limits: { memory: '1Gi' } }, securityContext: { readOnlyRootFilesystem: true } }],
    } };
    const dir = tree({ 'pod.yaml': stringify(pod) });
    const rules = async (...args: string[]) => JSON.parse((await check(['--json', ...args, '.'], dir)).stdout).findings.map((f: { rule: string }) => f.rule);
    expect(await rules('--level', 'baseline')).toEqual([]);
    expect(await rules('--level=baseline', '--kubernetes-version', '1.31')).toEqual(['pss-baseline/sysctls']);
    expect(await rules()).toEqual([
      'pss-restricted/allow-privilege-escalation', 'pss-restricted/run-as-non-root', 'pss-restricted/seccomp-profile', 'pss-restricted/capabilities',
    ]);
    fs.rmSync(dir, { recursive: true });
  });

  test('--format sarif writes a valid SARIF 2.1.0 log with every rule and located results', async () => {
    const { code, stdout } = await check(['--format', 'sarif', '.'], repo);
    expect(code).toBe(1);
    const log = JSON.parse(stdout);
    expect(log).toBeValidSarifLog();
    const [run_] = log.runs;
    expect(run_.tool.driver.rules).toHaveLength(POLICY_RULES.length);
    expect(run_.results).toHaveLength(6);
    const svc = run_.results.find((r: { ruleId: string }) => r.ruleId === 'service/target-port');
    expect(svc).toMatchObject({
      level: 'error',
      message: { text: expect.stringMatching(/^Service\/hello: port 'http'/) },
      locations: [{ physicalLocation: { artifactLocation: { uri: 'deploy/hello-svc.yml' }, region: { startLine: 1 } }, logicalLocations: [{ name: 'Service/hello' }] }],
    });
    expect(run_.tool.driver.rules[svc.ruleIndex].id).toBe('service/target-port');
  });

  test('the SARIF log of a notice is valid too, at level note', async () => {
    const s = service();
    s.spec.selector = { app: 'db' };
    const dir = tree({ 'db.yaml': [stringify(s), stringify({ apiVersion: 'acid.zalan.do/v1', kind: 'postgresql', metadata: { name: 'db' } })].join('---\n') });
    const { code, stdout } = await check(['--format=sarif', '.'], dir);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toBeValidSarifLog();
    expect(JSON.parse(stdout).runs[0].results.map((r: { level: string; ruleId: string }) => `${r.level} ${r.ruleId}`)).toEqual(['note service/selector-unknown-pods']);
    fs.rmSync(dir, { recursive: true });
  });

  test('--format github writes workflow commands, escaped', async () => {
    const { stdout } = await check(['--format', 'github', '.'], repo);
    const lines = stdout.split('\n');
    expect(lines).toContain("::error file=deploy/hello-svc.yml,line=1,title=service/target-port::Service/hello: port 'http' (80) targets 'web', which no container of Deployment/hello declares (8080 'http') — a name that no container declares does not resolve: the Service has no endpoints for this port and requests fail although the pods are ready — set targetPort to the name or number of the container port");
    expect(lines).toContain(`::warning file=Dockerfile,line=2,title=dockerfile/pinned-builder-image::${JSON.parse((await check(['--json', 'Dockerfile'], repo)).stdout).findings[0].message}`);
    expect(lines.pop()).toBe('goship check: 4 errors, 2 warnings, 0 notices; 9 files: 2 of 2 Kubernetes objects checked, 4 Dockerfiles');
  });

  test('--format github escapes what would end a property or the message', async () => {
    const d = deployment();
    d.spec.template.spec.containers[0].image = 'ghcr.io/acme/hello:latest';
    const dir = tree({ 'a,b: 100%.yaml': stringify(d) });
    const { stdout } = await check(['--format', 'github', '.'], dir);
    expect(stdout.split('\n')[0]).toMatch(/^::error file=a%2Cb%3A 100%25\.yaml,line=1,title=image\/tag::Deployment\/hello: container 'app': image 'ghcr\.io\/acme\/hello:latest' is tagged latest — /);
    fs.rmSync(dir, { recursive: true });
  });

  test('names the kinds no rule reads', async () => {
    const dir = tree({ 'a.yaml': stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } }), 'b.yaml': stringify(deployment()) });
    expect((await check(['.'], dir)).stdout.split('\n').slice(-2)).toEqual([
      '2 files: 1 of 2 Kubernetes objects checked, 0 Dockerfiles', 'not checked (no rule reads them): ConfigMap ×1',
    ]);
    fs.rmSync(dir, { recursive: true });
  });

  test.each([
    ['a folder has only a README', { 'README.md': '# hi\n' }],
    ['the YAML holds no Kubernetes object', { 'values.yaml': 'replicas: 2\nimage: {tag: "1"}\n' }],
  ])('exits 2 with "nothing to check" if %s', async (_what, files) => {
    const dir = tree(files);
    const { code, stderr } = await check(['.'], dir);
    expect(code).toBe(2);
    expect(stderr).toBe('goship check: nothing to check: no Kubernetes object and no Dockerfile in .');
    fs.rmSync(dir, { recursive: true });
  });

  test.each([
    ['no path is given', [], /no path given/],
    ['a path does not exist', [path.join(os.tmpdir(), 'goship-no-such-folder')], /does not exist/],
    ['an option is unknown', ['--fix', '.'], /unknown option '--fix'/],
    ['a skipped rule does not exist', ['--skip', 'pss/nope', '.'], /skip: 'pss\/nope' — not a policy rule or rule group/],
    ['--skip has no value', ['.', '--skip'], /--skip needs a value/],
    ['the level is unknown', ['--level', 'privileged', '.'], /level: 'privileged' — not a Pod Security level goship enforces — use 'baseline' or 'restricted'/],
    ['the Kubernetes version is unknown', ['--kubernetes-version', '1.99', '.'], /kubernetesVersion: '1.99' — goship knows the Pod Security Standards of Kubernetes 1.25 to 1.37/],
    ['the format is unknown', ['--format', 'xml', '.'], /--format takes text, json, sarif, github, not 'xml'/],
  ])('fails with exit code 2 if %s', async (_what, args, message) => {
    const { code, stdout, stderr } = await check(args as string[], repo);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
    expect(stdout).toBe('');
  });

  test('--help documents the exit codes, and --list-rules lists every rule', async () => {
    const help = await check(['--help'], repo);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^usage: goship check \[options\] <path>\.\.\./);
    expect(help.stdout).toMatch(/Exit code: 0 no errors .*, 1 at least one error,\n2 bad usage, or nothing to check/);
    const list = await check(['--list-rules'], repo);
    expect(list.stdout.split('\n')).toHaveLength(POLICY_RULES.length);
    expect(list.stdout).toMatch(/^pss-baseline\/privileged +error +No privileged containers\.$/m);
  });

  test('the goship dispatcher runs it', async () => {
    const io = capture();
    expect(await main(['check', repo, '--json'], io)).toBe(1);
    expect(JSON.parse(io.stdout()).errors).toBe(4);
    const help = capture();
    await main(['--help'], help);
    expect(help.stdout()).toMatch(/^ {2}check +check Kubernetes YAML and Dockerfiles against the policy rules$/m);
  });
});
