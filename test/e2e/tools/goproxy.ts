/**
 * A Go module proxy on 127.0.0.1 that requires basic auth, as a company's private proxy does:
 * the GOPROXY protocol (`<module>/@v/list`, `.info`, `.mod`, `.zip`) over modules held in
 * memory, each zipped (adm-zip) in the layout `go` expects (`<module>@<version>/…`).
 *
 * It speaks https with a certificate for 127.0.0.1 made by `openssl` for this run: `go` sends
 * netrc credentials over https only.
 */
import * as fs from 'fs';
import * as https from 'https';
import * as path from 'path';
import AdmZip from 'adm-zip';
import { Cleanup } from './cleanup';
import { run } from './process';

/** One module version the proxy serves: its files, go.mod among them. */
export interface ProxiedModule {
  readonly path: string;
  readonly version: string;
  readonly files: Readonly<Record<string, string>>;
}

/** A running proxy. */
export interface GoProxy {
  /** `https://127.0.0.1:<port>`: the GOPROXY value, without credentials. */
  readonly url: string;
  /**
   * The netrc `machine`: `127.0.0.1:<port>`. Go 1.24 and later match it against the proxy URL's
   * host and port (and path prefix); Go 1.19 matched the host name alone.
   */
  readonly host: string;
  /** The proxy's self-signed certificate (PEM), for the trust store of whoever downloads. */
  readonly caFile: string;
  /** Requests so far: path and whether they carried the right credentials. */
  readonly requests: ReadonlyArray<{ readonly path: string; readonly authorized: boolean }>;
}

/** Starts the proxy; it stops at clean-up. */
export async function startGoProxy(modules: readonly ProxiedModule[], credentials: { user: string; password: string }, cleanup: Cleanup): Promise<GoProxy> {
  const zips = new Map<string, Buffer>();
  for (const m of modules) {
    zips.set(`${m.path}@${m.version}`, zipModule(m));
  }
  const expected = `Basic ${Buffer.from(`${credentials.user}:${credentials.password}`).toString('base64')}`;
  const requests: Array<{ path: string; authorized: boolean }> = [];
  const tls = cleanup.tmpdir('goproxy-tls');
  const [key, cert] = [path.join(tls, 'key.pem'), path.join(tls, 'cert.pem')];
  await run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=127.0.0.1',
    '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', key, '-out', cert]);
  const server = https.createServer({ key: fs.readFileSync(key), cert: fs.readFileSync(cert) }, (req, res) => {
    const url = decodeURIComponent((req.url ?? '/').split('?')[0]);
    const authorized = req.headers.authorization === expected;
    requests.push({ path: url, authorized });
    if (!authorized) {
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="goproxy"' }).end('unauthorized\n');
      return;
    }
    const m = /^\/(.+)\/@v\/(list|(v[^/]+)\.(info|mod|zip))$/.exec(url);
    const versions = modules.filter((x) => m && x.path === m[1]);
    const found = m && m[3] ? versions.find((x) => x.version === m[3]) : undefined;
    if (!m || versions.length === 0 || (m[2] !== 'list' && !found)) {
      res.writeHead(404).end('not found\n');
    } else if (m[2] === 'list') {
      res.end(versions.map((x) => `${x.version}\n`).join(''));
    } else if (m[4] === 'info') {
      res.end(JSON.stringify({ Version: found!.version, Time: '2026-01-02T03:04:05Z' }));
    } else if (m[4] === 'mod') {
      res.end(found!.files['go.mod']);
    } else {
      res.writeHead(200, { 'Content-Type': 'application/zip' }).end(zips.get(`${found!.path}@${found!.version}`));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanup.add('stop the Go module proxy', () => new Promise((resolve) => server.close(resolve)));
  const port = (server.address() as { port: number }).port;
  return { url: `https://127.0.0.1:${port}`, host: `127.0.0.1:${port}`, caFile: cert, requests };
}

/** The module zip `go` expects: every file under `<module>@<version>/`, no directory entries. */
function zipModule(m: ProxiedModule): Buffer {
  const zip = new AdmZip();
  const root = `${m.path}@${m.version}`;
  for (const [rel, text] of Object.entries(m.files)) {
    zip.addFile(`${root}/${rel}`, Buffer.from(text));
  }
  return zip.toBuffer();
}
