import { IConstruct } from 'constructs';
import { RollingDeployment } from '../deploy/rolling-deployment';
import { GoStaticImage } from '../image/go-static-image';
import { ValidationError } from '../model/errors';

/**
 * Checks across the two artifacts: where a {@link RollingDeployment} runs a
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
 * Also reports two workloads that would write objects of the same name and namespace.
 *
 * Reads the tree, changes nothing. Returns every problem, in construct order.
 *
 * @example
 * const errors = crossCheck(app);
 * if (errors.length > 0) throw errors[0];
 */
export function crossCheck(root: IConstruct): ValidationError[] {
  const errors: ValidationError[] = [];
  const seen = new Map<string, RollingDeployment>();
  for (const c of root.node.findAll()) {
    if (!RollingDeployment.isRollingDeployment(c)) {
      continue;
    }
    const key = `${c.namespace ?? ''}/${c.name}`;
    const other = seen.get(key);
    if (other) {
      errors.push(new ValidationError({
        prop: 'name',
        value: c.name,
        why: `${other.node.path} already writes a Deployment and Service called '${c.name}'${c.namespace ? ` in namespace '${c.namespace}'` : ''}; one would overwrite the other`,
        fix: 'give one of them another name or namespace',
      }, c.node.path));
    } else {
      seen.set(key, c);
    }
    if (GoStaticImage.isGoStaticImage(c.image)) {
      errors.push(...againstImage(c, c.image));
    }
  }
  return errors;
}

function againstImage(rd: RollingDeployment, image: GoStaticImage): ValidationError[] {
  const errors: ValidationError[] = [];
  const add = (prop: string, value: unknown, why: string, fix: string) => {
    errors.push(new ValidationError({ prop, value, why, fix }, rd.node.path));
  };
  const img = `the image ${image.node.path}`;
  const envPort = rd.spec.env.PORT;
  if (envPort !== undefined && envPort !== String(rd.port)) {
    add('env.PORT', envPort,
      `the binary listens on $PORT, but the probes and the Service target port ${rd.port}`,
      `set the image's port to ${envPort} and drop PORT from env (goship passes no PORT the image does not know)`);
  }
  const built = [...new Set(image.platforms.map((p) => p.arch))].sort();
  const missing = rd.nodeArchitectures.filter((a) => !built.includes(a));
  if (missing.length > 0) {
    add('nodeArchitectures', [...rd.nodeArchitectures],
      `${img} is built for ${built.join(', ')} only; pods scheduled on ${missing.join(', ')} nodes fail with 'exec format error'`,
      `add ${missing.map((a) => `linux/${a}`).join(', ')} to the image's platforms, or remove ${missing.join(', ')} from nodeArchitectures`);
  }
  const tz = rd.spec.env.TZ;
  if (tz !== undefined && tz !== '' && tz !== 'UTC' && image.timeZoneData === 'none' && !image.runtime.providesZoneinfo) {
    add('env.TZ', tz,
      `${img} carries no time zone database, so Go cannot load '${tz}' and silently uses UTC`,
      "set the image's timeZoneData to 'embedded' (the default), or drop TZ");
  }
  return errors;
}
