import { ApiObject, App, Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';

/** The policy rules plain cdk8s-plus-27 Deployments break: skipped where a test compares with cdk8s. */
export const PLAIN_CHART_POLICY_GAPS = ['pss-restricted/seccomp-profile', 'pss-restricted/capabilities', 'probes/readiness', 'probes/liveness'];

/**
 * Adds `n` charts of plain cdk8s-plus-27 Deployments and Services to `app`, with one chart
 * depending on another and a nested chart, so ordering and chart naming rules are exercised.
 */
export function addPlainCharts(app: App, n: number): void {
  let previous: Chart | undefined;
  for (let i = 0; i < n; i++) {
    const chart = new Chart(app, `svc-${i}`, { disableResourceNameHashes: i % 2 === 0 });
    const deployment = new kplus.Deployment(chart, 'web', {
      containers: [{ image: `ghcr.io/acme/svc-${i}:v1`, portNumber: 8080, securityContext: { user: 1000 } }],
    });
    deployment.exposeViaService({ ports: [{ port: 80, targetPort: 8080 }] });
    new ApiObject(chart, 'cm', { apiVersion: 'v1', kind: 'ConfigMap', data: { index: String(i) } });
    if (previous && i % 3 === 0) {
      chart.addDependency(previous);
    }
    if (i === 1) {
      const nested = new Chart(chart, 'nested');
      new ApiObject(nested, 'cm', { apiVersion: 'v1', kind: 'ConfigMap', data: { nested: 'yes' } });
    }
    previous = chart;
  }
}
