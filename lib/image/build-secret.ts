import { ValidationError } from '../model/errors';
import { PropNames, rejectUnknownProps } from '../model/known-props';

/** Where the build machine reads a secret file's content from: exactly one of the two. */
export interface BuildSecretSource {
  /**
   * An environment variable of the build (`docker buildx bake`) that holds the content.
   * @default - `GOSHIP_SECRET_<ID>`, e.g. `GOSHIP_SECRET_NETRC`, unless `src` is set
   */
  readonly env?: string;
  /**
   * A file on the build machine, relative to where bake runs (an absolute path would put the
   * machine's layout into the bake file).
   * @default - none: the content comes from `env`
   */
  readonly src?: string;
}

/** Options of {@link BuildSecret.netrc} and {@link BuildSecret.gitConfig}. */
export interface BuildSecretOptions extends BuildSecretSource {
  /**
   * The secret's id: the `id=` of the mount, the bake `secret` entry and the key of the Pulumi
   * backend's `buildSecrets`.
   * @default 'netrc' for netrc, 'gitconfig' for a git config
   */
  readonly id?: string;
}

const SECRET_OPTIONS: PropNames<BuildSecretOptions> = { id: true, env: true, src: true };
const SECRET_ID = /^[a-z][a-z0-9_-]{0,62}$/;
const ENV_NAME = /^[A-Z_][A-Z0-9_]*$/;

/**
 * A credential the module download step can read, and only that step: a BuildKit secret mount
 * (`RUN --mount=type=secret`, a file that exists while the command runs and in no layer) or the
 * build machine's SSH agent (`--mount=type=ssh`). Never a build arg, never in the image.
 *
 * @example
 * new GoStaticImage(chart, 'image', {
 *   context: 'services/api',
 *   goPrivate: ['git.example.com'],
 *   goProxy: 'https://goproxy.example.com',
 *   secrets: [BuildSecret.netrc()], // the build reads it from $GOSHIP_SECRET_NETRC
 * });
 */
export class BuildSecret {
  /**
   * A netrc file at `/root/.netrc`, which `go` reads for a module proxy's or a git host's basic
   * auth: `machine goproxy.example.com login ci password <token>`. Go 1.24 and later match
   * `machine` against the proxy URL's host, port and path: for `https://proxy.internal:8443`
   * write `machine proxy.internal:8443` (Go 1.23 and older take the host name alone).
   */
  public static netrc(options: BuildSecretOptions = {}): BuildSecret {
    return BuildSecret.file('netrc', '/root/.netrc', options);
  }

  /**
   * A git config at `/root/.gitconfig`, for modules fetched with git (`GOPROXY=direct` or
   * GOPRIVATE): e.g. a `url."https://ci:<token>@git.example.com/".insteadOf` rule.
   */
  public static gitConfig(options: BuildSecretOptions = {}): BuildSecret {
    return BuildSecret.file('gitconfig', '/root/.gitconfig', options);
  }

  /**
   * The build machine's SSH agent (`--mount=type=ssh`), for modules fetched with `git+ssh`.
   * The builder image needs git and ssh, and the host key in its known_hosts.
   *
   * @param id the ssh id, as in bake's `ssh` list and `docker build --ssh <id>`
   */
  public static ssh(id = 'default'): BuildSecret {
    return new BuildSecret('ssh', secretId('secrets', id), undefined, {});
  }

  private static file(defaultId: string, target: string, options: BuildSecretOptions): BuildSecret {
    if (typeof options !== 'object' || options === null) {
      throw ValidationError.invalid('secrets', options, 'the options must be an object', `use e.g. BuildSecret.${defaultId === 'netrc' ? 'netrc' : 'gitConfig'}({ env: 'NETRC' })`);
    }
    rejectUnknownProps(options, SECRET_OPTIONS, 'BuildSecret', 'secrets', true);
    const id = secretId('secrets.id', options.id ?? defaultId);
    if (options.env !== undefined && options.src !== undefined) {
      throw ValidationError.invalid('secrets.src', options.src, 'is set together with env: the content has one source', 'set either env or src');
    }
    if (options.env !== undefined && (typeof options.env !== 'string' || !ENV_NAME.test(options.env))) {
      throw ValidationError.invalid('secrets.env', options.env, 'not an environment variable name', "use upper case letters, digits and _, e.g. 'NETRC'");
    }
    if (options.src !== undefined && (typeof options.src !== 'string' || options.src === '' || options.src.startsWith('/') || /[,"\n]/.test(options.src))) {
      throw ValidationError.invalid('secrets.src', options.src, 'must be a relative path without commas or quotes (an absolute path would write this machine\'s layout into the bake file)', "use env instead, or a path relative to where bake runs, e.g. 'secrets/netrc'");
    }
    const source = options.src !== undefined ? { src: options.src } : { env: options.env ?? `GOSHIP_SECRET_${id.toUpperCase().replace(/-/g, '_')}` };
    return new BuildSecret('file', id, target, source);
  }

  private constructor(
    /** `file`: a secret mount; `ssh`: the SSH agent. */
    public readonly kind: 'file' | 'ssh',
    /** The id of the mount (and of the bake entry). */
    public readonly id: string,
    /** Where a file secret is mounted in the builder stage. */
    public readonly target: string | undefined,
    /** Where the build machine reads a file secret from. */
    public readonly source: BuildSecretSource,
  ) {}
}

function secretId(prop: string, id: unknown): string {
  if (typeof id !== 'string' || !SECRET_ID.test(id)) {
    throw ValidationError.invalid(prop, id, 'not a secret id (lower case letters, digits, - and _, starting with a letter)', "use e.g. 'netrc'");
  }
  return id;
}

/** Validates a list of {@link BuildSecret}s: each a BuildSecret, ids unique. */
export function buildSecrets(prop: string, value: unknown): BuildSecret[] {
  if (!Array.isArray(value) || value.some((s) => !(s instanceof BuildSecret))) {
    throw ValidationError.invalid(prop, value, 'must be a list of BuildSecret', 'use e.g. [BuildSecret.netrc()]');
  }
  const seen = new Set<string>();
  for (const s of value as BuildSecret[]) {
    const key = `${s.kind}:${s.id}`;
    if (seen.has(key)) {
      throw ValidationError.invalid(prop, s.id, 'is listed twice', 'give each secret its own id');
    }
    seen.add(key);
  }
  return [...value] as BuildSecret[];
}
