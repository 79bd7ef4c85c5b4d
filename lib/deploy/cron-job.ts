import { ApiObject, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { DeployableImage } from '../model/deployable-image';
import { validating } from '../model/errors';
import { JobManifests, renderCronJob } from '../render/job';
import { CronJobSpec } from '../render/workload';
import { apiObject } from './api-object';
import type { JobProps } from './job';
import { CronJobOptions } from './job-options';
import { resolveCronJob } from './resolve-job';

const CRON_JOB_SYMBOL = Symbol.for('goship.CronJob');

/** Props of {@link CronJob}: a {@link JobProps} Job, and when it runs. */
export interface CronJobProps extends JobProps, CronJobOptions {}

/**
 * A Go program that runs on a schedule: a batch/v1 CronJob whose Jobs are goship Jobs (the
 * same container, pod and security model as a RollingDeployment). A run that is due while
 * the last one still runs is skipped (`ConcurrencyPolicy.FORBID`), and the schedule is
 * checked as the CronJob controller parses it.
 *
 * @example
 * new CronJob(chart, 'report', {
 *   image,
 *   args: ['report', '--daily'],
 *   schedule: '0 3 * * *',
 *   timeZone: 'Europe/Berlin',
 * });
 */
export class CronJob extends Construct {
  /** True for any CronJob, even from another copy of this library. */
  public static isCronJob(x: unknown): x is CronJob {
    return typeof x === 'object' && x !== null && CRON_JOB_SYMBOL in x;
  }

  /** The CronJob's name: of the CronJob, the container and every other object. */
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
  public readonly spec: CronJobSpec;
  /**
   * The rendered objects, as plain JSON.
   * @internal
   */
  public readonly manifests: JobManifests;
  /** The CronJob object (an escape hatch: `addJsonPatch`). */
  public readonly cronJob: ApiObject;
  /** The ServiceAccount object, if goship writes one. */
  public readonly serviceAccount?: ApiObject;

  public constructor(scope: Construct, id: string, props: CronJobProps) {
    super(scope, id);
    Object.defineProperty(this, CRON_JOB_SYMBOL, { value: true });
    const spec = validating(this.node.path, () => resolveCronJob(id, props, Chart.of(this).namespace));
    this.spec = spec;
    this.name = spec.job.name;
    this.namespace = spec.job.namespace;
    this.image = props.image;
    this.uid = spec.job.runAsUser;
    this.gid = spec.job.runAsGroup;
    this.nodeArchitectures = spec.job.nodeArchitectures;
    this.labels = spec.job.labels;
    const m = renderCronJob(spec);
    this.manifests = m;
    this.serviceAccount = apiObject(this, 'ServiceAccount', m.serviceAccount);
    this.cronJob = apiObject(this, 'CronJob', m.workload);
  }
}
