/**
 * A small Docker registry token service on 127.0.0.1, the Bearer half of distribution's token
 * auth (https://distribution.github.io/distribution/spec/auth/token/): it checks Basic
 * credentials and answers with a JWT signed RS256 by a key and self-signed certificate made
 * with openssl, which the registry trusts through `rootcertbundle` (the certificate travels in
 * the token's `x5c` header).
 */
import { createPrivateKey, createSign, randomUUID, X509Certificate } from 'crypto';
import * as fs from 'fs';
import * as http from 'http';
import * as path from 'path';
import { Cleanup } from './cleanup';
import { freePort } from './http';
import { run } from './process';

/** A running token service. */
export interface TokenServer {
  /** `http://127.0.0.1:<port>/token`. */
  readonly realm: string;
  readonly service: string;
  readonly issuer: string;
  /** The certificate file the registry trusts. */
  readonly rootCertBundle: string;
  /** Every request it answered: the scope asked for, and whether credentials came and were right. */
  readonly requests: Array<{ scope: string; status: number }>;
}

/**
 * Makes a key and certificate with openssl and starts the service. Tokens are granted to
 * `username`/`password` for every action asked for, and refused (401) to anyone else.
 */
export async function startTokenServer(cleanup: Cleanup, username: string, password: string): Promise<TokenServer> {
  const dir = cleanup.tmpdir('token');
  const keyFile = path.join(dir, 'key.pem');
  const certFile = path.join(dir, 'cert.pem');
  await run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '1', '-subj', '/CN=goship-e2e-token']);
  const key = createPrivateKey(fs.readFileSync(keyFile));
  const x5c = new X509Certificate(fs.readFileSync(certFile)).raw.toString('base64');
  const service = 'goship-e2e-registry';
  const issuer = 'goship-e2e-token-issuer';
  const requests: TokenServer['requests'] = [];
  const expected = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const scope = url.searchParams.get('scope') ?? '';
    if (req.headers.authorization !== expected) {
      requests.push({ scope, status: 401 });
      res.writeHead(401, { 'Content-Type': 'application/json' }).end('{"errors":[{"code":"UNAUTHORIZED"}]}');
      return;
    }
    const now = Math.floor(Date.now() / 1000);
    const access = scope.split(' ').filter(Boolean).map((s) => {
      const [type, name, actions] = s.split(':');
      return { type, name, actions: actions.split(',') };
    });
    const token = jwt(key, x5c, { iss: issuer, sub: username, aud: url.searchParams.get('service'), exp: now + 300, nbf: now - 60, iat: now, jti: randomUUID(), access });
    requests.push({ scope, status: 200 });
    res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ token, access_token: token, expires_in: 300 }));
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  cleanup.add(`stop token server on ${port}`, () => new Promise((resolve) => server.close(resolve)));
  return { realm: `http://127.0.0.1:${port}/token`, service, issuer, rootCertBundle: certFile, requests };
}

function jwt(key: ReturnType<typeof createPrivateKey>, x5c: string, claims: Record<string, unknown>): string {
  const part = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const unsigned = `${part({ typ: 'JWT', alg: 'RS256', x5c: [x5c] })}.${part(claims)}`;
  const signature = createSign('RSA-SHA256').update(unsigned).sign(key).toString('base64url');
  return `${unsigned}.${signature}`;
}
