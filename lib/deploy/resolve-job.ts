import { ValidationError } from '../model/errors';
import { PropNames } from '../model/known-props';
import { portName, portNumber } from '../model/names';
import { CronJobSpec, JobSpec, PortSpec } from '../render/workload';
import type { CronJobProps } from './cron-job';
import type { JobProps } from './job';
import { ConcurrencyPolicy, CRON_JOB_OPTIONS, JOB_OPTIONS, RestartPolicy } from './job-options';
import { wholeSeconds } from './probes';
import { resolveIdentity, resolvePod } from './resolve-pod';
import { checkPropNames, escapeHatch } from './resolve-workload';
import { cronSchedule, timeZone } from './schedule';
import { CONTAINER_OPTIONS, POD_OPTIONS, WORKLOAD_OPTIONS } from './workload-options';

/** Every prop of Job: the compiler keeps this list and the interface in step. */
const JOB_PROPS: PropNames<JobProps> = { ...WORKLOAD_OPTIONS, ...CONTAINER_OPTIONS, ...POD_OPTIONS, ...JOB_OPTIONS };
/** Every prop of CronJob. */
const CRON_JOB_PROPS: PropNames<CronJobProps> = { ...JOB_PROPS, ...CRON_JOB_OPTIONS };

/** The longest CronJob name: the controller appends 11 characters for each Job it creates, and a Job name is a 63-character label. */
const MAX_CRON_JOB_NAME = 52;

/**
 * A Job's props, defaults applied and checked: the same container, pod and security model as
 * a RollingDeployment's, run to completion (no probes, no Service, no preStop sleep).
 */
export function resolveJob(id: string, props: JobProps, chartNamespace?: string): JobSpec {
  checkPropNames(props, JOB_PROPS, 'Job', escapeHatch('job.job', '/spec/template/spec'));
  return jobSpec(id, props, chartNamespace);
}

/** A CronJob's props, defaults applied and checked: a schedule around a {@link resolveJob} Job. */
export function resolveCronJob(id: string, props: CronJobProps, chartNamespace?: string): CronJobSpec {
  checkPropNames(props, CRON_JOB_PROPS, 'CronJob', escapeHatch('cronJob.cronJob', '/spec/jobTemplate/spec/template/spec'));
  const job = jobSpec(id, props, chartNamespace);
  if (job.name.length > MAX_CRON_JOB_NAME) {
    throw ValidationError.invalid('name', job.name, `is ${job.name.length} characters; the CronJob controller appends 11 to name each Job, and the API server rejects CronJob names over ${MAX_CRON_JOB_NAME}`, `use a name of at most ${MAX_CRON_JOB_NAME} characters`);
  }
  const concurrencyPolicy = props.concurrencyPolicy ?? ConcurrencyPolicy.FORBID;
  if (!(concurrencyPolicy instanceof ConcurrencyPolicy)) {
    throw ValidationError.invalid('concurrencyPolicy', concurrencyPolicy, 'not a ConcurrencyPolicy', 'use ConcurrencyPolicy.FORBID, REPLACE or ALLOW');
  }
  const startingDeadlineSeconds = props.startingDeadlineSeconds === undefined ? undefined : wholeSeconds('startingDeadlineSeconds', props.startingDeadlineSeconds, 0);
  if (startingDeadlineSeconds !== undefined && startingDeadlineSeconds < 10) {
    throw ValidationError.invalid('startingDeadlineSeconds', startingDeadlineSeconds, 'is under 10 seconds: the CronJob controller looks every 10 seconds, so runs could be missed every time', 'use 10 or more, e.g. 300, or leave it unset');
  }
  const suspend = props.suspend ?? false;
  if (typeof suspend !== 'boolean') {
    throw ValidationError.invalid('suspend', suspend, 'must be true or false', 'leave it unset to run on schedule');
  }
  return {
    job,
    schedule: cronSchedule('schedule', props.schedule),
    ...(props.timeZone !== undefined ? { timeZone: timeZone('timeZone', props.timeZone) } : {}),
    concurrencyPolicy: concurrencyPolicy.value,
    ...(startingDeadlineSeconds !== undefined ? { startingDeadlineSeconds } : {}),
    successfulJobsHistoryLimit: wholeSeconds('successfulJobsHistoryLimit', props.successfulJobsHistoryLimit ?? 3, 0),
    failedJobsHistoryLimit: wholeSeconds('failedJobsHistoryLimit', props.failedJobsHistoryLimit ?? 1, 0),
    suspend,
  };
}

function jobSpec(id: string, props: JobProps, chartNamespace: string | undefined): JobSpec {
  const identity = resolveIdentity(id, props, chartNamespace, false);
  const restartPolicy = props.restartPolicy ?? RestartPolicy.NEVER;
  if (!(restartPolicy instanceof RestartPolicy)) {
    throw ValidationError.invalid('restartPolicy', restartPolicy, 'not a RestartPolicy', 'use RestartPolicy.NEVER or RestartPolicy.ON_FAILURE');
  }
  const backoffLimit = wholeSeconds('backoffLimit', props.backoffLimit ?? 3, 0);
  const completions = wholeSeconds('completions', props.completions ?? 1, 1);
  const parallelism = wholeSeconds('parallelism', props.parallelism ?? 1, 1);
  if (parallelism > completions) {
    throw ValidationError.invalid('parallelism', parallelism, `is more than completions (${completions}): the Job never runs more pods at once than it still needs`, `use at most ${completions}, or raise completions`);
  }
  const activeDeadlineSeconds = props.activeDeadlineSeconds === undefined ? undefined : wholeSeconds('activeDeadlineSeconds', props.activeDeadlineSeconds, 1);
  const ttlSecondsAfterFinished = props.ttlSecondsAfterFinished === undefined ? undefined : wholeSeconds('ttlSecondsAfterFinished', props.ttlSecondsAfterFinished, 0);
  const pod = resolvePod(props, identity, { ports: jobPorts(props.ports), preStopSleepSeconds: 0, restartPolicy: restartPolicy.value });
  return {
    ...pod.template,
    restartPolicy: restartPolicy.value,
    backoffLimit,
    completions,
    parallelism,
    ...(activeDeadlineSeconds !== undefined ? { activeDeadlineSeconds } : {}),
    ...(ttlSecondsAfterFinished !== undefined ? { ttlSecondsAfterFinished } : {}),
  };
}

function jobPorts(ports: Readonly<Record<string, number>> | undefined): PortSpec[] {
  if (ports === undefined) {
    return [];
  }
  if (typeof ports !== 'object' || ports === null || Array.isArray(ports)) {
    throw ValidationError.invalid('ports', ports, 'must map port names to numbers', 'use e.g. ports: { metrics: 9090 }');
  }
  const seen = new Map<number, string>();
  return Object.keys(ports).sort().map((name) => {
    portName(`ports.${name}`, name);
    const n = portNumber(`ports.${name}`, ports[name]);
    const other = seen.get(n);
    if (other !== undefined) {
      throw ValidationError.invalid(`ports.${name}`, n, `is also the number of '${other}'`, 'give each port its own number');
    }
    seen.set(n, name);
    return { name, containerPort: n };
  });
}
