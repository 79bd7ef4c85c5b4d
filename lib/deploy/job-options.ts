import { PropNames } from '../model/known-props';

/**
 * What the kubelet does when a Job's container fails.
 *
 * @example
 * RestartPolicy.NEVER        // a new pod per attempt: each failed pod stays, with its logs
 * RestartPolicy.ON_FAILURE   // the container restarts in the same pod
 */
export class RestartPolicy {
  /** A new pod for each attempt (up to `backoffLimit`); failed pods and their logs stay until the Job goes. */
  public static readonly NEVER = new RestartPolicy('Never');
  /** The container restarts in place; restarts count against `backoffLimit`. */
  public static readonly ON_FAILURE = new RestartPolicy('OnFailure');

  private constructor(/** `Never` or `OnFailure`, as the pod spec writes it. */ public readonly value: 'Never' | 'OnFailure') {}

  /** The policy's value. */
  public toString(): string {
    return this.value;
  }
}

/**
 * What a CronJob does when a run is due while the last one still runs.
 *
 * @example
 * ConcurrencyPolicy.FORBID    // skip the new run
 */
export class ConcurrencyPolicy {
  /** Skip the new run: a batch job or a migration must not run twice at once. */
  public static readonly FORBID = new ConcurrencyPolicy('Forbid');
  /** Stop the running Job and start the new one. */
  public static readonly REPLACE = new ConcurrencyPolicy('Replace');
  /** Run both. */
  public static readonly ALLOW = new ConcurrencyPolicy('Allow');

  private constructor(/** `Forbid`, `Replace` or `Allow`, as the CronJob spec writes it. */ public readonly value: 'Forbid' | 'Replace' | 'Allow') {}

  /** The policy's value. */
  public toString(): string {
    return this.value;
  }
}

/** How a Job runs to completion: attempts, deadline, completions and clean-up. */
export interface JobOptions {
  /**
   * What the kubelet does when the container fails.
   * @default RestartPolicy.NEVER
   */
  readonly restartPolicy?: RestartPolicy;
  /**
   * Failed attempts (pods, or container restarts with `RestartPolicy.ON_FAILURE`) before the
   * Job is marked failed.
   * @default 3
   */
  readonly backoffLimit?: number;
  /**
   * Seconds the Job may run in all, retries included; then its pods are stopped and it fails.
   * A hung migration does not hold its lock for ever.
   * @default - none: no deadline
   */
  readonly activeDeadlineSeconds?: number;
  /**
   * Seconds a finished Job (and its pods) is kept before Kubernetes deletes it. Under a GitOps
   * tool that re-creates what git holds, a deleted Job runs again: leave it unset there.
   * @default - none: kept until deleted
   */
  readonly ttlSecondsAfterFinished?: number;
  /**
   * Pods that must succeed.
   * @default 1
   */
  readonly completions?: number;
  /**
   * Pods that run at once; at most `completions`.
   * @default 1
   */
  readonly parallelism?: number;
  /**
   * Named TCP ports on the container, e.g. for a metrics scraper; no Service is written.
   * @default - none
   * @example { metrics: 9090 }
   */
  readonly ports?: Readonly<Record<string, number>>;
}

/** When and how a CronJob starts its Jobs. */
export interface CronJobOptions {
  /**
   * When the Job runs: five cron fields (minute hour day-of-month month day-of-week) or a
   * macro (`@hourly`, `@daily`, `@weekly`, `@monthly`, `@yearly`, `@every 30m`).
   * @example '0 3 * * *'
   */
  readonly schedule: string;
  /**
   * The IANA time zone the schedule is read in.
   * @default - the kube-controller-manager's time zone (usually UTC)
   * @example 'Europe/Berlin'
   */
  readonly timeZone?: string;
  /**
   * What happens when a run is due while the last one still runs.
   * @default ConcurrencyPolicy.FORBID
   */
  readonly concurrencyPolicy?: ConcurrencyPolicy;
  /**
   * Seconds after its time a missed run may still start (after a controller outage); later
   * it is skipped. At least 10: the controller looks every 10 seconds.
   * @default - none: a missed run starts whenever the controller sees it
   */
  readonly startingDeadlineSeconds?: number;
  /**
   * Finished Jobs kept, for their logs.
   * @default 3
   */
  readonly successfulJobsHistoryLimit?: number;
  /**
   * Failed Jobs kept, for their logs.
   * @default 1
   */
  readonly failedJobsHistoryLimit?: number;
  /**
   * Start no new runs (running ones continue).
   * @default false
   */
  readonly suspend?: boolean;
}

/** The names of {@link JobOptions}. */
export const JOB_OPTIONS: PropNames<JobOptions> = {
  restartPolicy: true, backoffLimit: true, activeDeadlineSeconds: true, ttlSecondsAfterFinished: true, completions: true, parallelism: true, ports: true,
};
/** The names of {@link CronJobOptions}. */
export const CRON_JOB_OPTIONS: PropNames<CronJobOptions> = {
  schedule: true, timeZone: true, concurrencyPolicy: true, startingDeadlineSeconds: true, successfulJobsHistoryLimit: true, failedJobsHistoryLimit: true, suspend: true,
};
