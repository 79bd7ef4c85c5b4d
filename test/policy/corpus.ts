import { stringify } from 'yaml';
import { Obj, container, deployment, service } from './fixtures';

/**
 * Writes manifests shaped like the five public repositories a new user checked (argo-cd's
 * install.yaml, ingress-nginx's deploy manifests, kube-prometheus, microservices-demo's
 * Kustomize layout, kubernetes/examples' JSON and old API versions): the same file types,
 * layouts and constructs, with objects written here, not copied. Returns the files and how
 * many Kubernetes objects they hold.
 */
export function corpus(): { files: Record<string, string>; objects: number } {
  let objects = 0;
  const files: Record<string, string> = {};
  const yaml = (file: string, ...docs: Obj[]) => {
    objects += docs.reduce((n, d) => n + (d.kind === 'List' ? d.items.length : 1), 0);
    files[file] = docs.map((d) => stringify(d)).join('---\n');
  };
  const json = (file: string, doc: Obj, indent: string | number = 2) => {
    objects += doc.kind === 'List' ? doc.items.length : 1;
    files[file] = JSON.stringify(doc, null, indent);
  };
  const crd = (name: string) => ({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name }, spec: { group: name.split('.').slice(1).join('.'), names: { kind: 'X', plural: name.split('.')[0] }, scope: 'Namespaced', versions: [] } });
  const role = (name: string) => ({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name }, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }] });

  // argo-cd: one big install.yaml: CRDs, RBAC, ConfigMaps, Deployments, a StatefulSet, Services.
  const sts = deployment('argocd-application-controller');
  sts.kind = 'StatefulSet';
  delete sts.spec.strategy;
  yaml('argo-cd/manifests/install.yaml', crd('applications.argoproj.io'), crd('appprojects.argoproj.io'), role('argocd-server'),
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'argocd-cm' }, data: { 'url': 'https://argocd.example.com' } },
    deployment('argocd-server'), service('argocd-server'), deployment('argocd-repo-server'), service('argocd-repo-server'), sts);

  // ingress-nginx: a controller Deployment, an admission Job pair and a webhook configuration.
  const job = (name: string): Obj => {
    const d = deployment(name);
    const pod = d.spec.template;
    pod.spec.restartPolicy = 'OnFailure';
    pod.spec.containers = [{ ...container('create'), readinessProbe: undefined, livenessProbe: undefined, ports: undefined }];
    return { apiVersion: 'batch/v1', kind: 'Job', metadata: { name }, spec: { template: pod } };
  };
  yaml('ingress-nginx/deploy/static/provider/cloud/deploy.yaml', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ingress-nginx' } },
    deployment('ingress-nginx-controller'), service('ingress-nginx-controller'), job('ingress-nginx-admission-create'), job('ingress-nginx-admission-patch'),
    { apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingWebhookConfiguration', metadata: { name: 'ingress-nginx-admission' }, webhooks: [] });

  // kube-prometheus: alert rules full of {{ $labels }} templates, next to a workload.
  yaml('kube-prometheus/manifests/nodeExporter-prometheusRule.yaml', {
    apiVersion: 'monitoring.coreos.com/v1', kind: 'PrometheusRule', metadata: { name: 'node-exporter-rules' },
    spec: { groups: [{ name: 'node', rules: [{ alert: 'NodeDown', expr: 'up == 0', annotations: { summary: 'Node {{ $labels.instance }} is down.', description: '{{ $labels.instance }} has been down for\n{{ $value }} minutes.\n' } }] }] },
  });
  yaml('kube-prometheus/manifests/blackboxExporter-deployment.yaml', deployment('blackbox-exporter'));
  yaml('kube-prometheus/manifests/blackboxExporter-service.yaml', service('blackbox-exporter'));

  // microservices-demo: Kustomize bases without selectors, an overlay that adds commonLabels.
  const base = deployment('frontend');
  delete base.spec.selector;
  yaml('microservices-demo/kustomize/base/frontend.yaml', base, service('frontend'));
  files['microservices-demo/kustomize/base/kustomization.yaml'] = stringify({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources: ['frontend.yaml'] });
  files['microservices-demo/kustomize/overlays/prod/kustomization.yaml'] = stringify({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources: ['../../base'], commonLabels: { app: 'frontend' } });
  objects += 2;

  // kubernetes/examples: JSON manifests (tab-indented, a List) and removed API versions.
  json('examples/guestbook/frontend-deployment.json', deployment('guestbook'), '\t');
  json('examples/guestbook/all.json', { apiVersion: 'v1', kind: 'List', items: [service('guestbook'), deployment('redis')] });
  const old = { ...deployment('legacy'), apiVersion: 'extensions/v1beta1' };
  yaml('examples/legacy/deployment.yaml', old);

  // What the real repositories held beyond that (measured in docs/check.md), as reductions:
  // argo-cd's HA overlay applies partial Deployments and a ConfigMap as patches.
  const partial = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'argocd-server' }, spec: { replicas: 2, template: { spec: { affinity: {} } } } };
  yaml('argo-cd/manifests/ha/base/overlays/argocd-server-deployment.yaml', partial);
  yaml('argo-cd/manifests/ha/base/overlays/argocd-cmd-params-cm.yaml', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'argocd-cmd-params-cm' }, data: { 'redis.server': 'argocd-redis-ha-haproxy:6379' } });
  yaml('argo-cd/manifests/ha/base/kustomization.yaml', { apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources: ['../../install.yaml'],
    patches: [{ path: 'overlays/argocd-server-deployment.yaml' }], patchesStrategicMerge: ['overlays/argocd-cmd-params-cm.yaml'] });
  // argo-cd's redis-ha: one Service per StatefulSet pod, by the pod-name label the controller adds.
  const redis = deployment('argocd-redis-ha-server');
  redis.kind = 'StatefulSet';
  delete redis.spec.strategy;
  redis.spec.replicas = 3;
  const announce = (i: number) => {
    const svc = service('argocd-redis-ha-server');
    svc.metadata.name = `argocd-redis-ha-announce-${i}`;
    svc.spec.selector['statefulset.kubernetes.io/pod-name'] = `argocd-redis-ha-server-${i}`;
    return svc;
  };
  yaml('argo-cd/manifests/ha/redis-ha.yaml', redis, announce(0), announce(1), announce(2));
  // microservices-demo: a Kustomize component deletes a Deployment with `$patch: delete`.
  yaml('microservices-demo/kustomize/components/without-loadgenerator/delete-loadgenerator.patch.yaml',
    { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'loadgenerator' }, $patch: 'delete' });
  // kubernetes/examples: a key given twice (kubectl keeps the last one).
  const twice = stringify(deployment('etcd')).replace('spec:\n', 'spec:\n  selector:\n    matchLabels:\n      name: etcd\n');
  files['examples/openshift-origin/etcd-controller.yaml'] = twice;
  objects += 1;
  // kubernetes/examples: a Service for pods the platform runs (none of its namespace is here).
  const managed = service('gke-managed-dcgm-exporter');
  managed.metadata.namespace = 'gke-managed-system';
  yaml('examples/AI/hpa/gpu-dcgm-exporter-service-gke.yaml', managed);
  // kubernetes/examples: an extensions/v1beta1 DaemonSet without a selector (it defaulted then).
  const ds: Obj = { ...deployment('flex-ds'), apiVersion: 'extensions/v1beta1', kind: 'DaemonSet' };
  delete ds.spec.selector;
  delete ds.spec.replicas;
  delete ds.spec.strategy;
  yaml('examples/volumes/flexvolume/ds.yaml', ds);
  // kubernetes/examples: a template a script fills with sed (no manifest: kubectl cannot read
  // it either), and the Service for its pods.
  files['examples/storage/vitess/vtgate-controller-template.yaml'] = 'kind: ReplicationController\napiVersion: v1\nmetadata:\n  name: vtgate\nspec:\n  replicas: {{replicas}}\n  template:\n    metadata:\n      labels:\n        component: vtgate\n';
  yaml('examples/storage/vitess/vtgate-service.yaml', service('vtgate'));
  return { files, objects };
}
