import { stringify } from 'yaml';
import { POLICY_RULES, checkInputs, checkManifests, listPolicyFiles, readInputs, readManifestText, ruleSource } from '../../lib/policy';
import { Obj, appOf, deployment, service, tree } from './fixtures';

/**
 * What `goship check` got wrong on the manifests of argo-cd, ingress-nginx, kube-prometheus,
 * microservices-demo and kubernetes/examples (docs/check.md), as small hand-made reductions.
 */

const rules = (findings: readonly { rule: string; severity: string }[]) => findings.map((f) => `${f.rule} ${f.severity}`);

describe('a key given twice', () => {
  const text = stringify(deployment('etcd')).replace('      containers:\n', '      hostNetwork: false\n      hostNetwork: true\n      containers:\n');

  test('is read as kubectl reads it, the last value winning, and reported once with its line', () => {
    // WHEN
    const yaml = readManifestText('etcd.yaml', text);
    // THEN
    expect(yaml.problems).toEqual([]);
    expect(yaml.documents).toHaveLength(1);
    expect(yaml.duplicates).toEqual([{ line: text.split('\n').indexOf('      hostNetwork: true') + 1, message: 'hostNetwork' }]);
  });

  test('its objects are checked: the last value is what the cluster gets', () => {
    // WHEN
    const report = checkInputs([{ file: 'etcd.yaml', text, type: 'yaml' }]);
    // THEN
    expect(rules(report.findings)).toEqual(['yaml/duplicate-key warning', 'pss-baseline/host-namespaces error']);
    expect(report.findings[0].message).toContain("key 'hostNetwork' is given twice");
  });

  test('fails if the file has a real syntax error besides: then nothing of that document is read', () => {
    const broken = `${text}    bad: [unclosed\n`;
    const report = checkInputs([{ file: 'etcd.yaml', text: broken, type: 'yaml' }]);
    expect(rules(report.findings)).toContain('yaml/syntax error');
    expect(report.objects).toBe(0);
  });
});

describe('Kustomize patches', () => {
  test('files a kustomization.yaml applies as patches are counted, not checked as objects', async () => {
    // GIVEN partial objects named by patches, patchesStrategicMerge and patchesJson6902
    const partial = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'hello' }, spec: { replicas: 3 } };
    const dir = tree({
      'base/hello.yaml': stringify(deployment()),
      'overlay/kustomization.yaml': stringify({
        resources: ['../base'], patches: [{ path: 'replicas.yaml' }], patchesStrategicMerge: ['more/replicas.yaml'],
        patchesJson6902: [{ target: { kind: 'Deployment', name: 'hello' }, path: 'json.yaml' }],
      }),
      'overlay/replicas.yaml': stringify(partial),
      'overlay/more/replicas.yaml': stringify(partial),
      'overlay/json.yaml': stringify([{ op: 'replace', path: '/spec/replicas', value: 3 }]),
    });
    // WHEN
    const report = checkInputs(await readInputs(dir, await listPolicyFiles(dir)));
    // THEN
    expect(report.findings).toEqual([]);
    expect(report.skippedKinds['Deployment (Kustomize patch)']).toBe(2);
  });

  test('an object with a $patch directive is a patch', () => {
    const report = checkInputs([{ file: 'delete.yaml', text: stringify({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'x' }, $patch: 'delete' }), type: 'yaml' }]);
    expect(report.findings).toEqual([]);
    expect(report.skippedKinds).toEqual({ 'Deployment (Kustomize patch)': 1 });
  });

  test('fails if the partial object is a resource, not a patch: the API server would refuse it', () => {
    const partial = { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'x' }, spec: { replicas: 0, template: { spec: { containers: [{ name: 'x', image: 'x:1' }] } } } };
    const report = checkInputs([
      { file: 'kustomization.yaml', text: stringify({ resources: ['sts.yaml'] }), type: 'yaml' },
      { file: 'sts.yaml', text: stringify(partial), type: 'yaml' },
    ]);
    expect(rules(report.findings)).toContain('selector/matches-template error');
  });
});

