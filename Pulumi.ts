/**
 * The Pulumi program of this repository: deploys examples/hello.
 *
 * `pulumi up` builds the hello image for linux/amd64 and linux/arm64, pushes it as one
 * multi-platform index, and applies the objects `npm run synth` writes to dist/hello.k8s.yaml,
 * with the container image pinned to the digest that was pushed. It also creates the namespace
 * and the Secret the service reads its API key from (the YAML path leaves both to the cluster).
 *
 * Stack config (project `hello`):
 * - `registry`          required: where the image goes, e.g. ghcr.io/acme (the image is <registry>/hello)
 * - `registryUsername`  with registryPassword: the registry login (else the machine's `docker login`)
 * - `registryPassword`  secret: the registry password or token
 * - `apiKey`            secret, required: the API key, stored in the Secret the Deployment reads
 * - `namespace`         the namespace to create and deploy into (default: hello)
 * - `replicas`          pods (default: 2)
 * - `builderImage`      the Go builder image, e.g. pinned by digest (default: golang:<go.mod version>)
 * - `platforms`         comma-separated platforms to build (default: linux/amd64,linux/arm64)
 * - `builder`           the buildx builder to build with, by name (default: buildx's current one); e.g. a
 *                       BuildKit daemon registered with `docker buildx create --driver remote`
 * - `greeting`          the GREETING the service answers with (default: hello from goship)
 */
import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import { HelloChart } from './examples/hello/hello-chart';
import { GoshipApp, Platform } from './lib';
import { GoshipDeployment, registryFromConfig } from './lib/pulumi';

const config = new pulumi.Config();
const registry = registryFromConfig(config);
const namespaceName = config.get('namespace') ?? 'hello';
const apiKey = config.requireSecret('apiKey');

// The app is built from plain values only; the same tree `npm run synth` writes to YAML.
const app = new GoshipApp();
const hello = new HelloChart(app, 'hello', {
  repository: `${registry.prefix}/hello`,
  namespace: namespaceName,
  replicas: config.getNumber('replicas'),
  builderImage: config.get('builderImage'),
  platforms: config.get('platforms')?.split(',').map((p) => Platform.custom(p.trim())),
  greeting: config.get('greeting'),
});

const ns = new k8s.core.v1.Namespace(`namespace-${namespaceName}`, { metadata: { name: namespaceName } });
const apiKeyRef = hello.deployment.spec.secretEnv.API_KEY;
const apiKeySecret = new k8s.core.v1.Secret(`secret-${namespaceName}-${apiKeyRef.secret}`, {
  metadata: { name: apiKeyRef.secret, namespace: namespaceName },
  stringData: { [apiKeyRef.key]: apiKey },
}, { dependsOn: [ns] });

// Every resource of the deployment waits for the namespace and the Secret.
const deployment = new GoshipDeployment('hello', {
  app,
  registries: registry.login ? [registry.login] : [],
  builder: config.get('builder'),
}, { dependsOn: [ns, apiKeySecret] });

/** The pushed image, pinned: `<registry>/hello@sha256:…`. */
export const images = deployment.imageRefs;
/** The Services, e.g. for `kubectl port-forward`. */
export const services = deployment.services;
/** The namespace everything was deployed into. */
export const namespace = deployment.namespace;
