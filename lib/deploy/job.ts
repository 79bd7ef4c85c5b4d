import { ApiObject, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { DeployableImage } from '../model/deployable-image';
import { validating } from '../model/errors';
import { JobManifests, renderJob } from '../render/job';
import { JobSpec } from '../render/workload';
import { apiObject } from './api-object';
import { JobOptions } from './job-options';
import { resolveJob } from './resolve-job';
import { ContainerOptions, PodOptions, WorkloadOptions } from './workload-options';

const JOB_SYMBOL = Symbol.for('goship.Job');

/**
 * Props of {@link Job}: the container and pod options of a RollingDeployment, and how the Job
 * runs to completion.
 */
export interface JobProps extends WorkloadOptions, ContainerOptions, PodOptions, JobOptions {}

/**
 * A Go program that runs to completion: a batch/v1 Job (a migration, a backfill, a one-off
 * task) from the same image and with the same container, pod and security model as a
 * RollingDeployment: the image's user, restricted Pod Security, a read-only root with a
 * writable `/tmp`, env and Secrets, resources with `GOMEMLIMIT`. No probes, no Service, no
 * PodDisruptionBudget, no preStop sleep; `restartPolicy: Never` and 3 retries by default.
 *
 * @example
 * new Job(chart, 'migrate', {
 *   image,                                   // the api's GoStaticImage
 *   args: ['migrate', 'up'],
 *   secretEnv: { DATABASE_URL: { secret: 'shop-db', key: 'url' } },
 *   activeDeadlineSeconds: 600,
 * });
 */
export class Job extends Construct {
  /** True for any Job, even from another copy of this library. */
  public static isJob(x: unknown): x is Job {
    return typeof x === 'object' && x !== null && JOB_SYMBOL in x;
  }

  /** The Job's name: of the Job, the container and every other object. */
  public readonly name: string;
  /** The namespace of every object, if any. */
  public readonly namespace?: string;
  /** The image it runs. */
  public readonly image: DeployableImage;
  /** The user id the container runs as: the image's. */
  public readonly uid: number;
  /** The group id the container runs as: the image's. */
  public readonly gid: number;
  /** `kubernetes.io/arch` values the pods may run on; empty: any. */
  public readonly nodeArchitectures: readonly string[];
  /** Labels of every object and pod. */
  public readonly labels: Readonly<Record<string, string>>;
  /**
   * Every setting, resolved: what the objects are rendered from.
   * @internal
   */
  public readonly spec: JobSpec;
  /**
   * The rendered objects, as plain JSON.
   * @internal
   */
  public readonly manifests: JobManifests;
  /** The Job object (an escape hatch: `addJsonPatch`). */
  public readonly job: ApiObject;
  /** The ServiceAccount object, if goship writes one. */
  public readonly serviceAccount?: ApiObject;

  public constructor(scope: Construct, id: string, props: JobProps) {
    super(scope, id);
    Object.defineProperty(this, JOB_SYMBOL, { value: true });
    const spec = validating(this.node.path, () => resolveJob(id, props, Chart.of(this).namespace));
    this.spec = spec;
    this.name = spec.name;
    this.namespace = spec.namespace;
    this.image = props.image;
    this.uid = spec.runAsUser;
    this.gid = spec.runAsGroup;
    this.nodeArchitectures = spec.nodeArchitectures;
    this.labels = spec.labels;
    const m = renderJob(spec);
    this.manifests = m;
    this.serviceAccount = apiObject(this, 'ServiceAccount', m.serviceAccount);
    this.job = apiObject(this, 'Job', m.workload);
  }
}
