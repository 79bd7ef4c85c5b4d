import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, Chart } from 'cdk8s';
import { GoshipApp, GoStaticImage, Platform } from '../../lib';
import { RollingDeployment, ServiceAccount } from '../../lib/deploy';
import { makeGoModule } from '../support/go-module';

/** The app both backends get: the YAML path synthesizes it, the Pulumi path deploys it. */
export interface Fixture {
  readonly app: GoshipApp;
  readonly image: GoStaticImage;
  readonly outdir: string;
}

/** Options of {@link webFixture}. */
export interface WebFixtureOptions {
  /** The image's repository; `null` leaves it unset (a bare local name). */
  readonly repository?: string | null;
  /** The chart's namespace. */
  readonly namespace?: string;
  /** The app's pin file. */
  readonly pinsFile?: string;
}

/**
 * A chart `web` with one two-platform GoStaticImage `api` and what runs it: a RollingDeployment
 * (ServiceAccount, Deployment, Service, PodDisruptionBudget), a migration Job whose init
 * container runs the same image before a third-party one, and a custom resource.
 */
export function webFixture(options: WebFixtureOptions = {}): Fixture {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'goship-pulumi-'));
  const app = new GoshipApp({ outdir, ...(options.pinsFile ? { pinsFile: options.pinsFile } : {}) });
  const chart = new Chart(app, 'web', { namespace: options.namespace ?? 'shop' });
  const image = new GoStaticImage(chart, 'image', {
    context: makeGoModule(),
    ...(options.repository === null ? { name: 'api' } : { repository: options.repository ?? 'registry.test/acme/api' }),
    tag: 'v1',
    platforms: [Platform.LINUX_AMD64, Platform.LINUX_ARM64],
  });
  new RollingDeployment(chart, 'api', { image, replicas: 3, env: { LOG_LEVEL: 'info' }, serviceAccount: ServiceAccount.create() });
  new ApiObject(chart, 'migrate', {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: 'api-migrate' },
    spec: {
      template: {
        spec: {
          restartPolicy: 'Never',
          securityContext: { runAsNonRoot: true, runAsUser: 65532, seccompProfile: { type: 'RuntimeDefault' } },
          initContainers: [hardened({ name: 'migrate', image: image.imageRef, args: ['migrate'] })],
          containers: [hardened({ name: 'report', image: 'docker.io/library/busybox:1.36', command: ['echo', 'migrated'] })],
        },
      },
    },
  });
  new ApiObject(chart, 'monitor', {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'ServiceMonitor',
    metadata: { name: 'api' },
    spec: { selector: { matchLabels: { 'app.kubernetes.io/name': 'api' } }, endpoints: [{ port: 'http' }] },
  });
  return { app, image, outdir };
}

/** A container that passes goship's policy gate: restricted security context, requests and a memory limit. */
function hardened(container: Record<string, unknown>): Record<string, unknown> {
  return {
    ...container,
    securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
    resources: { requests: { cpu: '10m', memory: '16Mi' }, limits: { memory: '32Mi' } },
  };
}
