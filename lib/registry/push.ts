import { BOUNDS } from '../bounds';
import { authorize, MANIFEST_ACCEPT, registryLocation } from './distribution';
import { credentialsFor, CredentialLookup } from './docker-config';
import { Answer, discard, Operation, readBody, send, startOperation } from './http';

/**
 * Pushes and pulls through the OCI distribution API, as `crane` or ko's publisher do: blobs
 * are checked with HEAD first and skipped when the registry has them, mounted from another
 * repository of the same registry when it has them there, else uploaded in one PUT; manifests
 * are PUT by digest or tag. Loopback registries are spoken to over plain http. Every method is
 * one registry operation, with goship's one deadline and its bounds on what is read.
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
  /** The one deadline of each operation (each method call), in milliseconds. @default BOUNDS.registryOperationMs */
  readonly deadlineMs?: number;
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
    return this.has(this.operation(), digest);
  }

  private async has(op: Operation, digest: string): Promise<boolean> {
    const res = await this.send(op, 'HEAD', `${this.base}/blobs/${digest}`);
    await discard(res);
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
    const op = this.operation();
    if (await this.has(op, digest)) {
      return 'existed';
    }
    let location: string;
    if (mountFrom && mountFrom !== this.name) {
      const res = await this.send(op, 'POST', `${this.base}/blobs/uploads/?mount=${encodeURIComponent(digest)}&from=${encodeURIComponent(mountFrom)}`);
      await discard(res);
      if (res.status === 201) {
        return 'mounted';
      }
      if (res.status !== 202) {
        throw this.failure(res, `mount blob ${digest} from ${mountFrom}`);
      }
      location = res.headers.get('location') ?? '';
    } else {
      const res = await this.send(op, 'POST', `${this.base}/blobs/uploads/`);
      await discard(res);
      if (res.status !== 202) {
        throw this.failure(res, 'start a blob upload');
      }
      location = res.headers.get('location') ?? '';
    }
    const url = new URL(location, this.base);
    url.searchParams.set('digest', digest);
    const bytes = await blob();
    const put = await this.send(op, 'PUT', url.toString(), bytes, { 'Content-Type': 'application/octet-stream' });
    await discard(put);
    if (put.status !== 201) {
      throw this.failure(put, `upload blob ${digest} (${bytes.length} bytes)`);
    }
    return 'uploaded';
  }

  /** Whether the manifest `reference` (a digest or tag) exists with exactly `digest`. */
  public async hasManifest(reference: string, digest: string): Promise<boolean> {
    const res = await this.send(this.operation(), 'HEAD', `${this.base}/manifests/${reference}`, undefined, { Accept: MANIFEST_ACCEPT.join(', ') });
    await discard(res);
    return res.status === 200 && res.headers.get('docker-content-digest') === digest;
  }

  /** `PUT /manifests/<reference>`; returns the digest the registry answers with. */
  public async putManifest(reference: string, body: Buffer, mediaType: string): Promise<string> {
    const res = await this.send(this.operation(), 'PUT', `${this.base}/manifests/${reference}`, body, { 'Content-Type': mediaType });
    await discard(res);
    if (res.status !== 201) {
      throw this.failure(res, `PUT manifest ${reference}`);
    }
    return res.headers.get('docker-content-digest') ?? '';
  }

  /** `GET /manifests/<reference>` with every manifest type accepted. */
  public async getManifest(reference: string): Promise<FetchedManifest> {
    const op = this.operation();
    const res = await this.send(op, 'GET', `${this.base}/manifests/${reference}`, undefined, { Accept: MANIFEST_ACCEPT.join(', ') });
    if (res.status !== 200) {
      await discard(res);
      throw this.failure(res, `GET manifest ${reference}`);
    }
    const body = await readBody(op, res, BOUNDS.jsonBlobBytes);
    return {
      body,
      mediaType: (res.headers.get('content-type') ?? '').split(';')[0].trim(),
      digest: res.headers.get('docker-content-digest') ?? '',
    };
  }

  /** `GET /blobs/<digest>`. */
  public async getBlob(digest: string): Promise<Buffer> {
    const op = this.operation();
    const res = await this.send(op, 'GET', `${this.base}/blobs/${digest}`);
    if (res.status !== 200) {
      await discard(res);
      throw this.failure(res, `GET blob ${digest}`);
    }
    return readBody(op, res, BOUNDS.layerBytes);
  }

  private operation(): Operation {
    return startOperation(this.repository, this.options.deadlineMs);
  }

  /**
   * Sends a request within `op`'s deadline; on a 401 asks for credentials once (pull and push
   * on this repository) and sends it again.
   */
  private async send(op: Operation, method: string, url: string, body?: Buffer, headers: Record<string, string> = {}): Promise<Answer> {
    let res = await send(op, method, new URL(url), headers, this.authorization, body);
    if (res.status === 401) {
      await discard(res);
      const lookup = (this.options.credentials ?? ((h: string) => credentialsFor(h)))(this.host);
      const push = method === 'GET' || method === 'HEAD' ? 'pull' : 'pull,push';
      this.authorization = await authorize(op, new URL(this.base), res.headers.get('www-authenticate') ?? '', this.name, lookup, this.options, `repository:${this.name}:${push}`);
      res = await send(op, method, new URL(url), headers, this.authorization, body);
    }
    return res;
  }

  /** An error naming the repository, what was tried, the answer and the fix. */
  private failure(res: Answer, what: string): Error {
    const fix = res.status === 401 || res.status === 403
      ? ` — check auths['${this.host}'] in the Docker config (docker login ${this.host}) and that it may push to ${this.name}`
      : '';
    return new Error(`${this.repository}: ${this.host} refused to ${what} (${res.status} ${res.response.statusText})${fix}`);
  }
}
