import { authorize, MANIFEST_ACCEPT, registryLocation } from './distribution';
import { credentialsFor, CredentialLookup } from './docker-config';
import { startOperation } from './http';

/**
 * Pushes and pulls through the OCI distribution API, as `crane` or ko's publisher do: blobs
 * are checked with HEAD first and skipped when the registry has them, mounted from another
 * repository of the same registry when it has them there, else uploaded in one PUT; manifests
 * are PUT by digest or tag. Loopback registries are spoken to over plain http.
 */

/** Options of {@link RegistryRepo}. */
export interface RegistryRepoOptions {
  /**
   * Where credentials come from: a host → lookup function.
   * @default - the Docker config file (`$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`)
   */
  readonly credentials?: (host: string) => CredentialLookup;
  /**
   * Talk plain HTTP instead of HTTPS.
   * @default - only for loopback registries (`localhost`, `127.0.0.1`, `[::1]`)
   */
  readonly plainHttp?: boolean;
}

/** What {@link RegistryRepo.pushBlob} did with a blob. */
export type BlobOutcome = 'existed' | 'mounted' | 'uploaded';

/** A fetched manifest: its bytes, media type and digest. */
export interface FetchedManifest {
  readonly body: Buffer;
  readonly mediaType: string;
  readonly digest: string;
}

/** One repository of a registry, e.g. `127.0.0.1:5000/team/hello`, with its auth state. */
export class RegistryRepo {
  /** Registry host, e.g. `127.0.0.1:5000`. */
  public readonly host: string;
  /** Repository path in the registry, e.g. `team/hello`. */
  public readonly name: string;
  private readonly base: string;
  private authorization?: string;

  public constructor(public readonly repository: string, private readonly options: RegistryRepoOptions = {}) {
    const { host, name } = registryLocation(repository);
    this.host = host;
    this.name = name;
    const plain = options.plainHttp ?? /^(localhost|127\.[0-9.]+|\[::1\])(:[0-9]+)?$/.test(host);
    this.base = `${plain ? 'http' : 'https'}://${host}/v2/${name}`;
  }

  /** Whether the repository has the blob (`HEAD /blobs/<digest>`). */
  public async hasBlob(digest: string): Promise<boolean> {
    const res = await this.send('HEAD', `${this.base}/blobs/${digest}`);
    if (res.status === 200) {
      return true;
    }
    if (res.status === 404) {
      return false;
    }
    throw this.failure(res, `HEAD blob ${digest}`);
  }

  /**
   * Makes sure the repository has the blob: skipped when it has it, mounted from `mountFrom`
   * (another repository path of the same registry) when the registry allows it, else uploaded
   * in one monolithic PUT.
   */
  public async pushBlob(digest: string, blob: () => Buffer | Promise<Buffer>, mountFrom?: string): Promise<BlobOutcome> {
    if (await this.hasBlob(digest)) {
      return 'existed';
    }
    let location: string;
    if (mountFrom && mountFrom !== this.name) {
      const res = await this.send('POST', `${this.base}/blobs/uploads/?mount=${encodeURIComponent(digest)}&from=${encodeURIComponent(mountFrom)}`);
      if (res.status === 201) {
        return 'mounted';
      }
      if (res.status !== 202) {
        throw this.failure(res, `mount blob ${digest} from ${mountFrom}`);
      }
      location = res.headers.get('location') ?? '';
    } else {
      const res = await this.send('POST', `${this.base}/blobs/uploads/`);
      if (res.status !== 202) {
        throw this.failure(res, 'start a blob upload');
      }
      location = res.headers.get('location') ?? '';
    }
    const url = new URL(location, this.base);
    url.searchParams.set('digest', digest);
    const bytes = await blob();
    const put = await this.send('PUT', url.toString(), bytes, { 'Content-Type': 'application/octet-stream' });
    if (put.status !== 201) {
      throw this.failure(put, `upload blob ${digest} (${bytes.length} bytes)`);
    }
    return 'uploaded';
  }

  /** Whether the manifest `reference` (a digest or tag) exists with exactly `digest`. */
  public async hasManifest(reference: string, digest: string): Promise<boolean> {
    const res = await this.send('HEAD', `${this.base}/manifests/${reference}`, undefined, { Accept: MANIFEST_ACCEPT.join(', ') });
    return res.status === 200 && res.headers.get('docker-content-digest') === digest;
  }

  /** `PUT /manifests/<reference>`; returns the digest the registry answers with. */
  public async putManifest(reference: string, body: Buffer, mediaType: string): Promise<string> {
    const res = await this.send('PUT', `${this.base}/manifests/${reference}`, body, { 'Content-Type': mediaType });
    if (res.status !== 201) {
      throw this.failure(res, `PUT manifest ${reference}`);
    }
    return res.headers.get('docker-content-digest') ?? '';
  }

  /** `GET /manifests/<reference>` with every manifest type accepted. */
  public async getManifest(reference: string): Promise<FetchedManifest> {
    const res = await this.send('GET', `${this.base}/manifests/${reference}`, undefined, { Accept: MANIFEST_ACCEPT.join(', ') });
    if (res.status !== 200) {
      throw this.failure(res, `GET manifest ${reference}`);
    }
    const body = Buffer.from(await res.arrayBuffer());
    return {
      body,
      mediaType: (res.headers.get('content-type') ?? '').split(';')[0].trim(),
      digest: res.headers.get('docker-content-digest') ?? '',
    };
  }

  /** `GET /blobs/<digest>`. */
  public async getBlob(digest: string): Promise<Buffer> {
    const res = await this.send('GET', `${this.base}/blobs/${digest}`);
    if (res.status !== 200) {
      throw this.failure(res, `GET blob ${digest}`);
    }
    return Buffer.from(await res.arrayBuffer());
  }

  /** Sends a request; on a 401 asks for credentials once (pull and push on this repository) and sends it again. */
  private async send(method: string, url: string, body?: Buffer, headers: Record<string, string> = {}): Promise<Response> {
    let res = await this.fetch(method, url, body, headers);
    if (res.status === 401) {
      const lookup = (this.options.credentials ?? ((h: string) => credentialsFor(h)))(this.host);
      const push = method === 'GET' || method === 'HEAD' ? 'pull' : 'pull,push';
      this.authorization = await authorize(startOperation(this.repository), new URL(this.base), res.headers.get('www-authenticate') ?? '', this.name, lookup, this.options, `repository:${this.name}:${push}`);
      res = await this.fetch(method, url, body, headers);
    }
    return res;
  }

  private async fetch(method: string, url: string, body: Buffer | undefined, headers: Record<string, string>): Promise<Response> {
    try {
      return await fetch(url, {
        method,
        body,
        headers: { ...headers, ...(this.authorization ? { Authorization: this.authorization } : {}) },
        redirect: 'follow',
      });
    } catch (e) {
      const cause = (e as { cause?: { message?: string } }).cause?.message;
      throw new Error(`${this.repository}: cannot reach ${this.host} (${cause ?? (e as Error).message})`);
    }
  }

  /** An error naming the repository, what was tried, the answer and the fix. */
  private failure(res: Response, what: string): Error {
    const fix = res.status === 401 || res.status === 403
      ? ` — check auths['${this.host}'] in the Docker config (docker login ${this.host}) and that it may push to ${this.name}`
      : '';
    return new Error(`${this.repository}: ${this.host} refused to ${what} (${res.status} ${res.statusText})${fix}`);
  }
}
