import * as docker from '@pulumi/docker';
import * as pulumi from '@pulumi/pulumi';
import { GoStaticImage } from '../image/go-static-image';
import { imageDigest } from '../model/image-ref';
import { loginApplies, RegistryLogin } from './registry-login';

/**
 * For {@link GoshipDeployment}'s `prebuilt` mode: an image CI already built and pushed is looked
 * up, never built. Its tag is resolved to the digest in the registry with `@pulumi/docker`'s
 * `getRegistryImage` (an invoke: `pulumi preview` and `pulumi up` read the registry and build
 * nothing), and the image is deployed as `repository:tag@sha256:…`, the reference
 * `goship pin` writes into the YAML.
 */

/**
 * A `@pulumi/docker` provider whose `registryAuth` holds the logins, for the lookups; undefined
 * without logins (then the provider reads the machine's Docker config).
 */
export function registryLookupProvider(name: string, registries: readonly RegistryLogin[], parent: pulumi.Resource): docker.Provider | undefined {
  if (registries.length === 0) {
    return undefined;
  }
  return new docker.Provider(`${name}-registry-lookup`, {
    registryAuth: registries.map((r) => ({ address: r.address, username: r.username, password: pulumi.secret(r.password) })),
  }, { parent });
}

/** The pinned reference of a pushed image, as an Output: see {@link lookupPrebuiltImage}. */
export function prebuiltImageRef(image: GoStaticImage, registries: readonly RegistryLogin[], opts: pulumi.InvokeOptions): pulumi.Output<string> {
  return pulumi.output(lookupPrebuiltImage(image, registries, opts));
}

/**
 * The pinned reference of a pushed image: `repository:tag@<digest in the registry>`.
 * A tag the registry does not have fails with the image's construct path and reference.
 */
export function lookupPrebuiltImage(image: GoStaticImage, registries: readonly RegistryLogin[], opts: pulumi.InvokeOptions): Promise<string> {
  const provider = registries.some((r) => loginApplies(r.address, image.repository)) ? opts.provider : undefined;
  return docker.getRegistryImage({ name: image.imageRef }, { parent: opts.parent, ...(provider ? { provider } : {}) }).then(
    (found) => `${image.imageRef}@${imageDigest(`${image.node.path} registry digest`, found.sha256Digest)}`,
    (e: unknown) => {
      const cause = e instanceof Error ? e.message : String(e);
      const missing = /not found|manifest unknown|name unknown|404/i.test(cause);
      const push = 'push it first (docker buildx bake -f dist/docker-bake.json --push in CI), or deploy without prebuilt to build it';
      const fix = missing ? push
        : cause ? 'the registry did not say the image is missing: check the registry address, the credentials (registries) and that the registry answers'
          : `${push}; if it is in the registry, check the registry address and the credentials (registries)`;
      throw new Error(`[${image.node.path}] ${image.imageRef}: cannot be deployed as prebuilt, the registry lookup failed${cause ? ` (${cause})` : ''} — ${fix}`);
    },
  );
}
