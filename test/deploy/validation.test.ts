import { Testing } from 'cdk8s';
import {
  DisruptionBudget, HealthCheck, PodCount, ResourceLimits, RollingDeployment, RollingDeploymentProps, RolloutStrategy,
} from '../../lib/deploy';
import { ValidationError } from '../../lib/model/errors';
import { HELLO_IMAGE } from './fixtures';

/** Creates `hello` in a fresh chart and returns the ValidationError it throws. */
function rejection(props: Partial<RollingDeploymentProps>, id = 'hello'): ValidationError {
  const chart = Testing.chart();
  try {
    new RollingDeployment(chart, id, { image: HELLO_IMAGE, ...props } as RollingDeploymentProps);
  } catch (e) {
    expect(e).toBeInstanceOf(ValidationError);
    return e as ValidationError;
  }
  throw new Error('expected a ValidationError');
}

describe('RollingDeployment validation', () => {
  test('fails if maxSurge and maxUnavailable are both zero', () => {
    // GIVEN
    const strategy = RolloutStrategy.rollingUpdate({ maxSurge: PodCount.absolute(0), maxUnavailable: PodCount.percent(0) });
    // WHEN
    const e = rejection({ strategy });
    // THEN
    expect(e.path).toBe('test/hello');
    expect(e.prop).toBe('strategy');
    expect(e.message).toBe(
      '[test/hello] strategy: {"maxSurge":0,"maxUnavailable":"0%"} — maxSurge and maxUnavailable are both zero: no pod could ever '
      + 'be added or removed, and the API server rejects it — keep maxSurge at PodCount.absolute(1) (the default) so a new pod starts before an old one stops',
    );
  });

  test.each([
    ['a negative surge', { maxSurge: PodCount.absolute(-1) }, 'strategy.maxSurge', -1],
    ['a fractional surge', { maxSurge: PodCount.absolute(1.5) }, 'strategy.maxSurge', 1.5],
    ['more than 100 percent unavailable', { maxUnavailable: PodCount.percent(101) }, 'strategy.maxUnavailable', '101%'],
  ])('fails if the strategy has %s', (_, options, prop, value) => {
    // GIVEN / WHEN
    const e = rejection({ strategy: RolloutStrategy.rollingUpdate(options) });
    // THEN
    expect([e.prop, e.value]).toEqual([prop, value]);
  });

  test.each([
    ['negative', -1],
    ['fractional', 1.5],
    ['not a number', '2'],
  ])('fails if replicas is %s', (_, replicas) => {
    // GIVEN / WHEN
    const e = rejection({ replicas: replicas as number });
    // THEN
    expect([e.prop, e.value]).toEqual(['replicas', replicas]);
    expect(e.message).toMatch(/^\[test\/hello\] replicas: .* — must be a whole number of pods, 0 or more — use e\.g\. 2/);
  });

  test.each([
    ['upper case', 'Hello'],
    ['a leading digit (Service names are DNS-1035)', '1hello'],
    ['an underscore', 'hello_web'],
    ['too long', 'a'.repeat(64)],
  ])('fails if the name has %s', (_, name) => {
    // GIVEN / WHEN
    const e = rejection({ name });
    // THEN
    expect([e.path, e.prop, e.value]).toEqual(['test/hello', 'name', name]);
    expect(e.fix).toMatch(/^use e\.g\. '/);
  });

  test('fails if no name can be derived from the id', () => {
    // GIVEN / WHEN
    const e = rejection({}, '42');
    // THEN
    expect([e.path, e.prop, e.value]).toEqual(['test/42', 'name', '42']);
    expect(e.fix).toBe("set name, e.g. name: 'hello'");
  });

  test('fails if the namespace is not a DNS-1123 label', () => {
    // GIVEN / WHEN
    const e = rejection({ namespace: 'Web.Prod' });
    // THEN
    expect([e.prop, e.value]).toEqual(['namespace', 'Web.Prod']);
  });

  test.each([
    ['health.path', { health: HealthCheck.http({ path: 'health' }) }, 'health', "use e.g. '/health'"],
    ['health.livenessPath', { health: HealthCheck.http({ livenessPath: 'live' }) }, 'live', "use e.g. '/live'"],
    ['health.path', { health: HealthCheck.http({ path: '/he alth' }) }, '/he alth', 'percent-encode them, e.g. %20 for a space'],
  ])('fails if %s is not an HTTP path starting with /', (prop, props, value, fix) => {
    // GIVEN / WHEN
    const e = rejection(props);
    // THEN
    expect([e.prop, e.value, e.fix]).toEqual([prop, value, fix]);
  });

  test.each([
    ['health.readiness.periodSeconds', { health: HealthCheck.http({ readiness: { periodSeconds: 0 } }) }],
    ['health.liveness.timeoutSeconds', { health: HealthCheck.grpc({ liveness: { timeoutSeconds: 1.5 } }) }],
    ['health.startup.failureThreshold', { health: HealthCheck.tcp({ startup: { failureThreshold: -3 } }) }],
    ['health.liveness.initialDelaySeconds', { health: HealthCheck.http({ liveness: { initialDelaySeconds: -1 } }) }],
    ['terminationGracePeriodSeconds', { terminationGracePeriodSeconds: 0 }],
    ['minReadySeconds', { minReadySeconds: -5 }],
    ['revisionHistoryLimit', { revisionHistoryLimit: 2.5 }],
  ])('fails if %s is not a positive whole number', (prop, props) => {
    // GIVEN / WHEN
    const e = rejection(props as Partial<RollingDeploymentProps>);
    // THEN
    expect(e.prop).toBe(prop);
  });

  test('fails if the progress deadline is not after minReadySeconds', () => {
    // GIVEN / WHEN
    const e = rejection({ minReadySeconds: 60, progressDeadlineSeconds: 60 });
    // THEN
    expect([e.prop, e.value]).toEqual(['progressDeadlineSeconds', 60]);
  });

  test('fails if the preStop sleep is not a whole number of seconds', () => {
    // GIVEN / WHEN
    const e = rejection({ preStopSleepSeconds: -1 });
    // THEN
    expect([e.prop, e.value]).toEqual(['preStopSleepSeconds', -1]);
  });

  test('fails if the preStop sleep leaves no time to drain within the grace period', () => {
    // GIVEN / WHEN
    const e = rejection({ terminationGracePeriodSeconds: 10, preStopSleepSeconds: 10 });
    // THEN
    expect([e.prop, e.value, e.fix]).toEqual(['preStopSleepSeconds', 10, 'use e.g. 5, or raise terminationGracePeriodSeconds']);
  });

  test('fails if an extra port has the main port number', () => {
    // GIVEN / WHEN
    const e = rejection({ extraPorts: { metrics: 8080 } });
    // THEN
    expect(e.message).toBe("[test/hello] extraPorts.metrics: 8080 — clashes with the container port 8080 of 'http' — give each port its own number");
  });

  test('fails if an extra port is called http', () => {
    // GIVEN / WHEN
    const e = rejection({ extraPorts: { http: 9090 } });
    // THEN
    expect([e.prop, e.value]).toEqual(['extraPorts.http', 9090]);
  });

  test('fails if an extra port has the Service port number', () => {
    // GIVEN / WHEN
    const e = rejection({ extraPorts: { admin: 80 } });
    // THEN
    expect(e.why).toBe("clashes with the Service port 80 of 'http'");
  });

  test.each([
    ['an invalid name', { Metrics_Port: 9090 }, 'extraPorts.Metrics_Port'],
    ['an out-of-range number', { metrics: 70000 }, 'extraPorts.metrics'],
  ])('fails if an extra port has %s', (_, extraPorts, prop) => {
    // GIVEN / WHEN
    const e = rejection({ extraPorts });
    // THEN
    expect(e.prop).toBe(prop);
  });

  test('fails if a secret-looking variable has a plain value, without echoing the value', () => {
    // GIVEN / WHEN
    const e = rejection({ env: { DB_HOST: 'db.internal', DB_PASSWORD: 'hunter2' } });
    // THEN
    expect(e.message).toBe(
      "[test/hello] env.DB_PASSWORD: '<redacted>' — the name says it is a secret, and env values are written in plain text into the pod template "
      + "and into git — put it in a Secret and reference it: secretEnv: { DB_PASSWORD: { secret: '<secret name>', key: '<key>' } }; "
      + "if it is not a secret, say so: DB_PASSWORD: EnvValue.notSecret('…')",
    );
    expect(e.message).not.toContain('hunter2');
  });

  test.each(['API_SECRET_KEY', 'GITHUB_TOKEN', 'api_key', 'TLS_PRIVATE_KEY', 'AWS_ACCESS_KEY_ID', 'GCP_CREDENTIALS', 'PASSPHRASE'])(
    'fails if %s is given a plain value', (name) => {
      // GIVEN / WHEN
      const e = rejection({ env: { [name]: 'x' } });
      // THEN
      expect(e.prop).toBe(`env.${name}`);
      expect(e.fix).toContain('secretEnv');
    },
  );

  test('fails if a secret value is written inline in secretEnv, without echoing it', () => {
    // GIVEN / WHEN
    const e = rejection({ secretEnv: { API_SECRET_KEY: 's3cr3t' as never } });
    // THEN
    expect(e.prop).toBe('secretEnv.API_SECRET_KEY');
    expect(e.why).toBe('must reference a key of an existing Secret; a secret value is never written into the output');
    expect(e.message).not.toContain('s3cr3t');
  });

  test.each([
    ['an invalid Secret name', { secret: 'Hello_API', key: 'k' }, 'secretEnv.TOKEN.secret'],
    ['an invalid key', { secret: 'hello-api', key: 'a/b' }, 'secretEnv.TOKEN.key'],
  ])('fails if secretEnv has %s', (_, ref, prop) => {
    // GIVEN / WHEN
    const e = rejection({ secretEnv: { TOKEN: ref } });
    // THEN
    expect(e.prop).toBe(prop);
  });

  test('fails if a variable is in env and in secretEnv', () => {
    // GIVEN / WHEN
    const e = rejection({ env: { DSN: 'x' }, secretEnv: { DSN: { secret: 'db', key: 'dsn' } } });
    // THEN
    expect(e.prop).toBe('secretEnv.DSN');
  });

  test.each([
    ['an invalid variable name', { '1BAD': 'x' }, 'env.1BAD'],
    ['a non-string value', { PORT: 8080 }, 'env.PORT'],
  ])('fails if env has %s', (_, env, prop) => {
    // GIVEN / WHEN
    const e = rejection({ env: env as Record<string, string> });
    // THEN
    expect(e.prop).toBe(prop);
  });

  test('fails if the image runs as uid 0', () => {
    // GIVEN / WHEN
    const e = rejection({ image: { ...HELLO_IMAGE, uid: 0, gid: 0 } });
    // THEN
    expect(e.message).toBe('[test/hello] image.uid: 0 — is root: a container escape would own the node, and the restricted Pod Security profile rejects it — run as a non-root numeric id such as 65532');
  });

  test.each([
    ['port', 9090, "the image's port"],
    ['runAsUser', 0, "the image's user"],
    ['runAsGroup', 1000, "the image's group"],
    ['healthPath', '/readyz', "health: HealthCheck.http({ path: '/health' })"],
    ['livenessPath', '/livez', 'livenessPath'],
    ['readinessProbe', { periodSeconds: 5 }, 'readiness timings'],
    ['livenessProbe', { periodSeconds: 5 }, 'liveness timings'],
    ['startupProbe', { periodSeconds: 5 }, 'startup timings'],
  ])('fails if the removed prop %s is passed, naming its replacement', (prop, value, replacement) => {
    // GIVEN / WHEN
    const e = rejection({ [prop]: value });
    // THEN
    expect(e.prop).toBe(prop);
    expect(e.why).toBe('is not a prop of RollingDeployment since goship 0.2');
    expect(e.fix).toContain(replacement);
  });

  test.each([
    ['image.imageRef', { image: { ...HELLO_IMAGE, imageRef: 'registry.example.com/team/hello:latest' } }],
    ['image.imageRef', { image: { ...HELLO_IMAGE, imageRef: 'registry.example.com/team/hello' } }],
    ['image.port', { image: { ...HELLO_IMAGE, port: 0 } }],
    ['image.version', { image: { ...HELLO_IMAGE, version: 'v1+build' } }],
    ['nodeArchitectures', { nodeArchitectures: ['x86_64'] }],
    ['nodeArchitectures', { nodeArchitectures: [] }],
    ['servicePort', { servicePort: -80 }],
  ])('fails if %s is invalid', (prop, props) => {
    // GIVEN / WHEN
    const e = rejection(props as Partial<RollingDeploymentProps>);
    // THEN
    expect(e.prop).toBe(prop);
  });

  test.each([
    ['resources.cpuRequest', { cpuRequest: '100' + 'x' }],
    ['resources.cpuRequest', { cpuRequest: '0.0001' }],
    ['resources.cpuRequest', { cpuRequest: '0m' }],
    ['resources.memoryRequest', { memoryRequest: '64MB' }],
    ['resources.memoryRequest', { memoryRequest: '-64Mi' }],
    ['resources.ephemeralStorageRequest', { ephemeralStorageRequest: '1.5Gi' }],
    ['resources.limits.memory', { limits: ResourceLimits.of({ memory: '128m' }) }],
    ['resources.tmpSizeLimit', { tmpSizeLimit: '0' }],
  ])('fails if %s is not a well-formed positive quantity', (prop, resources) => {
    // GIVEN / WHEN
    const e = rejection({ resources });
    // THEN
    expect(e.prop).toBe(prop);
  });

  test("fails if a memory quantity looks like megabytes but says millibytes ('128m')", () => {
    // GIVEN / WHEN
    const e = rejection({ resources: { memoryRequest: '128m' } });
    // THEN
    expect(e.why).toBe("not a positive byte quantity ('128m' is not '128Mi' or '…Gi')");
  });

  test('fails if a limit is below its request', () => {
    // GIVEN / WHEN
    const e = rejection({ resources: { memoryRequest: '256Mi', limits: ResourceLimits.of({ memory: '128Mi' }) } });
    // THEN
    expect(e.message).toBe('[test/hello] resources.limits.memory: \'128Mi\' — is below the request of 256Mi, which the API server rejects — raise the limit to at least 256Mi, or lower resources.memoryRequest');
  });

  test('fails if the disruption budget allows no eviction', () => {
    // GIVEN / WHEN
    const zero = rejection({ disruptionBudget: DisruptionBudget.maxUnavailable(PodCount.absolute(0)) });
    const all = rejection({ replicas: 3, disruptionBudget: DisruptionBudget.minAvailable(PodCount.percent(100)) });
    // THEN
    expect([zero.prop, zero.value]).toEqual(['disruptionBudget', { maxUnavailable: 0 }]);
    expect(all.why).toBe('keeps all 3 replicas available, so no pod can ever be evicted and node drains hang');
  });

  test('fails if a choice is not one of its class', () => {
    // GIVEN / WHEN
    const e = rejection({ strategy: { maxSurge: 1, maxUnavailable: 0 } as never });
    // THEN
    expect(e.prop).toBe('strategy');
  });
});
