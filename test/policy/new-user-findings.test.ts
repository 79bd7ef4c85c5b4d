import { stringify } from 'yaml';
import { checkDockerfile, checkFolder, checkInputs, checkManifests, listPolicyFiles, readInputs } from '../../lib/policy';
import { corpus } from './corpus';
import { Obj, appOf, container, deployment, podOf, service, tree } from './fixtures';

const yamlDocs = (...docs: unknown[]) => docs.map((d) => stringify(d)).join('---\n');
const privileged = () => {
  const d = deployment('bad');
  appOf(d).securityContext.privileged = true;
  return d;
};

describe('goship check reads everything it is given', () => {
  test('.json manifests in a folder are read, pretty-printed with tabs too', async () => {
    // GIVEN a folder with a JSON Deployment (tab-indented) and a JSON List
    const list = { apiVersion: 'v1', kind: 'List', items: [privileged()] };
    const dir = tree({
      'deploy/bad.json': JSON.stringify(privileged(), null, '\t'),
      'deploy/list.json': JSON.stringify(list),
      'tsconfig.json': '{ // comments: not JSON, not a manifest\n "compilerOptions": {} }\n',
    });
    // WHEN
    const findings = await checkFolder(dir);
    // THEN both files were read; the tsconfig is no manifest and says nothing
    expect(findings.filter((f) => f.rule === 'pss-baseline/privileged').map((f) => f.file)).toEqual(['deploy/bad.json', 'deploy/list.json']);
    expect(findings.filter((f) => f.file === 'tsconfig.json')).toEqual([]);
  });

  test('a file with {{ }} in alert annotations is checked: a privileged Deployment in it is an error', async () => {
    // GIVEN a Prometheus rule with templates in strings and block scalars, and a bad Deployment
    const rule = {
      apiVersion: 'monitoring.coreos.com/v1', kind: 'PrometheusRule', metadata: { name: 'alerts' },
      spec: { groups: [{ name: 'a', rules: [{ alert: 'Down', expr: 'up == 0', annotations: { summary: 'Instance {{ $labels.instance }} down', description: '{{ $value }}\nis down\n' } }] }] },
    };
    const dir = tree({ 'all.yaml': yamlDocs(rule, privileged()) });
    // WHEN
    const findings = await checkFolder(dir);
    // THEN
    expect(findings.map((f) => f.rule)).toContain('pss-baseline/privileged');
    expect(findings.map((f) => f.rule)).not.toContain('yaml/template');
  });

  test('a Helm template is reported per file, as not parsing, and nothing else from it', async () => {
    const dir = tree({
      'chart/templates/a.yaml': 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\nspec:\n  replicas: {{ .Values.replicas }}\n',
      'chart/templates/b.yaml': '{{- if .Values.enabled }}\napiVersion: v1\nkind: Service\nmetadata:\n  name: x\n{{- end }}\n',
      'values.yaml': 'replicas: 2\n',
    });
    const findings = await checkFolder(dir);
    expect(findings.map((f) => `${f.file} ${f.rule} ${f.severity}`)).toEqual([
      'chart/templates/a.yaml yaml/template warning',
      'chart/templates/b.yaml yaml/template warning',
    ]);
    expect(findings[0].message).toContain('does not parse as YAML where it has {{ … }}');
  });

  test('an extensions/v1beta1 Deployment is an error at 1.33, naming the replacement', () => {
    const d = { ...deployment(), apiVersion: 'extensions/v1beta1' };
    const found = checkManifests([d, service()], { kubernetesVersion: '1.33' }).filter((f) => f.rule === 'api/removed-version');
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ severity: 'error', object: 'Deployment/hello' });
    expect(found[0].message).toBe('Deployment at apiVersion extensions/v1beta1 was removed in Kubernetes 1.16 — the API server of 1.33 rejects it (no matches for kind "Deployment" in version "extensions/v1beta1") — use apiVersion: apps/v1 (which requires spec.selector)');
  });

  test('a version removed later is an error only from that version on', () => {
    const hpa = { apiVersion: 'autoscaling/v2beta2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'h' }, spec: {} };
    expect(checkManifests([hpa], { kubernetesVersion: '1.25' }).map((f) => f.rule)).not.toContain('api/removed-version');
    expect(checkManifests([hpa], { kubernetesVersion: '1.26' }).map((f) => f.rule)).toContain('api/removed-version');
  });
});

