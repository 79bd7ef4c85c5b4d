/**
 * The services the rollout tests roll, described with goship and synthesized to a folder: the
 * hello example (drains by itself) and a service that calls `Shutdown` at once on SIGTERM.
 */
import * as path from 'path';
import { Chart } from 'cdk8s';
import { GoshipApp, GoStaticImage, Platform, RollingDeployment, RollingDeploymentProps } from '../../../lib';
import { REPO_ROOT } from '../../e2e/tools/process';

/** The Go module of the Shutdown-at-once service. */
export const SHUTDOWN_CONTEXT = path.join(REPO_ROOT, 'test', 'cluster', 'fixtures', 'shutdown');

/** Options of {@link synthRollout}. */
export interface RolloutAppOptions {
  readonly outdir: string;
  readonly registry: string;
  readonly builderImage: string;
  readonly namespace: string;
  /** The image tag: a new tag is a new version (and a new digest). */
  readonly tag: string;
  /** Props of both deployments, on top of goship's defaults. */
  readonly deployment?: Partial<RollingDeploymentProps>;
  readonly greeting?: string;
}

/** Synthesizes `rollout.k8s.yaml` with the Deployments `hello` and `shutdown`, and their Dockerfiles. */
export function synthRollout(o: RolloutAppOptions): string {
  const app = new GoshipApp({ outdir: o.outdir, rootdir: REPO_ROOT, pinsFile: path.join(o.outdir, '..', `pins-${o.tag}.json`) });
  const chart = new Chart(app, 'rollout', { namespace: o.namespace });
  for (const [name, context] of [['hello', path.join(REPO_ROOT, 'examples', 'hello')], ['shutdown', SHUTDOWN_CONTEXT]] as const) {
    const image = new GoStaticImage(chart, `${name}-image`, {
      context,
      name,
      repository: `${o.registry}/goship-test/${name}`,
      tag: o.tag,
      platforms: [Platform.LINUX_AMD64],
      builderImage: o.builderImage,
    });
    new RollingDeployment(chart, name, {
      image,
      replicas: 2,
      env: { GREETING: o.greeting ?? 'hello from goship' },
      ...o.deployment,
    });
  }
  app.synth();
  return path.join(o.outdir, 'rollout.k8s.yaml');
}
