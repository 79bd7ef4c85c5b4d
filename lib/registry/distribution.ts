import { createHash } from 'crypto';
import { imageDigest, parseImageReference } from '../model/image-ref';
import { credentialsFor, CredentialLookup, RegistryCredentials } from './docker-config';
import { Answer, Operation, discard, readBody, send, startOperation } from './http';

/**
 * Resolves an image tag to its digest through the OCI distribution API
 * (`HEAD /v2/<name>/manifests/<tag>`), as `docker buildx imagetools inspect` or `crane digest`
 * do, with the two auth schemes registries use: Basic, and Bearer tokens from the realm the
 * registry names in its `WWW-Authenticate` challenge (Docker Hub, GHCR, ECR, Harbor, …).
 */

/** Every manifest type goship accepts, index types first, so a multi-platform tag resolves to its index. */
export const MANIFEST_ACCEPT: readonly string[] = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
];

/** Options of {@link resolveDigest}. */
export interface ResolveOptions {
  /**
   * Where credentials come from: a host → lookup function.
   * @default - the Docker config file (`$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`)
   */
  readonly credentials?: (host: string) => CredentialLookup;
  /**
   * Talk plain HTTP instead of HTTPS.
   * @default - only for loopback registries (`localhost`, `127.0.0.1`, `[::1]`), as Docker does
   */
  readonly plainHttp?: boolean;
  /**
   * Token realm hosts other than the registry's own that may receive the registry's
   * credentials (e.g. `auth.docker.io` for Docker Hub). Each use is reported through `warn`.
   * Without it, a realm on another host gets an anonymous token request only.
   * @default - none: credentials go to the registry's host only
   */
  readonly tokenRealmHosts?: readonly string[];
  /** Receives warnings, e.g. credentials sent to an opted-in realm host. @default - standard error */
  readonly warn?: (message: string) => void;
  /** The one deadline of the whole operation, in milliseconds. @default BOUNDS.registryOperationMs */
  readonly deadlineMs?: number;
}

/** A tag's digest as the registry serves it. */
export interface ResolvedDigest {
  readonly digest: string;
  readonly mediaType: string;
}

/** The registry host and repository path of a reference, as the distribution API names them. */
export function registryLocation(repository: string): { host: string; name: string } {
  const slash = repository.indexOf('/');
  const first = slash < 0 ? '' : repository.slice(0, slash);
  if (first && (first.includes('.') || first.includes(':') || first === 'localhost')) {
    return { host: first, name: repository.slice(slash + 1) };
  }
  return { host: 'registry-1.docker.io', name: slash < 0 ? `library/${repository}` : repository };
}

/**
 * The digest `reference` (`repo:tag`) points to in its registry: for a multi-platform image,
 * the index digest.
 *
 * @throws Error naming the reference for a missing tag (404), refused credentials (401/403),
 *   unsupported credential storage, or any other answer
 */
export async function resolveDigest(reference: string, options: ResolveOptions = {}): Promise<ResolvedDigest> {
  const ref = parseImageReference('reference', reference);
  const tagOrDigest = ref.digest ?? ref.tag!;
  const { host, name } = registryLocation(ref.repository);
  const plain = options.plainHttp ?? /^(localhost|127\.[0-9.]+|\[::1\])(:[0-9]+)?$/.test(host);
  const url = new URL(`${plain ? 'http' : 'https'}://${host}/v2/${name}/manifests/${tagOrDigest}`);
  const lookup = () => (options.credentials ?? ((h: string) => credentialsFor(h)))(host);
  const op = startOperation(reference, options.deadlineMs);
  const accept = { Accept: MANIFEST_ACCEPT.join(', ') };

  let authorization: string | undefined;
  let res = await send(op, 'HEAD', url, accept);
  if (res.status === 401) {
    await discard(res);
    authorization = await authorize(op, url, res.headers.get('www-authenticate') ?? '', name, lookup(), options);
    res = await send(op, 'HEAD', url, accept, authorization);
  }
  await discard(res);
  if (res.status === 404) {
    throw new Error(`${reference}: not found in ${host} (404) — push it first (docker buildx bake --push), or check the tag`);
  }
  if (res.status === 401 || res.status === 403) {
    throw new Error(`${reference}: ${host} refused the credentials (${res.status}) — check auths['${host}'] in the Docker config (docker login ${host})`);
  }
  if (res.status !== 200) {
    throw new Error(`${reference}: ${host} answered ${res.status} to HEAD ${url.toString()}`);
  }
  const mediaType = (res.headers.get('content-type') ?? '').split(';')[0].trim();
  let digest = res.headers.get('docker-content-digest');
  if (!digest) {
    // Some registries leave the header off a HEAD: the digest is the sha256 of the body.
    const body = await readBody(op, await send(op, 'GET', url, accept, authorization));
    digest = `sha256:${createHash('sha256').update(body).digest('hex')}`;
  }
  return { digest: imageDigest(`${reference} digest`, digest), mediaType };
}

/**
 * The `Authorization` header for a 401's challenge: Basic, or a Bearer token fetched from its
 * realm. Credentials go to the realm only when it is on the registry's host (or opted in),
 * and never over http when the registry spoke https.
 */
