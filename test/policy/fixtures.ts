import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { stringify } from 'yaml';

/** Objects and Dockerfiles that pass every policy rule; tests break one thing at a time. */

export type Obj = Record<string, any>;

/** A Deployment that passes every manifest rule. */
export function deployment(name = 'hello'): Obj {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, labels: { 'app.kubernetes.io/name': name } },
    spec: {
      replicas: 2,
      selector: { matchLabels: { 'app.kubernetes.io/name': name } },
      template: {
        metadata: { labels: { 'app.kubernetes.io/name': name, 'app.kubernetes.io/version': '1a2b3c4' } },
        spec: {
          securityContext: { runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, seccompProfile: { type: 'RuntimeDefault' } },
          containers: [container()],
        },
      },
    },
  };
}

/** A container that passes every container rule. */
export function container(name = 'app'): Obj {
  return {
    name,
    image: 'ghcr.io/acme/hello:1a2b3c4',
    ports: [{ name: 'http', containerPort: 8080 }],
    readinessProbe: { httpGet: { path: '/readyz', port: 'http' } },
    livenessProbe: { httpGet: { path: '/healthz', port: 8080 } },
    resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { memory: '128Mi' } },
    securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
  };
}

/** The Service in front of {@link deployment}. */
export function service(name = 'hello'): Obj {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name },
    spec: { selector: { 'app.kubernetes.io/name': name }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] },
  };
}

/** The pod spec of a Deployment. */
export const podOf = (d: Obj): Obj => d.spec.template.spec;
/** The first container of a Deployment. */
export const appOf = (d: Obj): Obj => d.spec.template.spec.containers[0];

/** A Dockerfile that passes every rule but `dockerfile/pinned-builder-image` (a warning). */
export const GOOD_DOCKERFILE = `# syntax=docker/dockerfile:1
FROM --platform=$BUILDPLATFORM golang:1.19 AS build
ARG TARGETOS TARGETARCH TARGETVARIANT
WORKDIR /src
COPY go.mod ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY . .
RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build \\
    CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH GOARM=\${TARGETVARIANT#v} \\
    go build -trimpath -ldflags="-s -w -X main.version=abc1234" -o /out/app .
FROM scratch
COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/
COPY --from=build /out/etc/passwd /out/etc/group /etc/
USER 65532:65532
EXPOSE 8080
ENTRYPOINT ["/app"]
`;

/** {@link GOOD_DOCKERFILE} with its builder pinned by digest: no finding at all. */
export const PINNED_DOCKERFILE = GOOD_DOCKERFILE.replace('golang:1.19 AS build', `golang:1.19@sha256:${'a'.repeat(64)} AS build`);

/** Writes files (relative path → text) into a fresh temporary folder. */
export function tree(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'goship-policy-'));
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  }
  return dir;
}

const yamlDocs = (...docs: unknown[]) => docs.map((d) => stringify(d)).join('---\n');
const badService = () => {
  const s = service();
  s.spec.ports[0].targetPort = 'web';
  return s;
};

/** A repository-like folder: manifests split over files, Dockerfiles, and things to skip. */
export function sampleRepo(): string {
  return tree({
    'deploy/hello.yaml': `# the workload\n${yamlDocs(deployment())}---\n`,
    'deploy/hello-svc.yml': yamlDocs(badService()),
    'deploy/broken.yaml': 'kind: Deployment\nmetadata: {name: x\n',
    'chart/templates/deployment.yaml': 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\n',
    'cdk8s.yaml': 'language: typescript\napp: npx ts-node main.ts\n',
    'Dockerfile': GOOD_DOCKERFILE.replace('USER 65532:65532\n', ''),
    'images/api/Dockerfile': PINNED_DOCKERFILE,
    'images/api/Dockerfile.dockerignore': '.git\n',
    'worker.Dockerfile': PINNED_DOCKERFILE.replace('ENTRYPOINT ["/app"]', 'ENTRYPOINT /app'),
    'Dockerfile.dev': PINNED_DOCKERFILE,
    'node_modules/pkg/deploy.yaml': yamlDocs({ ...deployment('vendored'), spec: {} }),
    '.git/config.yaml': 'kind: Pod\n',
    '.github/workflows/ci.yml': 'on: push\njobs:\n  t:\n    runs-on: ${{ matrix.os }}\n',
    'README.md': '# hello\n',
  });
}
