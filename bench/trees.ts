import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { App, Chart } from 'cdk8s';
import { GoStaticImage } from '../lib/image/go-static-image';
import { Platform } from '../lib/model/platform';

/** A builder pinned by digest, as a release build should be (the policy gate warns about a bare tag). */
const BUILDER_IMAGE = `golang:1.19@sha256:${'0123456789abcdef'.repeat(4)}`;

/** The trees the synth bench can build. */
export type TreeKind = 'services' | 'plain';

/**
 * Writes a Go monorepo for `n` services into `dir` — one `go.mod`, one `package main` per
 * service under `cmd/svc-<i>` — and commits it to a fresh git repository, so images take
 * their default tag from git as they would in a real repository.
 */
export function writeMonorepo(dir: string, n: number): void {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'go.mod'), 'module example.com/mono\n\ngo 1.19\n');
  for (let i = 0; i < n; i++) {
    const cmd = path.join(dir, 'cmd', `svc-${i}`);
    fs.mkdirSync(cmd, { recursive: true });
    fs.writeFileSync(path.join(cmd, 'main.go'), `package main\n\nvar version = "dev"\n\nfunc main() { println("svc-${i}", version) }\n`);
  }
  const date = '2026-01-02T03:04:05Z';
  const env = {
    ...process.env,
    GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date,
    GIT_AUTHOR_NAME: 'bench', GIT_AUTHOR_EMAIL: 'bench@example.com',
    GIT_COMMITTER_NAME: 'bench', GIT_COMMITTER_EMAIL: 'bench@example.com',
  };
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, env, stdio: 'pipe' });
  git('init', '-q');
  git('add', '-A');
  git('commit', '-qm', 'services');
}

/**
 * Adds `n` services to `app`, one chart each: a GoStaticImage (amd64 + arm64) built from
 * `cmd/svc-<i>` of the monorepo, and a RollingDeployment of it, in turn shaped like the
 * three services of examples/shop:
 * - an HTTP API: ServiceAccount with a workload identity, Deployment, Service, PDB, HPA,
 *   Ingress and NetworkPolicy, a Secret file and a metrics port off the Service;
 * - a worker: Deployment and PDB, args, health on its metrics port, no Service;
 * - a gRPC service: Deployment, Service, PDB and a GRPCRoute.
 */
export function addServices(app: App, n: number, monorepo: string): void {
  // Loaded here, so that each tree loads only the libraries it uses.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const deploy = require('../lib/deploy') as typeof import('../lib/deploy');
  const metrics = { metrics: { port: 9090, onService: false } };
  for (let i = 0; i < n; i++) {
    const chart = new Chart(app, `svc-${i}`);
    const image = new GoStaticImage(chart, 'image', {
      context: monorepo,
      main: `./cmd/svc-${i}`,
      repository: `registry.example.com/team/svc-${i}`,
      platforms: [Platform.LINUX_AMD64, Platform.LINUX_ARM64],
      builderImage: BUILDER_IMAGE,
    });
    const common = { name: `svc-${i}`, image, env: { GREETING: `hello from ${i}` } };
    const shape = i % 3;
    new deploy.RollingDeployment(chart, 'web', shape === 0 ? {
      ...common,
      extraPorts: metrics,
      autoscaling: { maxReplicas: 10 },
      files: { '/etc/svc/signing': deploy.FileSource.secret(`svc-${i}-signing`) },
      serviceAccount: deploy.ServiceAccount.create({ identity: deploy.WorkloadIdentity.aws(`arn:aws:iam::123456789012:role/svc-${i}`) }),
      ingress: { className: 'nginx', hosts: [`svc-${i}.example.com`], tlsSecret: `svc-${i}-tls` },
      networkPolicy: { from: [deploy.NetworkPeer.namespace('ingress-nginx')], metricsFrom: [deploy.NetworkPeer.namespace('monitoring')] },
    } : shape === 1 ? {
      ...common,
      protocol: deploy.Protocol.NONE,
      args: ['--queue', `q-${i}`],
      extraPorts: metrics,
      health: deploy.HealthCheck.http({ port: 'metrics' }),
    } : {
      ...common,
      protocol: deploy.Protocol.GRPC,
      grpcRoute: { parentRefs: [{ name: 'gateway', namespace: 'infra' }], hostnames: [`svc-${i}.grpc.example.com`] },
    });
  }
}

/** Adds the chosen tree of `n` charts to `app`. */
export function addTree(app: App, kind: TreeKind, n: number, monorepo: string): void {
  if (kind === 'plain') {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { addPlainCharts } = require('../test/support/trees') as typeof import('../test/support/trees');
    addPlainCharts(app, n);
  } else {
    addServices(app, n, monorepo);
  }
}