async function authorize(op: Operation, registry: URL, challenge: string, name: string, lookup: CredentialLookup, options: ResolveOptions): Promise<string> {
  const reference = op.subject;
  if (lookup.kind === 'unsupported') {
    throw new Error(`${reference}: the registry needs credentials, but ${lookup.why}`);
  }
  const credentials: RegistryCredentials | undefined = lookup.kind === 'found' ? lookup.credentials : undefined;
  const basic = credentials && `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;
  const scheme = challenge.trim().split(/\s+/)[0]?.toLowerCase();
  if (scheme === 'basic') {
    if (!basic) {
      throw new Error(`${reference}: the registry answered 401 and the Docker config has no credentials for it — docker login, or set DOCKER_CONFIG to a folder whose config.json has them`);
    }
    return basic;
  }
  if (scheme !== 'bearer') {
    throw new Error(`${reference}: the registry answered 401 with an unsupported challenge '${printable(challenge)}' (goship speaks Basic and Bearer)`);
  }
  const params = challengeParams(challenge);
  let tokenUrl: URL;
  try {
    tokenUrl = new URL(params.realm ?? '');
  } catch {
    throw new Error(`${reference}: the registry's Bearer challenge names no usable realm: '${printable(challenge)}'`);
  }
  if (tokenUrl.protocol !== 'https:' && tokenUrl.protocol !== 'http:') {
    throw new Error(`${reference}: the token realm ${tokenUrl.protocol} is not http(s)`);
  }
  if (registry.protocol === 'https:' && tokenUrl.protocol !== 'https:') {
    throw new Error(`${reference}: the registry speaks https but names a plain-http token realm (${tokenUrl.host}) — goship never sends credentials over http after https`);
  }
  if (params.service) {
    tokenUrl.searchParams.set('service', params.service);
  }
  tokenUrl.searchParams.set('scope', params.scope ?? `repository:${name}:pull`);
  const sameHost = tokenUrl.hostname === registry.hostname;
  const optedIn = (options.tokenRealmHosts ?? []).includes(tokenUrl.host) || (options.tokenRealmHosts ?? []).includes(tokenUrl.hostname);
  const sendCredentials = basic !== undefined && (sameHost || optedIn);
  if (sendCredentials && !sameHost) {
    (options.warn ?? ((m: string) => process.stderr.write(`${m}\n`)))(
      `goship: warning: sending the credentials for ${registry.host} to the token realm ${tokenUrl.host}, another host, as --token-realm-host allows`);
  }
  const res: Answer = await send(op, 'GET', tokenUrl, {}, sendCredentials ? basic : undefined);
  if (res.status === 401 || res.status === 403) {
    await discard(res);
    const why = basic && !sendCredentials
      ? `an anonymous token: its realm ${tokenUrl.host} is another host than ${registry.host}, and goship sends credentials there only when allowed (goship pin --token-realm-host ${tokenUrl.host})`
      : basic ? 'the credentials' : 'an anonymous token';
    throw new Error(`${reference}: the token service ${tokenUrl.host} refused ${why} (${res.status}) — check auths in the Docker config (docker login)`);
  }
  if (res.status !== 200) {
    await discard(res);
    throw new Error(`${reference}: the token service ${tokenUrl.host} answered ${res.status}`);
  }
  let body: { token?: unknown; access_token?: unknown } = {};
  try {
    body = JSON.parse((await readBody(op, res)).toString('utf8')) as typeof body;
  } catch (e) {
    if (!(e instanceof SyntaxError)) {
      throw e;
    }
  }
  const token = body?.token ?? body?.access_token;
  if (typeof token !== 'string' || token === '' || /[\r\n]/.test(token)) {
    throw new Error(`${reference}: the token service ${tokenUrl.host} answered without a token`);
  }
  return `Bearer ${token}`;
}

/** Text from a server, safe to print on one line and short. */
function printable(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, '?').slice(0, 200);
}

/** `Bearer realm="…",service="…",scope="…"` → its parameters. */
function challengeParams(challenge: string): Record<string, string> {
  const params: Record<string, string> = {};
  for (const m of challenge.replace(/^\s*\S+\s*/, '').matchAll(/([a-zA-Z_]+)="([^"]*)"/g)) {
    params[m[1].toLowerCase()] = m[2];
  }
  return params;
}

/** A repository of a registry, as {@link repositoryClient} reads it. */
export interface RepositoryClient {
  readonly host: string;
  readonly name: string;
  /** GET `/v2/<name><path>`, with the credentials the registry asks for (asked once, then reused). */
  get(path: string): Promise<Response>;
}

/**
 * A reader of one repository with the same transport and credentials as {@link resolveDigest}
 * (`goship pin`'s): Basic or Bearer auth from the Docker config, HTTPS except on loopback.
 *
 * @param repository e.g. `ghcr.io/acme/hello`
 * @param reference what messages name, e.g. `ghcr.io/acme/hello:1a2b3c4`
 */
export function repositoryClient(repository: string, reference: string, options: ResolveOptions = {}): RepositoryClient {
  const { host, name } = registryLocation(repository);
  const plain = options.plainHttp ?? /^(localhost|127\.[0-9.]+|\[::1\])(:[0-9]+)?$/.test(host);
  const base = `${plain ? 'http' : 'https'}://${host}/v2/${name}`;
  // One deadline for everything this client does: a pull is one operation.
  const op = startOperation(reference, options.deadlineMs);
  let authorization: string | undefined;
  return {
    host,
    name,
    async get(p: string): Promise<Response> {
      const url = new URL(`${base}${p}`);
      const accept = { Accept: MANIFEST_ACCEPT.join(', ') };
      let res = await send(op, 'GET', url, accept, authorization);
      if (res.status === 401) {
        await discard(res);
        authorization = await authorize(op, url, res.headers.get('www-authenticate') ?? '', name, (options.credentials ?? ((h: string) => credentialsFor(h)))(host), options);
        res = await send(op, 'GET', url, accept, authorization);
      }
      if (res.status === 401 || res.status === 403) {
        await discard(res);
        throw new Error(`${reference}: ${host} refused the credentials (${res.status}) — check auths['${host}'] in the Docker config (docker login ${host})`);
      }
      return res.response;
    },
  };
}