describe('no false alarms stated as fact', () => {
  const dockerfile = (from: string) => `FROM golang:1.22 AS build\nRUN CGO_ENABLED=0 go build -o /app .\nFROM ${from}\nCOPY --from=build /app /app\nENTRYPOINT ["/app"]\n`;
  const userFindings = (from: string) => checkDockerfile(dockerfile(from)).filter((f) => f.rule === 'dockerfile/non-root-user');

  test('distroless :nonroot without USER runs as 65532: no finding', () => {
    expect(userFindings(`gcr.io/distroless/static:nonroot@sha256:${'a'.repeat(64)}`)).toEqual([]);
    expect(userFindings('gcr.io/distroless/static-debian12:debug-nonroot')).toEqual([]);
  });

  test('scratch or distroless :latest without USER is root: an error', () => {
    expect(userFindings('scratch').map((f) => f.severity)).toEqual(['error']);
    expect(userFindings('gcr.io/distroless/static:latest').map((f) => f.severity)).toEqual(['error']);
  });

  test('an unknown base without USER is a notice that says it does not know', () => {
    const [f] = userFindings('registry.internal/base/runtime:3');
    expect(f.severity).toBe('notice');
    expect(f.message).toContain("runs as the user of its base 'registry.internal/base/runtime:3', which goship does not know");
  });

  test('a Kustomize base without selector, under a kustomization with commonLabels, is a notice', async () => {
    const d = deployment();
    delete d.spec.selector;
    const dir = tree({
      'base/deployment.yaml': yamlDocs(d),
      'base/kustomization.yaml': 'resources:\n  - deployment.yaml\n',
      'overlays/prod/kustomization.yaml': 'resources:\n  - ../../base\ncommonLabels:\n  app: hello\n',
    });
    const found = (await checkFolder(dir)).filter((f) => f.rule === 'selector/matches-template');
    expect(found.map((f) => f.severity)).toEqual(['notice']);
    expect(found[0].message).toContain('overlays/prod/kustomization.yaml adds labels with selectors');
    // without the kustomization it stays an error
    const alone = (await checkFolder(tree({ 'deployment.yaml': yamlDocs(d) }))).filter((f) => f.rule === 'selector/matches-template');
    expect(alone.map((f) => f.severity)).toEqual(['error']);
  });

  test('an init container without requests is not told the scheduler places the pod blindly; a native sidecar is', () => {
    const d = deployment();
    const init = { ...container('migrate'), resources: { limits: { memory: '64Mi' } } };
    const sidecar = { ...container('proxy'), restartPolicy: 'Always', resources: { limits: { memory: '64Mi' } } };
    podOf(d).initContainers = [init, sidecar];
    const found = checkManifests([d, service()]).filter((f) => f.rule === 'resources/requests');
    expect(found.map((f) => f.message)).toEqual([expect.stringContaining("init container 'proxy' requests no cpu")]);
  });

  test('a worker no Service selects gets a readiness notice worded as a doubt, not an error about traffic', () => {
    const worker = deployment('worker');
    delete appOf(worker).readinessProbe;
    const found = checkManifests([worker]).filter((f) => f.rule === 'probes/readiness');
    expect(found.map((f) => f.severity)).toEqual(['notice']);
    expect(found[0].message).toContain('no Service in the checked files selects its pods');
    expect(found[0].message).not.toContain('a rollout sends traffic');
    // with a Service in front it is still an error
    const web = deployment();
    delete appOf(web).readinessProbe;
    expect(checkManifests([web, service()]).filter((f) => f.rule === 'probes/readiness').map((f) => f.severity)).toEqual(['error']);
  });

  test('nginx and redis get no Go advice; a container known to be Go does', () => {
    const plain = (image: string): Obj => {
      const d = deployment();
      appOf(d).image = image;
      delete appOf(d).resources.limits;
      delete appOf(d).securityContext.readOnlyRootFilesystem;
      return d;
    };
    const messages = (d: Obj) => checkManifests([d, service()]).filter((f) => ['resources/memory-limit', 'container/read-only-root-filesystem'].includes(f.rule)).map((f) => f.message).join('\n');
    for (const image of ['nginx:1.27', 'redis:7.4']) {
      const text = messages(plain(image));
      expect(text).toContain('has no memory limit');
      expect(text).not.toMatch(/GOMEMLIMIT|Go binary/);
    }
    const go = plain('ghcr.io/acme/api:1');
    appOf(go).env = [{ name: 'GOMEMLIMIT', value: '100MiB' }];
    expect(messages(go)).toMatch(/GOMEMLIMIT a little below it[\s\S]*a static Go binary needs no writes there/);
  });
});

describe('the corpus of the five repositories a new user checked', () => {
  test('every object is read, and every error is one the API server or Pod Security also raises', async () => {
    // GIVEN files shaped like argo-cd, ingress-nginx, kube-prometheus, microservices-demo and kubernetes/examples
    const { files, objects } = corpus();
    const dir = tree(files);
    // WHEN
    const report = checkInputs(await readInputs(dir, await listPolicyFiles(dir)), { kubernetesVersion: '1.33' });
    // THEN no object goes unread and no file is skipped; the template, which kubectl cannot
    // read either, is reported, and the key given twice is read as kubectl reads it
    expect(report.objects).toBe(objects);
    expect(report.files).toBe(Object.keys(files).length);
    expect(report.findings.filter((f) => f.rule.startsWith('yaml/')).map((f) => `${f.file}:${f.line} ${f.rule} ${f.severity}`)).toEqual([
      'examples/openshift-origin/etcd-controller.yaml:12 yaml/duplicate-key warning',
      'examples/storage/vitess/vtgate-controller-template.yaml:6 yaml/template warning',
    ]);
    // AND the only errors: the removed API versions
    expect(report.findings.filter((f) => f.severity === 'error').map((f) => `${f.file} ${f.rule}`)).toEqual([
      'examples/legacy/deployment.yaml api/removed-version',
      'examples/volumes/flexvolume/ds.yaml api/removed-version',
    ]);
    // AND the Kustomize base's selector is a notice, not an error
    expect(report.findings.filter((f) => f.rule === 'selector/matches-template').map((f) => f.severity)).toEqual(['notice']);
    // AND Kustomize patches are counted, not checked as objects
    expect(report.skippedKinds).toMatchObject({ 'Deployment (Kustomize patch)': 2, 'ConfigMap (Kustomize patch)': 1 });
    // AND Services whose pods goship cannot see are notices worded as a doubt
    expect(report.findings.filter((f) => f.rule.startsWith('service/selector')).map((f) => `${f.object} ${f.severity}`)).toEqual([
      'Service/gke-managed-dcgm-exporter notice',
      'Service/vtgate notice',
    ]);
  });
});
