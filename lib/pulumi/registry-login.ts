import * as pulumi from '@pulumi/pulumi';
import { ValidationError } from '../model/errors';
import { imageRepository } from '../model/image-ref';

/** Credentials for one container registry, as the image build uses them (like `docker login`). */
export interface RegistryLogin {
  /** The registry host, with its port if any: `ghcr.io`, `registry.example.com:5000`. */
  readonly address: string;
  /** The user name. */
  readonly username: pulumi.Input<string>;
  /** The password or token. Always handled as a Pulumi secret. */
  readonly password: pulumi.Input<string>;
}

/** The registry and credentials a stack pushes to, read from its Pulumi config. */
export interface StackRegistry {
  /** Where images go, without the image name: `ghcr.io/acme`. Append `/<image>` for a repository. */
  readonly prefix: string;
  /** The registry host of `prefix`: `ghcr.io`. */
  readonly address: string;
  /** Credentials, when the stack sets `registryUsername` and `registryPassword`. */
  readonly login?: RegistryLogin;
}

const DOCKER_HUB = 'docker.io';
const DOCKER_HUB_ALIASES = new Set([DOCKER_HUB, 'index.docker.io', 'registry-1.docker.io']);

/**
 * The registry host of an image repository, the way Docker reads a reference: the first path
 * component when it has a `.` or a `:` or is `localhost`, else Docker Hub.
 *
 * @example registryHostOf('ghcr.io/acme/hello') // 'ghcr.io'
 */
export function registryHostOf(repository: string): string {
  const first = repository.split('/')[0];
  const isHost = repository.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost');
  return isHost ? first : DOCKER_HUB;
}

/** True if a login for `address` applies to images in `repository`. */
export function loginApplies(address: string, repository: string): boolean {
  const host = registryHostOf(repository);
  return address === host || (DOCKER_HUB_ALIASES.has(address) && DOCKER_HUB_ALIASES.has(host));
}

/**
 * Reads the stack's registry from Pulumi config, in the config's namespace (the project name
 * for `new pulumi.Config()`):
 *
 * - `registry` (required): where images are pushed, e.g. `ghcr.io/acme`;
 * - `registryUsername` and `registryPassword` (optional, together; the password a secret): the
 *   login. Without them the build uses the credentials of the machine's `docker login`.
 *
 * Errors name the missing key and the `pulumi config set` command that sets it.
 *
 * @example
 * const registry = registryFromConfig(new pulumi.Config());
 * new HelloChart(app, 'hello', { repository: `${registry.prefix}/hello` });
 */
export function registryFromConfig(config: pulumi.Config = new pulumi.Config()): StackRegistry {
  const key = (k: string) => `${config.name}:${k}`;
  const raw = config.get('registry');
  if (raw === undefined || raw.trim() === '') {
    throw missing(key('registry'), 'is not set: images need a registry to be pushed to', `pulumi config set ${key('registry')} ghcr.io/<owner>`);
  }
  const prefix = registryPrefix(key('registry'), raw.trim().replace(/\/+$/, ''));
  const address = registryHostOf(`${prefix}/image`);
  const username = config.get('registryUsername');
  // getSecret: the value stays a secret; only whether it is set is looked at here.
  const password = config.getSecret('registryPassword');
  if (username === undefined && password === undefined) {
    return { prefix, address };
  }
  if (username === undefined) {
    throw missing(key('registryUsername'), `is not set, but ${key('registryPassword')} is: a login needs both`, `pulumi config set ${key('registryUsername')} <user>`);
  }
  if (password === undefined) {
    throw missing(key('registryPassword'), `is not set, but ${key('registryUsername')} is: a login needs both`, `pulumi config set --secret ${key('registryPassword')} <token>`);
  }
  return { prefix, address, login: { address, username, password } };
}

function registryPrefix(prop: string, value: string): string {
  try {
    imageRepository(prop, `${value}/image`);
  } catch (e) {
    if (e instanceof ValidationError) {
      throw ValidationError.invalid(prop, value, 'not a registry and path images can be pushed under', `pulumi config set ${prop} ghcr.io/<owner> (a host, then lower-case path components)`);
    }
    throw e;
  }
  return value;
}

function missing(prop: string, why: string, command: string): ValidationError {
  return ValidationError.invalid(prop, undefined, why, `run \`${command}\``);
}
