import { IConstruct } from 'constructs';
import { CronJob } from '../deploy/cron-job';
import { Job } from '../deploy/job';
import { RollingDeployment } from '../deploy/rolling-deployment';
import { GoStaticImage } from '../image/go-static-image';
import { ValidationError } from '../model/errors';

/**
 * Checks across the two artifacts: where a {@link RollingDeployment}, {@link Job} or
 * {@link CronJob} runs a
 * {@link GoStaticImage}, the manifest and the Dockerfile must agree on what the process does.
 * The port, user and platforms come from the image, the one place they are declared; they
 * can only disagree where the deployment narrows the image's platforms (`nodeArchitectures`)
 * or sets environment variables the binary reads (`PORT`, `TZ`).
 *
 * An image goship did not describe (a plain `DeployableImage`) is taken at its word.
 *
 * No cgo check is needed: a GoStaticImage always builds with `CGO_ENABLED=0`, so no runtime
 * base can lack the C library its binary needs.
 *
 * Also reports two workloads that would write objects of the same kind, name and namespace.
 *
 * Reads the tree, changes nothing. Returns every problem, in construct order.
 *
 * @example
 * const errors = crossCheck(app);
 * if (errors.length > 0) throw errors[0];
 */
export function crossCheck(root: IConstruct): ValidationError[] {
  const errors: ValidationError[] = [];
  const seen = new Map<string, Workload>();
  for (const c of root.node.findAll()) {
    const w = workloadOf(c);
    if (!w) {
      continue;
    }
    const key = `${w.kind}/${w.namespace ?? ''}/${w.name}`;
    const other = seen.get(key);
    if (other) {
      errors.push(new ValidationError({
        prop: 'name',
        value: w.name,
        why: `${other.path} already writes a ${w.kind === 'Deployment' ? 'Deployment and Service' : w.kind} called '${w.name}'${w.namespace ? ` in namespace '${w.namespace}'` : ''}; one would overwrite the other`,
        fix: 'give one of them another name or namespace',
      }, w.path));
    } else {
      seen.set(key, w);
    }
    if (GoStaticImage.isGoStaticImage(w.image)) {
      errors.push(...againstImage(w, w.image));
    }
  }
  return errors;
}

/** What the checks read of a RollingDeployment, Job or CronJob. */
interface Workload {
  readonly kind: 'Deployment' | 'Job' | 'CronJob';
  readonly path: string;
  readonly name: string;
  readonly namespace?: string;
  readonly image: unknown;
  readonly env: Readonly<Record<string, string>>;
  readonly nodeArchitectures: readonly string[];
  /** The port the probes and the Service target; none for a Job. */
  readonly port?: number;
}

function workloadOf(c: IConstruct): Workload | undefined {
  const base = (w: RollingDeployment | Job | CronJob) => ({ path: w.node.path, name: w.name, namespace: w.namespace, image: w.image, nodeArchitectures: w.nodeArchitectures });
  if (RollingDeployment.isRollingDeployment(c)) {
    return { ...base(c), kind: 'Deployment', env: c.spec.env, port: c.port };
  }
  if (Job.isJob(c)) {
    return { ...base(c), kind: 'Job', env: c.spec.env };
  }
  if (CronJob.isCronJob(c)) {
    return { ...base(c), kind: 'CronJob', env: c.spec.job.env };
  }
  return undefined;
}

function againstImage(w: Workload, image: GoStaticImage): ValidationError[] {
  const errors: ValidationError[] = [];
  const add = (prop: string, value: unknown, why: string, fix: string) => {
    errors.push(new ValidationError({ prop, value, why, fix }, w.path));
  };
  const img = `the image ${image.node.path}`;
  const envPort = w.env.PORT;
  if (w.port !== undefined && envPort !== undefined && envPort !== String(w.port)) {
    add('env.PORT', envPort,
      `the binary listens on $PORT, but the probes and the Service target port ${w.port}`,
      `set the image's port to ${envPort} and drop PORT from env (goship passes no PORT the image does not know)`);
  }
  const built = [...new Set(image.platforms.map((p) => p.arch))].sort();
  const missing = w.nodeArchitectures.filter((a) => !built.includes(a));
  if (missing.length > 0) {
    add('nodeArchitectures', [...w.nodeArchitectures],
      `${img} is built for ${built.join(', ')} only; pods scheduled on ${missing.join(', ')} nodes fail with 'exec format error'`,
      `add ${missing.map((a) => `linux/${a}`).join(', ')} to the image's platforms, or remove ${missing.join(', ')} from nodeArchitectures`);
  }
  const tz = w.env.TZ;
  if (tz !== undefined && tz !== '' && tz !== 'UTC' && image.timeZoneData === 'none' && !image.runtime.providesZoneinfo) {
    add('env.TZ', tz,
      `${img} carries no time zone database, so Go cannot load '${tz}' and silently uses UTC`,
      "set the image's timeZoneData to 'embedded' (the default), or drop TZ");
  }
  return errors;
}
