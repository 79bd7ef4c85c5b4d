/** HTTP to loopback addresses only, with bounded retries. */
import * as http from 'http';
import * as net from 'net';
import { sleep } from './process';

/** A TCP port that was free a moment ago on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** A response read whole. */
export interface HttpResponse {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

function assertLoopback(url: URL): void {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (!(host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host))) {
    throw new Error(`refusing to send e2e traffic to ${url.host}: loopback only`);
  }
}

/** One HTTP request to a loopback address, 5 s timeout. */
export function httpRequest(url: string, options: { method?: string; headers?: Record<string, string | string[]> } = {}): Promise<HttpResponse> {
  const target = new URL(url);
  assertLoopback(target);
  return new Promise((resolve, reject) => {
    const req = http.request(target, { method: options.method ?? 'GET', headers: options.headers, agent: false, timeout: 5000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`timeout after 5 s: ${url}`)));
    req.on('error', reject);
    req.end();
  });
}

/**
 * GETs `url` (loopback only) until it answers, at most `attempts` times, 250 ms apart. Returns
 * the first response (any status); throws with the last error when none came.
 */
export async function waitForHttp(url: string, attempts = 40, whileAlive?: () => Promise<boolean>): Promise<HttpResponse> {
  let last: unknown;
  for (let i = 0; i < attempts; i++) {
    try {
      return await httpRequest(url);
    } catch (e) {
      last = e;
    }
    if (whileAlive && !(await whileAlive())) {
      throw new Error(`gave up on ${url}: the server process is gone (last error: ${(last as Error).message})`);
    }
    await sleep(250);
  }
  throw new Error(`no answer from ${url} after ${attempts} attempts: ${(last as Error).message}`);
}
