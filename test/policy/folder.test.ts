import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { checkFolder, checkInputs, listPolicyFiles } from '../../lib/policy';
import { sampleRepo, tree } from './fixtures';

describe('checkFolder', () => {
  test('lists YAML files and Dockerfiles, sorted, skipping node_modules, hidden folders and ignore files', async () => {
    const dir = sampleRepo();
    expect(await listPolicyFiles(dir)).toEqual([
      'Dockerfile',
      'Dockerfile.dev',
      'cdk8s.yaml',
      'chart/templates/deployment.yaml',
      'deploy/broken.yaml',
      'deploy/hello-svc.yml',
      'deploy/hello.yaml',
      'images/api/Dockerfile',
      'worker.Dockerfile',
    ]);
    fs.rmSync(dir, { recursive: true });
  });

  test('checks every file, matches a Service with a Deployment from another file, and names files relative to the folder', async () => {
    // GIVEN the sample repository
    const dir = sampleRepo();
    // WHEN
    const findings = await checkFolder(dir);
    fs.rmSync(dir, { recursive: true });
    // THEN
    expect(findings.map((f) => [f.file, f.line, f.object, f.severity, f.rule])).toEqual([
      ['Dockerfile', 2, undefined, 'warning', 'dockerfile/pinned-builder-image'],
      ['Dockerfile', 11, undefined, 'error', 'dockerfile/non-root-user'],
      ['chart/templates/deployment.yaml', 4, undefined, 'warning', 'yaml/template'],
      ['deploy/broken.yaml', 3, undefined, 'error', 'yaml/syntax'],
      ['deploy/hello-svc.yml', 1, 'Service/hello', 'error', 'service/target-port'],
      ['worker.Dockerfile', 16, undefined, 'error', 'dockerfile/exec-form-no-shell'],
    ]);
    expect(findings.every((f) => !path.isAbsolute(f.file ?? ''))).toBe(true);
    expect(findings.find((f) => f.rule === 'yaml/syntax')?.message)
      .toBe('Flow map in block collection must be sufficiently indented and end with a } — kubectl and GitOps tools refuse the whole file — fix the YAML');
    expect(findings.find((f) => f.rule === 'service/target-port')?.message)
      .toMatch(/^port 'http' \(80\) targets 'web', which no container of Deployment\/hello declares \(8080 'http'\)/);
  });

  test('an empty folder has no findings', async () => {
    const dir = tree({});
    expect(await checkFolder(dir)).toEqual([]);
    fs.rmSync(dir, { recursive: true });
  });

  test('fails if the folder does not exist', async () => {
    await expect(checkFolder(path.join(os.tmpdir(), 'goship-no-such-folder'))).rejects.toThrow(/ENOENT/);
  });
});

describe('checkInputs', () => {
  test('resolves YAML merge keys, so shared blocks are checked as the API server sees them', () => {
    // GIVEN a Deployment whose container comes from an anchor merged with <<:, the second document
    const yaml = `kind: ConfigMap
metadata: {name: shared}
---
x-container: &base
  image: ghcr.io/acme/hello:1a2b3c4
  securityContext: {privileged: true}
apiVersion: apps/v1
kind: Deployment
metadata: {name: hello}
spec:
  selector: {matchLabels: {app: hello}}
  template:
    metadata: {labels: {app: hello}}
    spec:
      containers:
        - <<: *base
          name: app
`;
    // WHEN
    const report = checkInputs([{ file: 'hello.yaml', text: yaml, type: 'yaml' }]);
    // THEN the merged image and securityContext are seen (no "container has no image"), at the document's line
    const rules = report.findings.map((f) => `${f.line} ${f.rule}`);
    expect(rules).toContain('4 pss-baseline/privileged');
    expect(rules).not.toContain('4 image/tag');
    expect(report).toMatchObject({ objects: 2, checked: 1, skippedKinds: { ConfigMap: 1 } });
  });
});
