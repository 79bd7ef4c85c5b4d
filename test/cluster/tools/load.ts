/**
 * A bounded load generator for rollouts: a fixed request rate, a cap on requests and on
 * seconds, and no retries (a retry hides exactly the failures a rollout test looks for).
 * Requests are POSTs, which neither Node nor an intermediary replays on its own.
 *
 * Two ways to reach the pods, as real traffic does:
 * - `service`: through the Service's cluster IP, routed by kube-proxy's rules, a new
 *   connection per request (`Connection: close`), so every request is routed afresh;
 * - `endpoints`: like an ingress controller, following the Service's EndpointSlices (polled
 *   every 100 ms) and sending only to ready endpoints over kept-alive connections; the
 *   connections to an endpoint that left are closed once their requests are answered.
 */
import * as http from 'http';
import { ApiClient } from './kube';

/** How the load reaches the pods. */
export type LoadMode = 'service' | 'endpoints';

/** Options of {@link startLoad}. */
export interface LoadOptions {
  readonly mode: LoadMode;
  readonly namespace: string;
  readonly service: string;
  /** Requests per second, in all. @default 200 */
  readonly rate?: number;
  /** Concurrent request loops. @default 4 */
  readonly concurrency?: number;
  /** Stop after this many requests. @default 100000 */
  readonly maxRequests?: number;
  /** Stop after this many seconds. @default 600 */
  readonly maxSeconds?: number;
  /** A request that takes longer fails as `timeout`. @default 5000 */
  readonly requestTimeoutMs?: number;
}

/** What the load saw. */
export interface LoadResult {
  readonly mode: LoadMode;
  readonly sent: number;
  readonly ok: number;
  /** Failed requests by cause: `status 503`, `ECONNREFUSED`, `ECONNRESET`, `timeout`, ... */
  readonly failures: Readonly<Record<string, number>>;
  readonly failed: number;
  /** Answers by the `version` field of the body (hello reports its version). */
  readonly versions: Readonly<Record<string, number>>;
  readonly seconds: number;
}

/** A running load; `stop()` ends it and returns the counts. */
export interface RunningLoad {
  stop(): Promise<LoadResult>;
}

interface Endpoint {
  readonly address: string;
  readonly agent: http.Agent;
  inFlight: number;
  gone: boolean;
}

/** Follows a Service's EndpointSlices: the ready addresses, and one kept-alive agent each. */
class EndpointFollower {
  private readonly endpoints = new Map<string, Endpoint>();
  private ready: Endpoint[] = [];
  private next = 0;
  private timer?: NodeJS.Timeout;
  private stopped = false;
  private readonly api = new ApiClient();

  public constructor(private readonly namespace: string, private readonly service: string, private readonly port: number) {}

  public async start(): Promise<void> {
    await this.refresh();
    // A refresh still in flight when stop() runs must not arm the next one.
    const loop = () => {
      if (this.stopped) {
        return;
      }
      this.timer = setTimeout(() => {
        this.refresh().catch(() => undefined).finally(loop);
      }, 100);
    };
    loop();
  }

  /** The next ready endpoint, round robin; undefined when none is ready. */
  public pick(): Endpoint | undefined {
    if (this.ready.length === 0) {
      return undefined;
    }
    this.next = (this.next + 1) % this.ready.length;
    return this.ready[this.next];
  }

  /** Closes an endpoint's connections once it left and has nothing in flight. */
  public release(e: Endpoint): void {
    if (e.gone && e.inFlight === 0) {
      e.agent.destroy();
    }
  }

  public stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.api.close();
    for (const e of this.endpoints.values()) {
      e.agent.destroy();
    }
  }

  private async refresh(): Promise<void> {
    const selector = encodeURIComponent(`kubernetes.io/service-name=${this.service}`);
    const list = await this.api.get<{ items: Array<{ endpoints?: Array<{ addresses: string[]; conditions?: { ready?: boolean } }> }> }>(
      `/apis/discovery.k8s.io/v1/namespaces/${this.namespace}/endpointslices?labelSelector=${selector}`);
    const ready = new Set(list.items.flatMap((s) => (s.endpoints ?? []).filter((e) => e.conditions?.ready === true).map((e) => e.addresses[0])));
    for (const address of ready) {
      if (!this.endpoints.has(address)) {
        this.endpoints.set(address, { address, agent: new http.Agent({ keepAlive: true, maxSockets: 4 }), inFlight: 0, gone: false });
      }
    }
    for (const e of this.endpoints.values()) {
      if (!ready.has(e.address) && !e.gone) {
        e.gone = true;
        this.release(e);
      }
    }
    this.ready = [...this.endpoints.values()].filter((e) => !e.gone);
  }

  public get portNumber(): number {
    return this.port;
  }
}

