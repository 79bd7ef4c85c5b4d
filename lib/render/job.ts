import { renderPodSpec, sorted } from './pod';
import { CronJobSpec, JobSpec, KubeObject } from './workload-spec';

/**
 * Renders a goship Job or CronJob from a fully resolved spec: the same pod as a
 * RollingDeployment's, run to completion. Pure and deterministic; both backends use it.
 */

/** The objects of one Job or CronJob. */
export interface JobManifests {
  readonly serviceAccount?: KubeObject;
  /** The Job or the CronJob. */
  readonly workload: KubeObject;
}

/** A batch/v1 Job, and its ServiceAccount if goship writes one. */
export function renderJob(spec: JobSpec): JobManifests {
  return { ...serviceAccount(spec), workload: { apiVersion: 'batch/v1', kind: 'Job', metadata: meta(spec), spec: jobBody(spec) } };
}

/** A batch/v1 CronJob, and its ServiceAccount if goship writes one. */
export function renderCronJob(spec: CronJobSpec): JobManifests {
  const job = spec.job;
  return {
    ...serviceAccount(job),
    workload: {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: meta(job),
      spec: {
        schedule: spec.schedule,
        ...(spec.timeZone !== undefined ? { timeZone: spec.timeZone } : {}),
        concurrencyPolicy: spec.concurrencyPolicy,
        ...(spec.startingDeadlineSeconds !== undefined ? { startingDeadlineSeconds: spec.startingDeadlineSeconds } : {}),
        successfulJobsHistoryLimit: spec.successfulJobsHistoryLimit,
        failedJobsHistoryLimit: spec.failedJobsHistoryLimit,
        suspend: spec.suspend,
        jobTemplate: { metadata: { labels: { ...job.labels } }, spec: jobBody(job) },
      },
    },
  };
}

/** Every object of a Job or CronJob in apply order, the ServiceAccount first. */
export function jobManifestList(m: JobManifests): KubeObject[] {
  return [m.serviceAccount, m.workload].filter((o): o is KubeObject => o !== undefined);
}

function jobBody(spec: JobSpec): Record<string, unknown> {
  return {
    backoffLimit: spec.backoffLimit,
    completions: spec.completions,
    parallelism: spec.parallelism,
    ...(spec.activeDeadlineSeconds !== undefined ? { activeDeadlineSeconds: spec.activeDeadlineSeconds } : {}),
    ...(spec.ttlSecondsAfterFinished !== undefined ? { ttlSecondsAfterFinished: spec.ttlSecondsAfterFinished } : {}),
    // No selector: the Job controller writes its own, unique to this Job.
    template: {
      metadata: {
        labels: { ...spec.labels, ...spec.podLabels },
        ...(spec.podAnnotations && Object.keys(spec.podAnnotations).length > 0 ? { annotations: sorted(spec.podAnnotations) } : {}),
      },
      spec: renderPodSpec(spec),
    },
  };
}

function meta(spec: JobSpec, name = spec.name, annotations?: Readonly<Record<string, string>>): KubeObject['metadata'] {
  return {
    name,
    ...(spec.namespace ? { namespace: spec.namespace } : {}),
    labels: { ...spec.labels },
    ...(annotations && Object.keys(annotations).length > 0 ? { annotations: sorted(annotations) } : {}),
  };
}

function serviceAccount(spec: JobSpec): { serviceAccount?: KubeObject } {
  const sa = spec.serviceAccount;
  return sa?.create ? {
    serviceAccount: {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: meta(spec, sa.name, sa.annotations),
      // Pods opt in (automountServiceAccountToken on the pod spec wins over this).
      automountServiceAccountToken: false,
    },
  } : {};
}
