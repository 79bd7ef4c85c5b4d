/**
 * A module proxy relay on 127.0.0.1: it forwards every GOPROXY request to the machine's own
 * module proxy (the first URL of the host's `go env GOPROXY`) and records each path, so a test
 * can count what a build downloaded. The upstream's address is read at run time, never written
 * anywhere.
 */
import * as http from 'http';
import * as https from 'https';
import { GO } from '../../support/go';
import { Cleanup } from './cleanup';
import { run } from './process';

/** A running relay. */
export interface ModuleRelay {
  /** `http://127.0.0.1:<port>`: the GOPROXY value a build gets. */
  readonly url: string;
  /** Every path asked for, in order (`/google.golang.org/grpc/@v/v1.85.0.zip`, …). */
  readonly requests: readonly string[];
}

/** The machine's module proxy: the first http(s) entry of the host's `go env GOPROXY`. */
export async function upstreamGoProxy(): Promise<string> {
  const { stdout } = await run(GO, ['env', 'GOPROXY']);
  const url = stdout.trim().split(/[,|]/).find((entry) => /^https?:\/\//.test(entry));
  if (!url) {
    throw new Error("the host's go env GOPROXY names no http(s) proxy: the builds need one to download modules");
  }
  return url.replace(/\/$/, '');
}

/** Starts the relay; it stops at clean-up. */
export async function startModuleRelay(cleanup: Cleanup): Promise<ModuleRelay> {
  const upstream = new URL(await upstreamGoProxy());
  const requests: string[] = [];
  const server = http.createServer(relayTo(upstream, (p) => requests.push(p)));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  cleanup.add(`stop module relay on ${port}`, () => new Promise<void>((resolve) => server.close(() => resolve())));
  return { url: `http://127.0.0.1:${port}`, requests };
}

/** A request handler that forwards every request to `upstream` (a GOPROXY URL), telling `seen` each path. */
export function relayTo(upstream: URL, seen: (path: string) => void = () => undefined): http.RequestListener {
  const client = upstream.protocol === 'https:' ? https : http;
  return (req, res) => {
    seen(req.url ?? '');
    const forward = client.request({
      protocol: upstream.protocol, host: upstream.hostname, port: upstream.port || undefined,
      path: `${upstream.pathname.replace(/\/$/, '')}${req.url ?? '/'}`, method: req.method, headers: { 'user-agent': req.headers['user-agent'] ?? 'goship-e2e' },
    }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, { 'content-type': answer.headers['content-type'] ?? 'application/octet-stream' });
      answer.pipe(res);
    });
    forward.on('error', (e) => {
      res.writeHead(502);
      res.end(`relay: ${e.message}`);
    });
    forward.end();
  };
}

/** The module zips among `requests` (one per module version downloaded). */
export function zipDownloads(requests: readonly string[]): string[] {
  return requests.filter((p) => p.endsWith('.zip'));
}
