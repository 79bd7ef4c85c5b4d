import { createHash } from 'crypto';
import { imageDigest, parseImageReference } from '../model/image-ref';
import { credentialsFor, CredentialLookup, RegistryCredentials } from './docker-config';

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
  const url = `${plain ? 'http' : 'https'}://${host}/v2/${name}/manifests/${tagOrDigest}`;
  const lookup = () => (options.credentials ?? ((h: string) => credentialsFor(h)))(host);

  let res = await request('HEAD', url, undefined, reference);
  if (res.status === 401) {
    const authorization = await authorize(res.headers.get('www-authenticate') ?? '', name, lookup(), reference);
    res = await request('HEAD', url, authorization, reference);
  }
  if (res.status === 404) {
    throw new Error(`${reference}: not found in ${host} (404) — push it first (docker buildx bake --push), or check the tag`);
  }
  if (res.status === 401 || res.status === 403) {
    throw new Error(`${reference}: ${host} refused the credentials (${res.status}) — check auths['${host}'] in the Docker config (docker login ${host})`);
  }
  if (res.status !== 200) {
    throw new Error(`${reference}: ${host} answered ${res.status} to HEAD ${url}`);
  }
  const mediaType = (res.headers.get('content-type') ?? '').split(';')[0].trim();
  let digest = res.headers.get('docker-content-digest');
  if (!digest) {
    // Some registries leave the header off a HEAD: the digest is the sha256 of the body.
    const body = await request('GET', url, res.authorization, reference);
    digest = `sha256:${createHash('sha256').update(Buffer.from(await body.arrayBuffer())).digest('hex')}`;
  }
  return { digest: imageDigest(`${reference} digest`, digest), mediaType };
}

type Answer = Response & { authorization?: string };

async function request(method: string, url: string, authorization: string | undefined, reference: string): Promise<Answer> {
  try {
    const res = await fetch(url, {
      method,
      headers: { Accept: MANIFEST_ACCEPT.join(', '), ...(authorization ? { Authorization: authorization } : {}) },
      redirect: 'follow',
    }) as Answer;
    res.authorization = authorization;
    return res;
  } catch (e) {
    const cause = (e as { cause?: { message?: string } }).cause?.message;
    throw new Error(`${reference}: cannot reach ${new URL(url).host} (${cause ?? (e as Error).message})`);
  }
}

/** The `Authorization` header for a 401's challenge: Basic, or a Bearer token fetched from its realm. */
async function authorize(challenge: string, name: string, lookup: CredentialLookup, reference: string): Promise<string> {
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
    throw new Error(`${reference}: the registry answered 401 with an unsupported challenge '${challenge}' (goship speaks Basic and Bearer)`);
  }
  const params = challengeParams(challenge);
  if (!params.realm) {
    throw new Error(`${reference}: the registry's Bearer challenge names no realm: '${challenge}'`);
  }
  const tokenUrl = new URL(params.realm);
  if (params.service) {
    tokenUrl.searchParams.set('service', params.service);
  }
  tokenUrl.searchParams.set('scope', params.scope ?? `repository:${name}:pull`);
  const res = await request('GET', tokenUrl.toString(), basic, reference);
  if (res.status === 401 || res.status === 403) {
    throw new Error(`${reference}: the token service ${tokenUrl.host} refused ${basic ? 'the credentials' : 'an anonymous token'} (${res.status}) — check auths in the Docker config (docker login)`);
  }
  if (res.status !== 200) {
    throw new Error(`${reference}: the token service ${tokenUrl.host} answered ${res.status}`);
  }
  const body = await res.json().catch(() => ({})) as { token?: string; access_token?: string };
  const token = body.token ?? body.access_token;
  if (!token) {
    throw new Error(`${reference}: the token service ${tokenUrl.host} answered without a token`);
  }
  return `Bearer ${token}`;
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
  let authorization: string | undefined;
  return {
    host,
    name,
    async get(p: string): Promise<Response> {
      let res = await request('GET', `${base}${p}`, authorization, reference);
      if (res.status === 401) {
        authorization = await authorize(res.headers.get('www-authenticate') ?? '', name, (options.credentials ?? ((h: string) => credentialsFor(h)))(host), reference);
        res = await request('GET', `${base}${p}`, authorization, reference);
      }
      if (res.status === 401 || res.status === 403) {
        throw new Error(`${reference}: ${host} refused the credentials (${res.status}) — check auths['${host}'] in the Docker config (docker login ${host})`);
      }
      return res;
    },
  };
}
