/**
 * The cluster `scripts/cluster.sh` runs: its environment, `kubectl`, and a small client of the
 * API server (token from the admin kubeconfig) for watching objects without a kubectl process
 * per poll.
 */
import { execFile, execFileSync } from 'child_process';
import * as fs from 'fs';
import * as https from 'https';
import * as path from 'path';
import { parse } from 'yaml';
import { IN_CI } from '../../e2e/tools/prerequisites';
import { REPO_ROOT } from '../../e2e/tools/process';

const CLUSTER_SCRIPT = path.join(REPO_ROOT, 'scripts', 'cluster.sh');

/** What `bash scripts/cluster.sh env` exports. */
export interface ClusterEnv {
  readonly KUBECONFIG: string;
  readonly PATH: string;
  /** `127.0.0.1:<port>`: the registry the node pulls from. */
  readonly GOSHIP_CLUSTER_REGISTRY: string;
}

let cached: ClusterEnv | undefined;

/** The cluster's environment, read from `scripts/cluster.sh env`. */
export function clusterEnv(): ClusterEnv {
  if (!cached) {
    const text = execFileSync('bash', [CLUSTER_SCRIPT, 'env'], { encoding: 'utf8' });
    const vars: Record<string, string> = {};
    for (const line of text.split('\n')) {
      const m = /^export ([A-Z_]+)=(.*)$/.exec(line);
      if (m) {
        vars[m[1]] = m[2].replace('"$PATH"', process.env.PATH ?? '').replace(/"/g, '');
      }
    }
    cached = vars as unknown as ClusterEnv;
  }
  return cached;
}

/** `process.env` with the cluster's exports. */
export function kubeEnv(): NodeJS.ProcessEnv {
  return { ...process.env, ...clusterEnv() };
}

/**
 * True when the cluster answers and its node is Ready. Under `CI=true` a cluster that does not
 * answer fails the suite (`.ci/run` starts it); elsewhere the suite is skipped with a note.
 */
export function requireCluster(): boolean {
  try {
    execFileSync('bash', [CLUSTER_SCRIPT, 'status'], { stdio: 'ignore' });
    return true;
  } catch {
    const message = 'the cluster does not answer: run `bash scripts/cluster.sh start` (as root) first';
    if (IN_CI) {
      throw new Error(message);
    }
    console.warn(`SKIPPING cluster suite — ${message}`);
    return false;
  }
}

/** What kubectl printed and how it ended. */
export interface KubectlResult {
  readonly stdout: string;
  readonly stderr: string;
  readonly exitCode: number;
}

/** Runs kubectl with the cluster's kubeconfig; `input` goes to its stdin. Throws on failure unless `allowFailure`. */
export function kubectl(args: readonly string[], options: { input?: string; allowFailure?: boolean; timeoutMs?: number } = {}): Promise<KubectlResult> {
  return new Promise((resolve, reject) => {
    const child = execFile('kubectl', [...args], {
      env: kubeEnv(), encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: options.timeoutMs ?? 5 * 60 * 1000,
    }, (error, stdout, stderr) => {
      const exitCode = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      if (exitCode !== 0 && !options.allowFailure) {
        reject(new Error(`kubectl ${args.join(' ')} exited with ${exitCode}\n${stderr || stdout}`));
        return;
      }
      resolve({ stdout, stderr, exitCode });
    });
    child.stdin?.end(options.input ?? '');
  });
}

/** `kubectl get -o json`, parsed. */
export async function getJson<T = Record<string, unknown>>(args: readonly string[]): Promise<T> {
  return JSON.parse((await kubectl(['get', ...args, '-o', 'json'])).stdout) as T;
}

/** Reads the admin kubeconfig: server, CA and token. */
function credentials(): { server: URL; ca: Buffer; token: string } {
  const config = parse(fs.readFileSync(clusterEnv().KUBECONFIG, 'utf8')) as {
    clusters: Array<{ cluster: { server: string; 'certificate-authority': string } }>;
    users: Array<{ user: { token: string } }>;
  };
  const cluster = config.clusters[0].cluster;
  return { server: new URL(cluster.server), ca: fs.readFileSync(cluster['certificate-authority']), token: config.users[0].user.token };
}

/** A keep-alive client of the API server, for polling and watching at a high rate. */
export class ApiClient {
  private readonly creds = credentials();
  private readonly agent = new https.Agent({ keepAlive: true, ca: this.creds.ca, maxSockets: 4 });

  /** GET `apiPath`, parsed as JSON. */
  public get<T>(apiPath: string): Promise<T> {
    return new Promise((resolve, reject) => {
      const req = https.request({
        host: this.creds.server.hostname, port: this.creds.server.port, path: apiPath, method: 'GET', agent: this.agent,
        headers: { Authorization: `Bearer ${this.creds.token}`, Accept: 'application/json' },
      }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const body = Buffer.concat(chunks).toString('utf8');
          if (res.statusCode !== 200) {
            reject(new Error(`GET ${apiPath}: ${res.statusCode} ${body}`));
            return;
          }
          resolve(JSON.parse(body) as T);
        });
      });
      req.on('error', reject);
      req.end();
    });
  }

  /** Closes the kept-alive connections. */
  public close(): void {
    this.agent.destroy();
  }
}

/** Creates a namespace enforcing (and warning and auditing at) a Pod Security level; deleted by the returned function. */
export async function createNamespace(name: string, level: 'privileged' | 'baseline' | 'restricted', version = 'latest'): Promise<() => Promise<void>> {
  const labels = Object.fromEntries(['enforce', 'warn', 'audit'].flatMap((mode) => [
    [`pod-security.kubernetes.io/${mode}`, level],
    [`pod-security.kubernetes.io/${mode}-version`, version],
  ]));
  await kubectl(['apply', '--server-side', '--field-manager', 'goship-cluster-test', '-f', '-'], {
    input: JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } }),
  });
  return async () => {
    await kubectl(['delete', 'namespace', name, '--wait=false', '--ignore-not-found'], { allowFailure: true });
  };
}

/** The cluster's Kubernetes version, e.g. `1.34`. */
export async function serverMinorVersion(): Promise<string> {
  const v = JSON.parse((await kubectl(['version', '-o', 'json'])).stdout) as { serverVersion: { major: string; minor: string } };
  return `${v.serverVersion.major}.${v.serverVersion.minor.replace(/\D.*$/, '')}`;
}
