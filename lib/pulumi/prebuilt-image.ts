import * as docker from '@pulumi/docker';
import * as pulumi from '@pulumi/pulumi';
import { GoStaticImage } from '../image/go-static-image';
import { imageDigest } from '../model/image-ref';
import { resolveDigest } from '../registry/distribution';
import { loginApplies, RegistryLogin } from './registry-login';

/**
 * For {@link GoshipDeployment}'s `prebuilt` mode: an image CI already built and pushed is looked
 * up, never built. Its tag is resolved to the digest in the registry, and the image is deployed
 * as `repository:tag@sha256:…`, the reference `goship pin` writes into the YAML. The lookup
 * runs in the program, in `pulumi preview` as in `pulumi up`, and builds nothing.
 *
 * Two ways to look up, by {@link PrebuiltLookup}:
 * - `'registry'` (default): goship's own registry client (the OCI distribution API, Basic and
 *   Bearer auth), with the `registries` login for the image's registry, else the machine's
 *   Docker config. No plugin beyond `kubernetes`.
 * - `'docker-provider'`: `@pulumi/docker`'s `getRegistryImage` invoke, for stacks that already
 *   run the `docker` plugin (its logins go to a `docker.Provider`).
 */

/**
 * How {@link GoshipDeployment} with `prebuilt` resolves tags to digests: `'registry'` (goship's
 * registry client, no extra plugin) or `'docker-provider'` (`@pulumi/docker`'s
 * `getRegistryImage`, which needs the `docker` resource plugin).
 */
export type PrebuiltLookup = 'registry' | 'docker-provider';

/** Every lookup, for argument checks. */
export const PREBUILT_LOOKUPS: readonly PrebuiltLookup[] = ['registry', 'docker-provider'];

/**
 * A `@pulumi/docker` provider whose `registryAuth` holds the logins, for the `docker-provider`
 * lookups; undefined without logins (then the provider reads the machine's Docker config).
 */
export function registryLookupProvider(name: string, registries: readonly RegistryLogin[], parent: pulumi.Resource): docker.Provider | undefined {
  if (registries.length === 0) {
    return undefined;
  }
  return new docker.Provider(`${name}-registry-lookup`, {
    registryAuth: registries.map((r) => ({ address: r.address, username: r.username, password: pulumi.secret(r.password) })),
  }, { parent });
}

/**
 * The pinned reference of a pushed image, as an Output (never secret: a digest is not, even
 * when the login that read it is). See {@link lookupPrebuiltImage} and {@link resolvePrebuiltImage}.
 */
export function prebuiltImageRef(
  image: GoStaticImage, registries: readonly RegistryLogin[], lookup: PrebuiltLookup, opts: pulumi.InvokeOptions,
): pulumi.Output<string> {
  if (lookup === 'docker-provider') {
    return pulumi.output(lookupPrebuiltImage(image, registries, opts));
  }
  const login = registries.find((r) => loginApplies(r.address, image.repository));
  const credentials: pulumi.Output<readonly [string, string] | undefined> = login
    ? pulumi.all([login.username, login.password])
    : pulumi.output(undefined);
  return pulumi.unsecret(credentials.apply((c) => resolvePrebuiltImage(image, c ? { username: c[0], password: c[1] } : undefined)));
}

/**
 * The pinned reference of a pushed image through goship's registry client:
 * `repository:tag@<digest in the registry>`. Without `credentials` the machine's Docker config
 * is read. A tag the registry does not have fails with the image's construct path and reference.
 */
export function resolvePrebuiltImage(image: GoStaticImage, credentials?: { readonly username: string; readonly password: string }): Promise<string> {
  return resolveDigest(image.imageRef, credentials ? { credentials: () => ({ kind: 'found', credentials }) } : {}).then(
    (found) => `${image.imageRef}@${found.digest}`,
    (e: unknown) => {
      throw lookupFailed(image, e);
    },
  );
}

/**
 * The pinned reference of a pushed image through `@pulumi/docker`'s `getRegistryImage`:
 * `repository:tag@<digest in the registry>`. A tag the registry does not have fails with the
 * image's construct path and reference.
 */
export function lookupPrebuiltImage(image: GoStaticImage, registries: readonly RegistryLogin[], opts: pulumi.InvokeOptions): Promise<string> {
  const provider = registries.some((r) => loginApplies(r.address, image.repository)) ? opts.provider : undefined;
  return docker.getRegistryImage({ name: image.imageRef }, { parent: opts.parent, ...(provider ? { provider } : {}) }).then(
    (found) => `${image.imageRef}@${imageDigest(`${image.node.path} registry digest`, found.sha256Digest)}`,
    (e: unknown) => {
      throw lookupFailed(image, e);
    },
  );
}

function lookupFailed(image: GoStaticImage, e: unknown): Error {
  const cause = e instanceof Error ? e.message : String(e);
  const missing = /not found|manifest unknown|name unknown|404/i.test(cause);
  const push = 'push it first (docker buildx bake -f dist/docker-bake.json --push in CI), or deploy without prebuilt to build it';
  const fix = missing ? push
    : cause ? 'the registry did not say the image is missing: check the registry address, the credentials (registries) and that the registry answers'
      : `${push}; if it is in the registry, check the registry address and the credentials (registries)`;
  return new Error(`[${image.node.path}] ${image.imageRef}: cannot be deployed as prebuilt, the registry lookup failed${cause ? ` (${cause})` : ''} — ${fix}`);
}
