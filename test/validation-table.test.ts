import * as pulumi from '@pulumi/pulumi';
import { Lazy, Testing } from 'cdk8s';
import { DisruptionBudget, GoStaticImage, HealthCheck, PodCount, Platform, ResourceLimits, RolloutStrategy, RollingDeployment, ValidationError } from '../lib';
import { makeGoModule } from './support/go-module';

/*
 * One table of invalid configurations across both constructs. Each row names the prop the
 * message must name: `[<construct path>] <prop>: <value> — <why> — <fix>`.
 */
const context = makeGoModule();
const plainImage = { imageRef: 'ghcr.io/acme/hello:1a2b3c4', port: 8080, uid: 65532, gid: 65532 };

type Row = [description: string, build: () => unknown, path: string, prop: string];

const image = (props: Record<string, unknown>) => () => new GoStaticImage(Testing.chart(), 'image', { context, repository: 'ghcr.io/acme/hello', ...props } as any);
const deploy = (props: Record<string, unknown>) => () => new RollingDeployment(Testing.chart(), 'hello', { image: plainImage, ...props } as any);

const rows: Row[] = [
  // GoStaticImage
  ['image: non-linux GOOS', image({ platforms: ['windows/amd64'] }), 'test/image', 'platforms'],
  ['image: unknown GOARCH', image({ platforms: [Platform.LINUX_AMD64, 'linux/sparc64'] }), 'test/image', 'platforms'],
  ['image: empty platforms', image({ platforms: [] }), 'test/image', 'platforms'],
  ['image: latest tag', image({ tag: 'latest' }), 'test/image', 'tag'],
  ['image: tag with a plus', image({ tag: 'v1+meta' }), 'test/image', 'tag'],
  ['image: tag of 129 characters', image({ tag: 'v'.repeat(129) }), 'test/image', 'tag'],
  ['image: root user', image({ user: '0' }), 'test/image', 'user'],
  ['image: named user', image({ user: 'app:app' }), 'test/image', 'user'],
  ['image: repository with upper case', image({ repository: 'ghcr.io/ACME/hello' }), 'test/image', 'repository'],
  ['image: repository with a digest', image({ repository: `ghcr.io/acme/hello@sha256:${'a'.repeat(64)}` }), 'test/image', 'repository'],
  ['image: port 0', image({ port: 0 }), 'test/image', 'port'],
  ['image: port 65536', image({ port: 65536 }), 'test/image', 'port'],
  ['image: missing go.mod', () => new GoStaticImage(Testing.chart(), 'image', { context: '/', tag: 'v1' }), 'test/image', 'context'],
  ['image: go version not a release', image({ goVersion: '1' }), 'test/image', 'goVersion'],
  ['image: builder image tagged latest', image({ builderImage: 'golang:latest' }), 'test/image', 'builderImage'],
  ['image: name with underscores', image({ name: 'hello_world' }), 'test/image', 'name'],
  ['image: main outside the module', image({ main: '../cmd' }), 'test/image', 'main'],
  ['image: ldflags asking for an external linker', image({ ldflags: ['-linkmode external'] }), 'test/image', 'ldflags'],
  ['image: ldflags with a shell quote', image({ ldflags: ['-X main.x="y"'] }), 'test/image', 'ldflags'],
  ['image: a cgo build tag', image({ buildTags: ['cgo'] }), 'test/image', 'buildTags'],
  ['image: unknown time zone source', image({ timeZoneData: 'system' }), 'test/image', 'timeZoneData'],
  ['image: GOPROXY with a credential', image({ goProxy: 'https://ci:token@goproxy.example.com' }), 'test/image', 'goProxy'],
  ['image: GOPRIVATE pattern with a quote', image({ goPrivate: ['"x"'] }), 'test/image', 'goPrivate'],
  ['image: GONOSUMDB empty', image({ goNoSumDb: [] }), 'test/image', 'goNoSumDb'],
  ['image: GOFLAGS with a $', image({ goFlags: ['-ldflags=$X'] }), 'test/image', 'goFlags'],
  ['image: a secret as a string', image({ secrets: ['netrc'] }), 'test/image', 'secrets'],
  ['image: a link value with a $', image({ linkValues: { 'main.x': '$(id)' } }), 'test/image', 'linkValues'],
  ['image: repository is a Pulumi Output', image({ repository: pulumi.output('ghcr.io/acme/hello') }), 'test/image', 'repository'],
  ['image: tag is a cdk8s Lazy', image({ tag: Lazy.any({ produce: () => 'v1' }) }), 'test/image', 'tag'],
  // RollingDeployment
  ['deployment: both-zero strategy', () => deploy({ strategy: RolloutStrategy.rollingUpdate({ maxSurge: PodCount.absolute(0), maxUnavailable: PodCount.absolute(0) }) })(), 'test/hello', 'strategy'],
  ['deployment: negative replicas', deploy({ replicas: -1 }), 'test/hello', 'replicas'],
  ['deployment: fractional replicas', deploy({ replicas: 1.5 }), 'test/hello', 'replicas'],
  ['deployment: name with upper case', deploy({ name: 'Hello' }), 'test/hello', 'name'],
  ['deployment: name starting with a digit (Service is DNS-1035)', deploy({ name: '1hello' }), 'test/hello', 'name'],
  ['deployment: namespace with a dot', deploy({ namespace: 'team.a' }), 'test/hello', 'namespace'],
  ['deployment: health path without a slash', deploy({ health: HealthCheck.http({ path: 'health' }) }), 'test/hello', 'health.path'],
  ['deployment: liveness path without a slash', deploy({ health: HealthCheck.http({ livenessPath: 'live' }) }), 'test/hello', 'health.livenessPath'],
  ['deployment: a removed prop (port)', deploy({ port: 9090 } as never), 'test/hello', 'port'],
  ['deployment: extra port equal to the main port', deploy({ extraPorts: { metrics: 8080 } }), 'test/hello', 'extraPorts.metrics'],
  ['deployment: extra port name too long', deploy({ extraPorts: { 'metrics-endpoint': 9090 } }), 'test/hello', 'extraPorts'],
  ['deployment: secret value inline', deploy({ env: { API_SECRET_KEY: 's3cr3t' } }), 'test/hello', 'env.API_SECRET_KEY'],
  ['deployment: env name with a space', deploy({ env: { 'DB HOST': 'x' } }), 'test/hello', 'env.DB HOST'],
  ['deployment: secret reference to a bad Secret name', deploy({ secretEnv: { API_KEY: { secret: 'Hello_Api', key: 'k' } } }), 'test/hello', 'secretEnv.API_KEY.secret'],
  ['deployment: uid 0 on a plain image', () => new RollingDeployment(Testing.chart(), 'hello', { image: { ...plainImage, uid: 0 } }), 'test/hello', 'image.uid'],
  ['deployment: runAsUser, removed in 0.2 (the image is the one place)', deploy({ runAsUser: 0 }), 'test/hello', 'runAsUser'],
  ['deployment: image reference tagged latest', () => new RollingDeployment(Testing.chart(), 'hello', { image: { ...plainImage, imageRef: 'ghcr.io/acme/hello:latest' } }), 'test/hello', 'image.imageRef'],
  ['deployment: image port out of range', () => new RollingDeployment(Testing.chart(), 'hello', { image: { ...plainImage, port: 70000 } }), 'test/hello', 'image.port'],
  ['deployment: malformed cpu request', deploy({ resources: { cpuRequest: 'fast' } }), 'test/hello', 'resources.cpuRequest'],
  ['deployment: negative memory request', deploy({ resources: { memoryRequest: '-64Mi' } }), 'test/hello', 'resources.memoryRequest'],
  ['deployment: memory limit below its request', deploy({ resources: { memoryRequest: '256Mi', limits: ResourceLimits.of({ memory: '128Mi' }) } }), 'test/hello', 'resources.limits.memory'],
  ['deployment: zero probe period', deploy({ health: HealthCheck.http({ readiness: { periodSeconds: 0 } }) }), 'test/hello', 'health.readiness.periodSeconds'],
  ['deployment: negative grace period', deploy({ terminationGracePeriodSeconds: -5 }), 'test/hello', 'terminationGracePeriodSeconds'],
  ['deployment: unknown node architecture', deploy({ nodeArchitectures: ['sparc'] }), 'test/hello', 'nodeArchitectures'],
  ['deployment: disruption budget of 0%', deploy({ disruptionBudget: DisruptionBudget.maxUnavailable(PodCount.percent(0)) }), 'test/hello', 'disruptionBudget'],
  ['deployment: service port 0', deploy({ servicePort: 0 }), 'test/hello', 'servicePort'],
];

describe('invalid configurations', () => {
  test('the table has at least 40 rows across both constructs', () => {
    expect(rows.length).toBeGreaterThanOrEqual(40);
    expect(rows.filter((r) => r[0].startsWith('image:')).length).toBeGreaterThanOrEqual(15);
    expect(rows.filter((r) => r[0].startsWith('deployment:')).length).toBeGreaterThanOrEqual(15);
  });

  test.each(rows)('fails if %s', (_, build, path, prop) => {
    let error: unknown;
    try {
      build();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValidationError);
    const v = error as ValidationError;
    expect(v.path).toBe(path);
    expect(v.prop.startsWith(prop)).toBe(true);
    expect(v.message.startsWith(`[${path}] ${v.prop}: `)).toBe(true);
    // what — why — fix: a message always says how to fix it
    expect(v.message.split(' — ')).toHaveLength(3);
    expect(v.fix.length).toBeGreaterThan(5);
  });
});
