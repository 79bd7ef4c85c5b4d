import { Testing } from 'cdk8s';
import * as fc from 'fast-check';
import { byteQuantity, cpuMillis, HealthCheck, looksSecret, PodCount, ResourceLimits, RollingDeployment, RolloutStrategy } from '../../lib/deploy';
import { ValidationError } from '../../lib/model/errors';
import { renderWorkload } from '../../lib/render/workload';
import { validateManifests } from '../schema/validate';
import { HELLO_IMAGE, synthHello } from './fixtures';

describe('PodCount', () => {
  test('rounds percentages the way the controllers do', () => {
    // GIVEN
    const quarter = PodCount.percent(25);
    // WHEN / THEN
    expect([quarter.of(3, 'up'), quarter.of(3, 'down'), PodCount.absolute(2).of(10, 'up')]).toEqual([1, 0, 2]);
    expect([quarter.value, PodCount.absolute(2).value]).toEqual(['25%', 2]);
  });

  test('fails if a count is checked outside a construct: no path', () => {
    // GIVEN
    const strategy = RolloutStrategy.rollingUpdate({ maxSurge: PodCount.absolute(0) });
    // WHEN
    const check = () => strategy.check();
    // THEN
    expect(check).toThrow(ValidationError);
    expect(check).toThrow(/^strategy: /);
  });
});

describe('quantities', () => {
  test.each([['100m', 100], ['0.5', 500], ['2', 2000], ['1.25', 1250], ['0.001', 1]])('cpu %s is %d millicores', (q, millis) => {
    expect(cpuMillis('cpu', q)).toBe(millis);
  });

  test.each([['64Mi', 64 * 2 ** 20], ['1Gi', 2 ** 30], ['500M', 5e8], ['1024', 1024], ['8Ki', 8192]])('%s is %d bytes', (q, bytes) => {
    expect(byteQuantity('memory', q)).toBe(bytes);
  });

  test.each(['', '1.5m', '-1', '1e3', ' 1', 100])('fails if cpu is %p', (q) => {
    expect(() => cpuMillis('cpu', q)).toThrow(ValidationError);
  });

  test.each(['64mi', '64m', '1.5Gi', '0Mi', '64 Mi', 64, '1Ei'])('fails if memory is %p', (q) => {
    expect(() => byteQuantity('memory', q)).toThrow(ValidationError);
  });
});

describe('looksSecret', () => {
  test.each(['DB_PASSWORD', 'API_SECRET_KEY', 'api-key', 'GITHUB_TOKEN', 'OAUTH_CLIENT_SECRET', 'TLS_PRIVATE_KEY', 'AWS_ACCESS_KEY_ID', 'APIKEY', 'SMTP_PASSWD', 'GOOGLE_APPLICATION_CREDENTIALS'])(
    '%s looks secret', (name) => {
      expect(looksSecret(name)).toBe(true);
    },
  );

  test.each(['DB_HOST', 'LOG_LEVEL', 'PORT', 'KEY_PREFIX', 'SECRETARY_EMAIL', 'TOKENIZER_MODEL', 'CACHE_KEY_TTL'])(
    '%s does not', (name) => {
      expect(looksSecret(name)).toBe(false);
    },
  );
});

describe('renderWorkload', () => {
  test('is pure: the same spec renders the same objects, and the spec is untouched', () => {
    // GIVEN
    const { rd } = synthHello({ env: { B: '2', A: '1' } });
    const before = JSON.stringify(rd.spec);
    // WHEN
    const first = renderWorkload(rd.spec);
    const second = renderWorkload(rd.spec);
    // THEN
    expect(second).toEqual(first);
    expect(JSON.stringify(rd.spec)).toBe(before);
    expect((first.deployment.spec as any).template.spec.containers[0].env.map((e: { name: string }) => e.name)).toEqual(['A', 'B', 'GOMEMLIMIT']);
  });
});

describe('any valid props', () => {
  test('synthesize objects that validate against the Kubernetes 1.27 schema', () => {
    // GIVEN props drawn from the valid space
    const envName = fc.stringMatching(/^[A-Z][A-Z0-9_]{0,10}$/).filter((n) => !looksSecret(n));
    const props = fc.record({
      replicas: fc.integer({ min: 0, max: 20 }),
      maxSurge: fc.oneof(fc.integer({ min: 1, max: 3 }).map(PodCount.absolute), fc.integer({ min: 1, max: 100 }).map(PodCount.percent)),
      maxUnavailable: fc.oneof(fc.integer({ min: 0, max: 3 }).map(PodCount.absolute), fc.integer({ min: 0, max: 100 }).map(PodCount.percent)),
      env: fc.dictionary(envName, fc.string({ maxLength: 20 }), { maxKeys: 4 }),
      cpu: fc.integer({ min: 1, max: 4000 }).map((m) => `${m}m`),
      memoryMi: fc.integer({ min: 1, max: 4096 }),
      limits: fc.boolean(),
      port: fc.integer({ min: 1, max: 65535 }),
      healthPath: fc.stringMatching(/^\/[a-z0-9/_.-]{0,20}$/),
    });
    // WHEN / THEN
    fc.assert(fc.property(props, (p) => {
      const chart = Testing.chart();
      new RollingDeployment(chart, 'svc', {
        image: { ...HELLO_IMAGE, port: p.port },
        replicas: p.replicas,
        strategy: RolloutStrategy.rollingUpdate({ maxSurge: p.maxSurge, maxUnavailable: p.maxUnavailable }),
        env: p.env,
        health: HealthCheck.http({ path: p.healthPath }),
        servicePort: p.port,
        resources: {
          cpuRequest: p.cpu,
          memoryRequest: `${p.memoryMi}Mi`,
          limits: p.limits ? ResourceLimits.of({ memory: `${p.memoryMi * 2}Mi`, cpu: p.cpu }) : ResourceLimits.none(),
        },
      });
      expect(validateManifests(Testing.synth(chart))).toEqual([]);
    }), { numRuns: 60, seed: 4242 });
  });
});