describe('Services for StatefulSet pods', () => {
  const sts = () => {
    const s = deployment('redis');
    s.kind = 'StatefulSet';
    delete s.spec.strategy;
    return s;
  };
  const perPod = (value: string) => {
    const svc = service('redis');
    svc.spec.selector['statefulset.kubernetes.io/pod-name'] = value;
    return svc;
  };

  test('a selector on the pod-name label the controller adds matches the StatefulSet', () => {
    expect(checkManifests([sts(), perPod('redis-0'), perPod('redis-2')])).toEqual([]);
  });

  test('fails if the pod name is not one of that StatefulSet', () => {
    expect(rules(checkManifests([sts(), perPod('redis-x')]))).toEqual(['service/selector error']);
  });

  test('fails if the workload is a Deployment: no controller adds that label', () => {
    expect(rules(checkManifests([deployment('redis'), perPod('redis-0')]))).toEqual(['service/selector error']);
  });
});

describe('selectors of removed API versions', () => {
  const ds = (apiVersion: string) => {
    const d: Obj = { ...deployment('flex'), apiVersion, kind: 'DaemonSet' };
    delete d.spec.selector;
    delete d.spec.replicas;
    delete d.spec.strategy;
    return d;
  };

  test('an extensions/v1beta1 DaemonSet without selector is told its version is removed, not that it lacks a selector', () => {
    expect(rules(checkManifests([ds('extensions/v1beta1')]))).toEqual(['api/removed-version error']);
  });

  test('fails if an apps/v1 DaemonSet has no selector', () => {
    expect(rules(checkManifests([ds('apps/v1')]))).toEqual(['selector/matches-template error']);
  });
});

describe('Services whose pods goship cannot see', () => {
  test('no workload of its namespace and none with its labels: a notice worded as a doubt', () => {
    const svc = service('managed');
    svc.metadata.namespace = 'platform-managed';
    const found = checkManifests([svc, deployment('hello')]);
    expect(rules(found)).toEqual(['service/selector notice']);
    expect(found[0].message).toMatch(/no workload of namespace 'platform-managed' was checked\) — its pods may be created elsewhere/);
  });

  test('a file goship could not read may hold its pods: a notice naming the file', () => {
    const report = checkInputs([
      { file: 'svc.yaml', text: stringify(service('vtgate')), type: 'yaml' },
      { file: 'other.yaml', text: stringify(deployment('other')), type: 'yaml' },
      { file: 'rc-template.yaml', text: 'kind: ReplicationController\napiVersion: v1\nspec:\n  replicas: {{replicas}}\n', type: 'yaml' },
    ]);
    const found = report.findings.filter((f) => f.rule === 'service/selector');
    expect(found.map((f) => f.severity)).toEqual(['notice']);
    expect(found[0].message).toContain('(not read: rc-template.yaml)');
  });

  test('fails if a workload of its namespace exists and everything was read', () => {
    const svc = service('hello');
    svc.spec.selector = { 'app.kubernetes.io/name': 'hallo' };
    expect(rules(checkManifests([svc, deployment('hello')]))).toEqual(['service/selector error']);
  });
});

describe('findings carry lines', () => {
  test('the YAML 1.1 notice names the line of the first scalar', () => {
    const text = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  mode: "0755"\n  on: yes\n';
    const report = checkInputs([{ file: 'cm.yaml', text, type: 'yaml' }]);
    expect(report.findings.map((f) => `${f.rule}:${f.line}`)).toEqual(['yaml/yaml11-scalar:7']);
  });
});

describe('ruleSource', () => {
  test('names who else refuses what each rule finds; the rest is goship policy', () => {
    const by = (source: string) => POLICY_RULES.filter((r) => ruleSource(r.id) === source).map((r) => r.id);
    expect(by('pod-security').every((id) => id.startsWith('pss-'))).toBe(true);
    expect(by('pod-security')).toHaveLength(POLICY_RULES.filter((r) => r.id.startsWith('pss-')).length);
    expect(by('api-server')).toEqual(['selector/matches-template', 'api/removed-version']);
    expect(by('kubectl')).toEqual(['yaml/syntax']);
    expect(by('goship')).toContain('probes/readiness');
  });

  test('a container made privileged is refused by Pod Security', () => {
    const d = deployment();
    appOf(d).securityContext.privileged = true;
    expect(checkManifests([d]).map((f) => ruleSource(f.rule))).toEqual(['pod-security']);
  });
});
