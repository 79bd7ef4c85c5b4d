import { execFileSync, spawn } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as https from 'https';
import { AddressInfo } from 'net';
import * as os from 'os';
import * as path from 'path';
import { resolveDigest, ResolveOptions } from '../../lib/registry/distribution';
import { credentialsFor } from '../../lib/registry/docker-config';

/**
 * The registry client against servers that misbehave on purpose, on loopback: token realms on
 * other hosts, plain http after https, endless and trickling bodies, cross-origin redirects.
 * (A real registry never answers like this, so these servers are written here.)
 */

const PASSWORD = 's3cr3t-Pa55';
const DIGEST = `sha256:${'c'.repeat(64)}`;
const creds: ResolveOptions['credentials'] = () => ({ kind: 'found', credentials: { username: 'ci', password: PASSWORD } });

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;
const servers: { close: () => void }[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) {
    s.close();
  }
});

/** A server on `host` (127.0.0.1 or 127.0.0.2: two hosts on one machine), recording each request's Authorization. */
async function serve(host: string, handler: Handler, tls?: { key: string; cert: string }): Promise<{ origin: string; auth: (string | undefined)[] }> {
  const auth: (string | undefined)[] = [];
  const wrapped: Handler = (req, res) => {
    auth.push(req.headers.authorization);
    handler(req, res);
  };
  const server = tls ? https.createServer(tls, wrapped) : http.createServer(wrapped);
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  servers.push({ close: () => server.closeAllConnections() === undefined && server.close() });
  return { origin: `${tls ? 'https' : 'http'}://${host}:${(server.address() as AddressInfo).port}`, auth };
}

/** A registry that wants a Bearer token from `realm` and accepts any token. */
function tokenRegistry(realm: () => string): Handler {
  return (req, res) => {
    if (!req.headers.authorization?.startsWith('Bearer ')) {
      res.writeHead(401, { 'WWW-Authenticate': `Bearer realm="${realm()}",service="reg"` }).end();
      return;
    }
    res.writeHead(200, { 'Docker-Content-Digest': DIGEST, 'Content-Type': 'application/vnd.oci.image.index.v1+json' }).end();
  };
}

const tokenService: Handler = (_req, res) => res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ token: 'tok' }));

describe('registry credentials go only where they belong', () => {
  test('fails if a token realm on another host asks for credentials: it gets an anonymous request, never the password', async () => {
    const realm = await serve('127.0.0.2', (req, res) => res.writeHead(req.headers.authorization ? 200 : 401).end(req.headers.authorization ? '{"token":"t"}' : ''));
    const registry = await serve('127.0.0.1', tokenRegistry(() => `${realm.origin}/token`));
    const host = registry.origin.replace('http://', '');
    const error = await resolveDigest(`${host}/team/app:v1`, { credentials: creds }).catch((e: Error) => e);
    expect(String(error)).toMatch(/refused an anonymous token: its realm 127\.0\.0\.2:\d+ is another host .* --token-realm-host 127\.0\.0\.2:\d+/);
    expect(String(error)).not.toContain(PASSWORD);
    expect(realm.auth).toEqual([undefined]);
  });

  test('a realm host given with tokenRealmHosts gets the credentials, with a warning', async () => {
    const realm = await serve('127.0.0.2', tokenService);
    const registry = await serve('127.0.0.1', tokenRegistry(() => `${realm.origin}/token`));
    const warnings: string[] = [];
    const realmHost = realm.origin.replace('http://', '');
    const resolved = await resolveDigest(`${registry.origin.replace('http://', '')}/team/app:v1`,
      { credentials: creds, tokenRealmHosts: [realmHost], warn: (m) => warnings.push(m) });
    expect(resolved.digest).toBe(DIGEST);
    expect(realm.auth).toEqual([`Basic ${Buffer.from(`ci:${PASSWORD}`).toString('base64')}`]);
    expect(warnings).toEqual([expect.stringContaining(`sending the credentials for 127.0.0.1:`)]);
  });

  test('a realm on the registry host gets the credentials without a warning', async () => {
    let origin = '';
    const registry = await serve('127.0.0.1', (req, res) => (req.url?.startsWith('/token') ? tokenService(req, res) : tokenRegistry(() => `${origin}/token`)(req, res)));
    origin = registry.origin;
    const warnings: string[] = [];
    expect((await resolveDigest(`${origin.replace('http://', '')}/team/app:v1`, { credentials: creds, warn: (m) => warnings.push(m) })).digest).toBe(DIGEST);
    expect(registry.auth).toContain(`Basic ${Buffer.from(`ci:${PASSWORD}`).toString('base64')}`);
    expect(warnings).toEqual([]);
  });

  test('fails if an https registry names a plain-http realm, and the realm is never asked', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'goship-tls-'));
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1',
      '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem')], { stdio: 'ignore' });
    const tls = { key: fs.readFileSync(path.join(dir, 'key.pem'), 'utf8'), cert: fs.readFileSync(path.join(dir, 'cert.pem'), 'utf8') };
    const realm = await serve('127.0.0.1', tokenService);
    const registry = await serve('127.0.0.1', tokenRegistry(() => `${realm.origin}/token`), tls);
    // Node's fetch trusts the test CA when the process starts with NODE_EXTRA_CA_CERTS: a child process.
    const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', path.join(__dirname, 'fixtures', 'resolve-child.ts')], {
      env: { ...process.env, NODE_EXTRA_CA_CERTS: path.join(dir, 'cert.pem'), REF: `${registry.origin.replace('https://', '')}/team/app:v1`, PASSWORD },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    await new Promise((resolve) => child.on('exit', resolve));
    expect(out).toMatch(/^error .*speaks https but names a plain-http token realm .* never sends credentials over http after https/);
    expect(registry.auth).toEqual([undefined]);
    expect(realm.auth).toEqual([]);
  }, 60_000);

  test('a redirect to another origin does not carry the credentials', async () => {
    const other = await serve('127.0.0.2', (_req, res) => res.writeHead(200, { 'Docker-Content-Digest': DIGEST }).end());
    const registry = await serve('127.0.0.1', (req, res) => {
      if (!req.headers.authorization) {
        res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="r"' }).end();
      } else {
        res.writeHead(307, { Location: `${other.origin}${req.url}` }).end();
      }
    });
    expect((await resolveDigest(`${registry.origin.replace('http://', '')}/team/app:v1`, { credentials: creds })).digest).toBe(DIGEST);
    expect(other.auth).toEqual([undefined]);
  });
});

