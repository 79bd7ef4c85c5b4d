import { hasUrlCredentials, ValidationError } from '../model/errors';
import { PropNames, rejectUnknownProps } from '../model/known-props';
import { configMapKey, dns1123Subdomain, envVarName } from '../model/names';

/** A key of an existing Secret, read into an environment variable. */
export interface SecretEnvSource {
  /** The Secret's name, in the deployment's namespace. */
  readonly secret: string;
  /** The key in the Secret. */
  readonly key: string;
  /**
   * Start the container even if the Secret or key is missing (the variable is then unset).
   * @default false
   */
  readonly optional?: boolean;
}

/**
 * A plain value whose name looks secret but is not: reviewable in the diff, next to the value.
 *
 * @example
 * env: { TOKEN_AUDIENCE: EnvValue.notSecret('sts.amazonaws.com') }
 */
export class EnvValue {
  /** Writes `value` in plain text although the variable's name says secret. */
  public static notSecret(value: string): EnvValue {
    return new EnvValue(value);
  }

  private constructor(
    /** The value, written as is. */
    public readonly value: string,
  ) {}
}

const SECRET_ENV_SOURCE: PropNames<SecretEnvSource> = { secret: true, key: true, optional: true };

/** Environment resolved: plain values and Secret references, each sorted by name. */
export interface ResolvedEnv {
  readonly env: Readonly<Record<string, string>>;
  readonly secretEnv: Readonly<Record<string, Required<SecretEnvSource>>>;
}

/**
 * Words that mark a variable as secret, whole or as parts of its name (`DB_PASSWORD`,
 * `API_SECRET_KEY`, `GITHUB_TOKEN`, `AWS_ACCESS_KEY_ID`).
 */
const SECRET_WORDS = new Set([
  'PASSWORD', 'PASSWORDS', 'PASSWD', 'PASS', 'PWD', 'PASSPHRASE', 'SECRET', 'SECRETS', 'TOKEN', 'TOKENS', 'CREDENTIAL',
  'CREDENTIALS', 'APIKEY', 'PRIVATEKEY', 'ACCESSKEY',
]);
const SECRET_PAIRS = new Set(['API_KEY', 'PRIVATE_KEY', 'ACCESS_KEY', 'SIGNING_KEY', 'ENCRYPTION_KEY', 'CLIENT_KEY', 'MASTER_KEY',
  'SSH_KEY', 'TLS_KEY', 'SSL_KEY', 'SECRET_KEY', 'AUTH_KEY', 'SESSION_KEY', 'HMAC_KEY', 'JWT_KEY', 'DEPLOY_KEY', 'LICENSE_KEY']);

/**
 * Last words that make the name describe a secret rather than hold one: its lifetime
 * (`TOKEN_TTL`), where it is (`OAUTH_TOKEN_URL`, `VAULT_SECRET_PATH`, `DB_PASSWORD_FILE`),
 * what it is called (`SECRET_NAME`) or a rule about it (`PASSWORD_MIN_LENGTH`). `ID` is not
 * one of them: `AWS_ACCESS_KEY_ID` travels with its secret and stays out of plain text.
 */
const ABOUT_WORDS = new Set([
  'TTL', 'EXPIRY', 'LIFETIME', 'TIMEOUT', 'SECONDS', 'DURATION', 'URL', 'URI', 'ENDPOINT', 'HOST', 'PORT', 'ADDR',
  'PATH', 'FILE', 'DIR', 'NAME', 'LENGTH', 'LEN', 'SIZE', 'BITS', 'COUNT', 'ENABLED', 'HEADER', 'ISSUER', 'AUDIENCE',
  'ALGORITHM', 'VERSION', 'REF', 'TYPE', 'FORMAT',
]);

/** True when the variable name says it holds a secret. */
export function looksSecret(name: string): boolean {
  const words = name.toUpperCase().split(/[^A-Z0-9]+/).filter((w) => w.length > 0);
  if (words.length > 1 && ABOUT_WORDS.has(words[words.length - 1])) {
    return false;
  }
  return words.some((w, i) => SECRET_WORDS.has(w) || (i > 0 && SECRET_PAIRS.has(`${words[i - 1]}_${w}`)));
}

/**
 * Checks `env` and `secretEnv`: valid names, string values, no name in both, and no secret
 * value written in plain text. Secret values are never echoed in an error.
 */
export function resolveEnv(env: Readonly<Record<string, string | EnvValue>> = {}, secretEnv: Readonly<Record<string, SecretEnvSource>> = {}): ResolvedEnv {
  const plain: Record<string, string> = {};
  for (const name of keysOf('env', env)) {
    envVarName(`env.${name}`, name);
    const given = env[name];
    const value = given instanceof EnvValue ? given.value : given;
    if (!(given instanceof EnvValue) && looksSecret(name)) {
      throw ValidationError.invalid(
        `env.${name}`,
        '<redacted>',
        'the name says it is a secret, and env values are written in plain text into the pod template and into git',
        `put it in a Secret and reference it: secretEnv: { ${name}: { secret: '<secret name>', key: '<key>' } }; if it is not a secret, say so: ${name}: EnvValue.notSecret('…')`,
      );
    }
    if (typeof value !== 'string') {
      throw ValidationError.invalid(`env.${name}`, value, 'must be a string (environment variables are text)', `quote it: ${name}: '${String(value)}'`);
    }
    if (!(given instanceof EnvValue) && hasUrlCredentials(value)) {
      throw ValidationError.invalid(
        `env.${name}`,
        '<redacted>',
        'holds a URL with a user and password (user:password@), and env values are written in plain text into the pod template and into git',
        `put the URL in a Secret and reference it: secretEnv: { ${name}: { secret: '<secret name>', key: '<key>' } }`,
      );
    }
    plain[name] = value;
  }
  const secrets: Record<string, Required<SecretEnvSource>> = {};
  for (const name of keysOf('secretEnv', secretEnv)) {
    envVarName(`secretEnv.${name}`, name);
    if (name in plain) {
      throw ValidationError.invalid(`secretEnv.${name}`, name, 'is also set in env; Kubernetes would silently let one win', 'set each variable in env or in secretEnv, not both');
    }
    const ref = secretEnv[name];
    rejectUnknownProps(ref, SECRET_ENV_SOURCE, 'a secretEnv entry', `secretEnv.${name}`, true);
    if (typeof ref !== 'object' || ref === null || Array.isArray(ref)) {
      throw ValidationError.invalid(
        `secretEnv.${name}`,
        '<redacted>',
        'must reference a key of an existing Secret; a secret value is never written into the output',
        `use secretEnv: { ${name}: { secret: '<secret name>', key: '<key>' } }`,
      );
    }
    const optional = ref.optional ?? false;
    if (typeof optional !== 'boolean') {
      throw ValidationError.invalid(`secretEnv.${name}.optional`, optional, 'must be true or false', 'leave it unset for false');
    }
    secrets[name] = {
      secret: dns1123Subdomain(`secretEnv.${name}.secret`, ref.secret),
      key: configMapKey(`secretEnv.${name}.key`, ref.key),
      optional,
    };
  }
  return { env: plain, secretEnv: secrets };
}

function keysOf(prop: string, record: unknown): string[] {
  if (typeof record !== 'object' || record === null || Array.isArray(record)) {
    throw ValidationError.invalid(prop, Array.isArray(record) ? '[…]' : record, 'must be an object of variable names', `use e.g. ${prop}: { LOG_LEVEL: 'info' }`);
  }
  return Object.keys(record).sort();
}
