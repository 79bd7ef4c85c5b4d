import { ValidationError } from '../model/errors';
import { PropNames } from '../model/known-props';
import { GoModuleEnv } from '../render/dockerfile';
import { BuildSecret, buildSecrets } from './build-secret';
import { goFlags, goPatterns, goProxy } from './go-env';
import { ModuleLayout } from './module-layout';

/** How the build reaches private modules: part of {@link GoStaticImageProps}. */
export interface ModuleAccessProps {
  /**
   * `GOPROXY` of the builder stage: where modules are downloaded from. No credentials in the
   * URL (they would be in the image config and logs): put them in a netrc secret.
   * @default - Go's default: the public module proxy, then direct
   */
  readonly goProxy?: string;
  /**
   * `GOPRIVATE`: module path patterns fetched directly from their origin (not through GOPROXY)
   * and not checked against the public checksum database.
   * @default - none
   */
  readonly goPrivate?: readonly string[];
  /**
   * `GONOSUMDB`: module path patterns not checked against the public checksum database, for
   * private modules served by your own GOPROXY.
   * @default - none
   */
  readonly goNoSumDb?: readonly string[];
  /**
   * `GOFLAGS` of the builder stage, e.g. `['-mod=mod']`.
   * @default - none
   */
  readonly goFlags?: readonly string[];
  /**
   * Credentials the module download reads: `BuildSecret.netrc()`, `.gitConfig()` or `.ssh()`.
   * Mounted for the download command only, as BuildKit secrets or the SSH agent, declared in
   * docker-bake.json, and passed by the Pulumi backend from its `buildSecrets`. Never in a
   * layer, a build arg or the image history.
   * @default - none
   */
  readonly secrets?: readonly BuildSecret[];
}

/** Every prop of {@link ModuleAccessProps}. */
export const MODULE_ACCESS_PROPS: PropNames<ModuleAccessProps> = {
  goProxy: true,
  goPrivate: true,
  goNoSumDb: true,
  goFlags: true,
  secrets: true,
};

/** The validated module access settings. */
export interface ModuleAccess {
  readonly goEnv: GoModuleEnv;
  readonly secrets: readonly BuildSecret[];
}

/**
 * Validates the module access props against the module's layout: a vendored module downloads
 * nothing, so proxy settings and secrets there would be silently unused, and are refused.
 */
export function resolveModuleAccess(props: ModuleAccessProps, layout: ModuleLayout): ModuleAccess {
  const goEnv: GoModuleEnv = {
    ...(props.goProxy !== undefined ? { GOPROXY: goProxy('goProxy', props.goProxy) } : {}),
    ...(props.goPrivate !== undefined ? { GOPRIVATE: goPatterns('goPrivate', props.goPrivate) } : {}),
    ...(props.goNoSumDb !== undefined ? { GONOSUMDB: goPatterns('goNoSumDb', props.goNoSumDb) } : {}),
    ...(props.goFlags !== undefined ? { GOFLAGS: goFlags('goFlags', props.goFlags) } : {}),
  };
  const secrets = props.secrets === undefined ? [] : buildSecrets('secrets', props.secrets);
  if (layout.vendored) {
    const unused = (['goProxy', 'goPrivate', 'goNoSumDb', 'secrets'] as const).find((p) => props[p] !== undefined);
    if (unused !== undefined) {
      throw ValidationError.invalid(unused, props[unused], 'is never used: the module has vendor/modules.txt, so the build reads vendor/ and downloads nothing', `remove ${unused}, or delete vendor/ to download modules`);
    }
    const modFlag = (props.goFlags ?? []).find((f) => f.startsWith('-mod='));
    if (modFlag !== undefined && modFlag !== '-mod=vendor') {
      throw ValidationError.invalid('goFlags', modFlag, 'contradicts vendor/: goship builds a vendored module with -mod=vendor', `remove ${modFlag}`);
    }
  }
  return { goEnv, secrets };
}
