/** A real registry (Debian's docker-registry, distribution 2.8) on 127.0.0.1, and pushes to it. */
import { spawn } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { BUILDAH } from './buildah';
import { Cleanup } from './cleanup';
import { freePort, httpRequest, waitForHttp } from './http';
import { exited, run, tail, uniqueName } from './process';

/** A running `docker-registry` on 127.0.0.1. */
export interface LocalRegistry {
  /** `127.0.0.1:<port>`, to prefix image names with. */
  readonly host: string;
  stop(): Promise<void>;
}

/** How the registry authenticates: an htpasswd file (bcrypt, Basic auth) or a token service (Bearer). */
export type RegistryAuth =
  | { readonly htpasswd: string }
  | { readonly token: { readonly realm: string; readonly service: string; readonly issuer: string; readonly rootCertBundle: string } };

/** The `auth:` section of the registry's config. */
function authConfig(auth: RegistryAuth | undefined): string[] {
  if (!auth) {
    return [];
  }
  if ('htpasswd' in auth) {
    return ['auth:', '  htpasswd:', '    realm: goship-e2e', `    path: ${auth.htpasswd}`];
  }
  const t = auth.token;
  return ['auth:', '  token:', `    realm: ${t.realm}`, `    service: ${t.service}`, `    issuer: ${t.issuer}`, `    rootcertbundle: ${t.rootCertBundle}`];
}

/**
 * Starts Debian's `docker-registry serve` (distribution 2.8) on 127.0.0.1 at a free port, with
 * storage in a temporary folder; waits until `GET /v2/` answers (200, or 401 with `auth`).
 * Registered with `cleanup`.
 */
export async function startRegistry(cleanup: Cleanup, options: { readonly auth?: RegistryAuth; readonly readOnly?: boolean } = {}): Promise<LocalRegistry> {
  const dir = cleanup.tmpdir('registry');
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const host = `127.0.0.1:${port}`;
    const config = path.join(dir, `config-${port}.yml`);
    fs.writeFileSync(config, [
      'version: 0.1',
      'log:',
      '  level: warn',
      '  accesslog:',
      '    disabled: true',
      'storage:',
      '  filesystem:',
      `    rootdirectory: ${path.join(dir, 'data')}`,
      '  delete:',
      '    enabled: true',
      // Read-only maintenance mode: pulls work, every push is refused (405).
      ...(options.readOnly ? ['  maintenance:', '    readonly:', '      enabled: true'] : []),
      'http:',
      `  addr: ${host}`,
      ...authConfig(options.auth),
      '',
    ].join('\n'));
    const logFile = path.join(dir, `registry-${port}.log`);
    const fd = fs.openSync(logFile, 'w');
    const child = spawn('docker-registry', ['serve', config], { stdio: ['ignore', fd, fd] });
    fs.closeSync(fd);
    let alive = true;
    const exit = exited(child).catch(() => null).then(() => {
      alive = false;
    });
    const stop = async () => {
      if (alive) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exit;
        clearTimeout(timer);
      }
    };
    cleanup.add(`stop registry ${host}`, stop);
    try {
      const res = await waitForHttp(`http://${host}/v2/`, 40, async () => alive);
      if (res.status !== (options.auth ? 401 : 200)) {
        throw new Error(`GET /v2/ answered ${res.status}`);
      }
      return { host, stop };
    } catch (e) {
      await stop();
      const log = fs.readFileSync(logFile, 'utf8');
      if (attempt < 3 && /address already in use/.test(log)) {
        continue;
      }
      throw new Error(`docker-registry did not start on ${host}: ${(e as Error).message}\n${tail(log, 20)}`);
    }
  }
}

/** Options of {@link pushIndex}. */
export interface PushIndexOptions {
  /** Local images, one per platform (their configs carry os/architecture). */
  readonly images: readonly string[];
  /** `host/name:tag` in the registry. */
  readonly destination: string;
}

/**
 * Makes a manifest list of local images and pushes it with all its images as an OCI image
 * index (`buildah manifest push --all --format oci`, plain HTTP). Returns the index digest
 * buildah wrote.
 */
export async function pushIndex(options: PushIndexOptions, cleanup: Cleanup): Promise<string> {
  const list = uniqueName('localhost/goship-e2e-index');
  await run('buildah', [...BUILDAH, 'manifest', 'create', list]);
  cleanup.add(`remove manifest list ${list}`, () => run('buildah', [...BUILDAH, 'manifest', 'rm', list], { allowFailure: true }));
  for (const image of options.images) {
    await run('buildah', [...BUILDAH, 'manifest', 'add', list, `containers-storage:${image}`]);
  }
  const digestFile = path.join(cleanup.tmpdir('digest'), 'digest');
  await run('buildah', [
    ...BUILDAH, 'manifest', 'push', '--all', '--format', 'oci', '--tls-verify=false', '--quiet',
    '--digestfile', digestFile, list, `docker://${options.destination}`,
  ]);
  return fs.readFileSync(digestFile, 'utf8').trim();
}

/** The accept header a registry needs to answer with an index instead of converting. */
export const MANIFEST_ACCEPT = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
];

/** `HEAD /v2/<name>/manifests/<ref>`: the registry's `Docker-Content-Digest` and media type. */
export async function headManifest(host: string, name: string, ref: string): Promise<{ digest: string; mediaType: string }> {
  const res = await httpRequest(`http://${host}/v2/${name}/manifests/${ref}`, { method: 'HEAD', headers: { Accept: MANIFEST_ACCEPT } });
  if (res.status !== 200) {
    throw new Error(`HEAD ${host}/v2/${name}/manifests/${ref} answered ${res.status}`);
  }
  return { digest: String(res.headers['docker-content-digest']), mediaType: String(res.headers['content-type']) };
}

/** `skopeo inspect --raw`: the manifest bytes as stored, and their sha256 digest. */
export async function rawManifest(reference: string): Promise<{ raw: string; digest: string }> {
  const { stdout } = await run('skopeo', ['inspect', '--raw', '--tls-verify=false', reference]);
  return { raw: stdout, digest: `sha256:${createHash('sha256').update(stdout, 'utf8').digest('hex')}` };
}

/** `skopeo copy --all` from a registry into an OCI layout (`dir:ref`). */
export async function copyToOciLayout(reference: string, dir: string, ref: string): Promise<void> {
  await run('skopeo', ['copy', '--all', '--quiet', '--src-tls-verify=false', reference, `oci:${dir}:${ref}`]);
}
