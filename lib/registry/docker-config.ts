import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { BOUNDS, readTextBounded } from '../bounds';

/**
 * Registry credentials from a Docker client config (`$DOCKER_CONFIG/config.json`, else
 * `~/.docker/config.json`), as `docker login` writes them under `auths`.
 *
 * Supported: `auths.<host>.auth` (base64 `user:password`) and `auths.<host>.username` +
 * `password`. Not supported, and named in the error when they are all a config has for a
 * registry: credential helpers (`credsStore`, `credHelpers`) and OAuth refresh tokens
 * (`identitytoken`).
 */

/** A user name and password (or token) for one registry. */
export interface RegistryCredentials {
  readonly username: string;
  readonly password: string;
}

/** What a config says about one registry host. */
export type CredentialLookup =
  | { readonly kind: 'found'; readonly credentials: RegistryCredentials }
  | { readonly kind: 'none' }
  | { readonly kind: 'unsupported'; readonly why: string };

/** The config file goship reads: `$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`. */
export function dockerConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(env.DOCKER_CONFIG ?? path.join(os.homedir(), '.docker'), 'config.json');
}

interface DockerConfig {
  readonly auths?: Record<string, { auth?: string; username?: string; password?: string; identitytoken?: string }>;
  readonly credsStore?: string;
  readonly credHelpers?: Record<string, string>;
}

/** Keys `docker login` may have used for a host: `host`, `https://host`, `https://host/v1/`, … */
function keysFor(host: string): string[] {
  const hub = host === 'docker.io' || host === 'registry-1.docker.io' || host === 'index.docker.io';
  return hub
    ? ['https://index.docker.io/v1/', 'index.docker.io', 'docker.io', 'registry-1.docker.io']
    : [host, `https://${host}`, `http://${host}`, `https://${host}/v1/`, `https://${host}/v2/`];
}

/**
 * The credentials for `host` in the config file at `file`. A missing file means none.
 *
 * @throws Error when the file is not valid JSON, or an `auth` entry does not decode to `user:password`
 */
export function credentialsFor(host: string, file: string = dockerConfigPath()): CredentialLookup {
  if (!fs.existsSync(file)) {
    return { kind: 'none' };
  }
  let config: DockerConfig;
  try {
    config = JSON.parse(readTextBounded(file, BOUNDS.textFileBytes)) as DockerConfig;
  } catch (e) {
    if (!(e instanceof SyntaxError)) {
      throw e;
    }
    // The parser's message quotes the file's bytes, which hold passwords: only the position is told.
    const at = /position (\d+)/.exec(e.message)?.[1];
    throw new Error(`${file}: not valid JSON${at === undefined ? '' : ` (at byte ${at})`} — fix it or run docker login again (the file's bytes are not shown: they hold credentials)`);
  }
  if (typeof config !== 'object' || config === null || Array.isArray(config)) {
    throw new Error(`${file}: not a Docker config (not a JSON object) — fix it or run docker login again`);
  }
  const auths = objectField(config, 'auths', file);
  for (const key of keysFor(host)) {
    const entry = auths?.[key];
    if (entry === undefined || entry === null) {
      continue;
    }
    if (typeof entry !== 'object' || Array.isArray(entry)) {
      throw new Error(`${file}: auths['${key}'] is not an object — fix it or run docker login ${host} again`);
    }
    const field = (name: string): string | undefined => {
      const v = (entry as Record<string, unknown>)[name];
      if (v !== undefined && v !== null && typeof v !== 'string') {
        throw new Error(`${file}: auths['${key}'].${name} is not a string — fix it or run docker login ${host} again`);
      }
      return v ?? undefined;
    };
    const auth = field('auth');
    if (auth) {
      const decoded = Buffer.from(auth, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon <= 0) {
        throw new Error(`${file}: auths['${key}'].auth does not decode to user:password — run docker login ${host} again`);
      }
      return { kind: 'found', credentials: { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) } };
    }
    const username = field('username');
    const password = field('password');
    if (username && password) {
      return { kind: 'found', credentials: { username, password } };
    }
    if (field('identitytoken')) {
      return { kind: 'unsupported', why: `${file} has an OAuth identity token for ${host}, which goship does not exchange; put a user and password (or access token) in auths['${host}'].auth` };
    }
  }
  const helpers = objectField(config, 'credHelpers', file);
  const store = (config as Record<string, unknown>).credsStore;
  const helper = keysFor(host).map((k) => helpers?.[k]).find((h) => h !== undefined && h !== null) ?? store;
  if (helper !== undefined && helper !== null && helper !== '') {
    if (typeof helper !== 'string' || !/^[A-Za-z0-9._-]+$/.test(helper)) {
      throw new Error(`${file}: a credential helper name (credsStore or credHelpers) is not a plain name — fix it or run docker login again`);
    }
    return { kind: 'unsupported', why: `${file} keeps the credentials for ${host} in the credential helper docker-credential-${helper}, which goship does not run; put them in auths['${host}'].auth (base64 of user:password), e.g. in a separate DOCKER_CONFIG folder for CI` };
  }
  return { kind: 'none' };
}

/** A field of the config that must be an object (or absent). */
function objectField(config: object, name: string, file: string): Record<string, unknown> | undefined {
  const v = (config as Record<string, unknown>)[name];
  if (v === undefined || v === null) {
    return undefined;
  }
  if (typeof v !== 'object' || Array.isArray(v)) {
    throw new Error(`${file}: ${name} is not an object — fix it or run docker login again`);
  }
  return v as Record<string, unknown>;
}