/**
 * Starts sending. `clusterIp` and `port` are the Service's; in `endpoints` mode `targetPort` is
 * the pods' port.
 */
export async function startLoad(options: LoadOptions, target: { clusterIp: string; port: number; targetPort: number }): Promise<RunningLoad> {
  const rate = options.rate ?? 200;
  const concurrency = options.concurrency ?? 4;
  const maxRequests = options.maxRequests ?? 100_000;
  const deadline = Date.now() + (options.maxSeconds ?? 600) * 1000;
  const timeoutMs = options.requestTimeoutMs ?? 5000;
  const failures: Record<string, number> = {};
  const versions: Record<string, number> = {};
  let sent = 0;
  let ok = 0;
  let stopped = false;
  const started = Date.now();
  const follower = options.mode === 'endpoints' ? new EndpointFollower(options.namespace, options.service, target.targetPort) : undefined;
  await follower?.start();
  const fail = (cause: string) => {
    failures[cause] = (failures[cause] ?? 0) + 1;
  };

  const once = (): Promise<void> => new Promise((resolve) => {
    const endpoint = follower?.pick();
    if (follower && !endpoint) {
      fail('no ready endpoint');
      resolve();
      return;
    }
    const req = http.request({
      host: endpoint ? endpoint.address : target.clusterIp,
      port: endpoint ? target.targetPort : target.port,
      path: '/',
      method: 'POST',
      agent: endpoint ? endpoint.agent : false,
      headers: endpoint ? { 'Content-Length': '0' } : { 'Connection': 'close', 'Content-Length': '0' },
      timeout: timeoutMs,
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        if (res.statusCode !== undefined && res.statusCode >= 200 && res.statusCode < 300) {
          ok++;
          const version = versionOf(Buffer.concat(chunks).toString('utf8'));
          versions[version] = (versions[version] ?? 0) + 1;
        } else {
          fail(`status ${res.statusCode}`);
        }
        done();
      });
      res.on('error', (e: NodeJS.ErrnoException) => {
        fail(e.code ?? e.message);
        done();
      });
    });
    let finished = false;
    const done = () => {
      if (finished) {
        return;
      }
      finished = true;
      if (endpoint) {
        endpoint.inFlight--;
        follower!.release(endpoint);
      }
      resolve();
    };
    if (endpoint) {
      endpoint.inFlight++;
    }
    req.on('timeout', () => {
      fail('timeout');
      req.destroy();
      done();
    });
    req.on('error', (e: NodeJS.ErrnoException) => {
      fail(e.code ?? e.message);
      done();
    });
    req.end();
  });

  // Each loop sends one request every concurrency/rate seconds, or as fast as answers come.
  const interval = (1000 * concurrency) / rate;
  const loop = async () => {
    while (!stopped && sent < maxRequests && Date.now() < deadline) {
      const t = Date.now();
      sent++;
      await once();
      const wait = interval - (Date.now() - t);
      if (wait > 0) {
        await new Promise((r) => setTimeout(r, wait));
      }
    }
  };
  const loops = Array.from({ length: concurrency }, () => loop());

  return {
    stop: async () => {
      stopped = true;
      await Promise.all(loops);
      follower?.stop();
      const failed = Object.values(failures).reduce((a, b) => a + b, 0);
      return { mode: options.mode, sent, ok, failures, failed, versions, seconds: (Date.now() - started) / 1000 };
    },
  };
}

function versionOf(body: string): string {
  try {
    const v = (JSON.parse(body) as { version?: unknown }).version;
    return typeof v === 'string' ? v : 'other';
  } catch {
    return 'other';
  }
}

/** One line of counts, for the test log. */
export function formatLoad(label: string, r: LoadResult): string {
  const failures = Object.entries(r.failures).map(([k, v]) => `${k}: ${v}`).join(', ') || 'none';
  const versions = Object.entries(r.versions).map(([k, v]) => `${k}: ${v}`).join(', ');
  return `${label} [${r.mode}] sent ${r.sent}, ok ${r.ok}, failed ${r.failed} (${failures}); answered by ${versions}; ${r.seconds.toFixed(1)} s, ${(r.sent / r.seconds).toFixed(0)} req/s`;
}

/** One GET of `http://host:port/` on a connection of its own (closed after), its body parsed as JSON. */
export function getOnce<T>(host: string, port: number, timeoutMs = 5000): Promise<T> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host, port, path: '/', method: 'GET', agent: false, headers: { Connection: 'close' }, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        if (res.statusCode !== 200) {
          reject(new Error(`GET http://${host}:${port}/: ${res.statusCode} ${body}`));
          return;
        }
        resolve(JSON.parse(body) as T);
      });
    });
    req.on('timeout', () => req.destroy(new Error(`GET http://${host}:${port}/: no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}