describe('registry answers are bounded', () => {
  test('fails if a token answer never ends, after the byte bound, naming the reference', async () => {
    const realm = await serve('127.0.0.1', (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      const chunk = Buffer.alloc(1024 * 1024, 0x20);
      const pump = () => {
        while (res.write(chunk)) { /* until the socket is full */ }
        res.once('drain', pump);
      };
      res.write('{"token":"');
      pump();
    });
    const registry = await serve('127.0.0.2', tokenRegistry(() => `${realm.origin}/token`));
    const ref = `${registry.origin.replace('http://', '')}/team/app:v1`;
    await expect(resolveDigest(ref, { plainHttp: true })).rejects.toThrow(new RegExp(`${ref.replace(/[.]/g, '\\.')}: the answer of 127\\.0\\.0\\.1:\\d+ is over goship's limit of 8388608 bytes`));
  });

  test('fails if a server trickles its answer past the operation deadline', async () => {
    const registry = await serve('127.0.0.1', (_req, res) => {
      res.writeHead(401, { 'WWW-Authenticate': `Bearer realm="${'http://127.0.0.1:1'}/token"` });
      const timer = setInterval(() => res.write(' '), 100);
      res.on('close', () => clearInterval(timer));
    });
    const ref = `${registry.origin.replace('http://', '')}/team/app:v1`;
    // A short deadline so the test ends soon; the default is BOUNDS.registryOperationMs.
    await expect(resolveDigest(ref, { deadlineMs: 1500 })).rejects.toThrow(/did not finish within goship's deadline of 1\.5 s for one registry operation/);
  });
});

describe('Docker config errors', () => {
  test('fails if config.json is malformed, without printing any of its bytes', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'goship-cfg-'));
    const file = path.join(dir, 'config.json');
    const auth = Buffer.from(`ci:${PASSWORD}`).toString('base64');
    for (const text of [`{"auths":{"ghcr.io":{"auth":"${auth}"}}`, `{"auths":{"ghcr.io":{"auth":"${auth}" "x"}}}`, `{"auths":{"ghcr.io":{"password":"${PASSWORD}"]}}`]) {
      fs.writeFileSync(file, text);
      const error = (() => {
        try {
          credentialsFor('ghcr.io', file);
        } catch (e) {
          return (e as Error).message;
        }
        return 'no error';
      })();
      expect(error).toMatch(/config\.json: not valid JSON/);
      expect(error).not.toContain(PASSWORD);
      expect(error).not.toContain(auth.slice(0, 8));
      expect(error).not.toContain('auths');
    }
  });
});
