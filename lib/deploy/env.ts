import { ValidationError } from '../model/errors';
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
  'PASSWORD', 'PASSWD', 'PASSPHRASE', 'SECRET', 'SECRETS', 'TOKEN', 'TOKENS', 'CREDENTIAL',
  'CREDENTIALS', 'APIKEY', 'PRIVATEKEY', 'ACCESSKEY',
]);
const SECRET_PAIRS = new Set(['API_KEY', 'PRIVATE_KEY', 'ACCESS_KEY', 'SIGNING_KEY', 'ENCRYPTION_KEY', 'CLIENT_KEY', 'MASTER_KEY']);

/** True when the variable name says it holds a secret. */
export function looksSecret(name: string): boolean {
  const words = name.toUpperCase().split(/[^A-Z0-9]+/).filter((w) => w.length > 0);
  return words.some((w, i) => SECRET_WORDS.has(w) || (i > 0 && SECRET_PAIRS.has(`${words[i - 1]}_${w}`)));
}

/**
 * Checks `env` and `secretEnv`: valid names, string values, no name in both, and no secret
 * value written in plain text. Secret values are never echoed in an error.
 */
export function resolveEnv(env: Readonly<Record<string, string>> = {}, secretEnv: Readonly<Record<string, SecretEnvSource>> = {}): ResolvedEnv {
  const plain: Record<string, string> = {};
  for (const name of keysOf('env', env)) {
    envVarName(`env.${name}`, name);
    const value = env[name];
    if (looksSecret(name)) {
      throw ValidationError.invalid(
        `env.${name}`,
        '<redacted>',
        'the name says it is a secret, and env values are written in plain text into a ConfigMap and into git',
        `put it in a Secret and reference it: secretEnv: { ${name}: { secret: '<secret name>', key: '<key>' } }`,
      );
    }
    if (typeof value !== 'string') {
      throw ValidationError.invalid(`env.${name}`, value, 'must be a string (environment variables are text)', `quote it: ${name}: '${String(value)}'`);
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
