import { Platform } from './platform';

/**
 * What a workload needs to know about the image it runs.
 *
 * `GoStaticImage` implements it, so a `RollingDeployment` reads the reference, port, user
 * and platforms from the image instead of declaring them twice. For an image goship did not
 * describe, pass a plain object.
 *
 * @example
 * { imageRef: 'ghcr.io/acme/api:1a2b3c4', port: 8080, uid: 65532, gid: 65532 }
 */
export interface DeployableImage {
  /** Full reference the kubelet pulls: `repository:tag` or `repository@sha256:…`. */
  readonly imageRef: string;
  /** The port the process listens on (the image's `EXPOSE`). */
  readonly port: number;
  /** Numeric user id the image runs as (its `USER`); never 0. */
  readonly uid: number;
  /**
   * Numeric group id the image runs as.
   * @default - same as uid
   */
  readonly gid?: number;
  /**
   * Platforms the image is built for; the pods are scheduled only on nodes of these architectures.
   * @default - any node
   */
  readonly platforms?: readonly Platform[];
  /**
   * The image's version (its tag), used for the `app.kubernetes.io/version` label.
   * @default - the tag of imageRef, if it has one
   */
  readonly version?: string;
}
