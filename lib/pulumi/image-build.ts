import * as path from 'path';
import * as dockerbuild from '@pulumi/docker-build';
import * as pulumi from '@pulumi/pulumi';
import { GoStaticImage } from '../image/go-static-image';
import { ValidationError } from '../model/errors';
import { renderDockerfile } from '../render/dockerfile';
import { loginApplies, RegistryLogin } from './registry-login';

/** Options for {@link imageBuildArgs}. */
export interface ImageBuildOptions {
  /** Logins; those for the image's registry are passed to the build. */
  readonly registries: readonly RegistryLogin[];
  /** A buildx builder by name. */
  readonly builder?: string;
  /** The folder build contexts are written relative to (the Pulumi project folder). */
  readonly cwd: string;
  /**
   * Secret id → content, for the image's `BuildSecret` files; each is passed as a Pulumi secret.
   * @default - none (an image that declares a secret file then fails)
   */
  readonly buildSecrets?: Readonly<Record<string, pulumi.Input<string>>>;
}

/**
 * The `@pulumi/docker-build` Image arguments that build and push a GoStaticImage: the
 * Dockerfile goship renders (the text `synth()` writes to `images/<name>/Dockerfile`) passed
 * inline, the image's module folder as context, all its platforms in one build (one pushed
 * multi-platform index), its build args and labels, and its `repository:tag` as the tag.
 *
 * The image's secret files are passed as `secrets` (each value a Pulumi secret, so it is
 * encrypted in the state and masked in logs) and its SSH ids as `ssh`.
 *
 * The context is relative to `cwd`, so the stack's state does not depend on where the
 * repository was checked out. Fails if the image has no repository it can be pushed to.
 */
export function imageBuildArgs(image: GoStaticImage, options: ImageBuildOptions): dockerbuild.ImageArgs {
  assertPushable(image);
  const registries = options.registries
    .filter((r) => loginApplies(r.address, image.repository))
    .map((r) => ({ address: r.address, username: r.username, password: pulumi.secret(r.password) }));
  const spec = image.spec;
  const secrets: Record<string, pulumi.Input<string>> = {};
  for (const s of spec.bake.secrets ?? []) {
    const value = options.buildSecrets?.[s.id];
    if (value === undefined) {
      throw new ValidationError({
        prop: 'buildSecrets',
        value: s.id,
        why: `image ${image.name} mounts the secret '${s.id}' for its module download, and buildSecrets has no value for it`,
        fix: `pass it, e.g. buildSecrets: { '${s.id}': config.requireSecret('${s.id}') }`,
      }, image.node.path);
    }
    secrets[s.id] = pulumi.secret(value);
  }
  const ssh = (spec.bake.ssh ?? []).map((id) => ({ id }));
  return {
    tags: [...spec.bake.tags],
    push: true,
    platforms: spec.bake.platforms.map((p) => p as dockerbuild.Platform),
    context: { location: path.relative(options.cwd, image.contextDir) || '.' },
    dockerfile: { inline: renderDockerfile(spec.dockerfile) },
    buildArgs: { ...spec.bake.args },
    labels: { ...spec.bake.labels },
    ...(registries.length > 0 ? { registries } : {}),
    ...(Object.keys(secrets).length > 0 ? { secrets } : {}),
    ...(ssh.length > 0 ? { ssh } : {}),
    ...(options.builder !== undefined ? { builder: { name: options.builder } } : {}),
  };
}

/**
 * A repository of one path component (`hello`, what GoStaticImage defaults to without
 * `repository`) would be pushed to Docker Hub's `library/`, which nobody but Docker can
 * push to: ask for a real repository instead.
 */
function assertPushable(image: GoStaticImage): void {
  if (!image.repository.includes('/')) {
    throw new ValidationError({
      prop: 'repository',
      value: image.repository,
      why: 'is a local image name: it has no registry to push to, and Kubernetes nodes could not pull it',
      fix: "set repository on the GoStaticImage, e.g. repository: 'ghcr.io/acme/hello' (or `${registryFromConfig().prefix}/hello`)",
    }, image.node.path);
  }
}
