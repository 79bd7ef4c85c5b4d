import { ValidationError } from '../model/errors';
import { parseImageReference } from '../model/image-ref';
import { PropNames, rejectUnknownProps } from '../model/known-props';

/** What a runtime base image already carries, so goship adds only what is missing. */
export interface RuntimeBaseOptions {
  /** The base carries a CA bundle at `/etc/ssl/certs/ca-certificates.crt`. @default false */
  readonly caCertificates?: boolean;
  /** The base carries `/usr/share/zoneinfo`. @default false */
  readonly zoneinfo?: boolean;
}

const RUNTIME_BASE_OPTIONS: PropNames<RuntimeBaseOptions> = { caCertificates: true, zoneinfo: true };

/**
 * The stage the binary runs in. Every base runs the binary as a numeric non-root user; the
 * binary is always static (`CGO_ENABLED=0`), so no base needs a C library.
 *
 * @example
 * RuntimeBase.scratch()
 * RuntimeBase.distrolessStatic()
 * RuntimeBase.custom('registry.example.com/base/static@sha256:…', { caCertificates: true })
 */
export class RuntimeBase {
  /**
   * An empty image: the binary, the CA bundle, user entries and (by default) time zone data
   * embedded in the binary. The smallest choice.
   */
  public static scratch(): RuntimeBase {
    return new RuntimeBase('scratch', 'scratch', false, false, true);
  }

  /**
   * Google's distroless static image (CA bundle, zoneinfo, `/etc/passwd` with `nonroot`, no shell).
   * @param image @default 'gcr.io/distroless/static-debian12:nonroot'
   */
  public static distrolessStatic(image = 'gcr.io/distroless/static-debian12:nonroot'): RuntimeBase {
    return new RuntimeBase('distroless', checked(image), true, true, false);
  }

  /**
   * Alpine Linux: a shell and `apk` for debugging, CA bundle included; time zone data is
   * embedded in the binary.
   * @param image @default 'alpine:3.20'
   */
  public static alpine(image = 'alpine:3.20'): RuntimeBase {
    return new RuntimeBase('alpine', checked(image), true, false, false);
  }

  /** Any other base image; say what it carries so goship adds the rest. */
  public static custom(image: string, options: RuntimeBaseOptions = {}): RuntimeBase {
    rejectUnknownProps(options, RUNTIME_BASE_OPTIONS, 'RuntimeBaseOptions', 'runtime');
    for (const key of ['caCertificates', 'zoneinfo'] as const) {
      if (options[key] !== undefined && typeof options[key] !== 'boolean') {
        throw ValidationError.invalid(`runtime.${key}`, options[key], 'must be true or false', 'leave it unset for false');
      }
    }
    return new RuntimeBase('custom', checked(image), options.caCertificates ?? false, options.zoneinfo ?? false, false);
  }

  private constructor(
    /** Which kind of base this is. */
    public readonly kind: 'scratch' | 'distroless' | 'alpine' | 'custom',
    /** The `FROM` of the runtime stage. */
    public readonly image: string,
    /** Whether the base already has a CA bundle. */
    public readonly providesCaCertificates: boolean,
    /** Whether the base already has `/usr/share/zoneinfo`. */
    public readonly providesZoneinfo: boolean,
    /** Whether goship must write `/etc/passwd` and `/etc/group` for the user. */
    public readonly needsUserEntries: boolean,
  ) {}
}

function checked(image: string): string {
  parseImageReference('runtime', image);
  return image;
}
