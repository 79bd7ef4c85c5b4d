import { EnvValue, looksSecret, ResourceLimits, RollingDeploymentProps } from '../../lib/deploy';
import { container, Obj, one, rejection, synthHello } from './fixtures';

describe('rollback restores the env', () => {
  test('env values live in the pod template, so each ReplicaSet keeps its own; secrets stay references', () => {
    // GIVEN two revisions that differ only in env
    const revision = (level: string) => one(synthHello({ env: { LOG_LEVEL: level }, secretEnv: { DB_PASSWORD: { secret: 'db', key: 'password' } } }).objects, 'Deployment').spec.template;
    // WHEN
    const v1 = revision('info');
    const v2 = revision('debug');
    // THEN the template itself carries the value (no ConfigMap is changed in place)
    expect(v1.spec.containers[0].env).toContainEqual({ name: 'LOG_LEVEL', value: 'info' });
    expect(v2.spec.containers[0].env).toContainEqual({ name: 'LOG_LEVEL', value: 'debug' });
    expect(v1.spec.containers[0].env).toContainEqual({ name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } });
    expect(v1.spec.containers[0].envFrom).toBeUndefined();
  });
});

describe('secret-name rule', () => {
  test.each(['TOKEN_TTL', 'PASSWORD_MIN_LENGTH', 'OAUTH_TOKEN_URL', 'SECRET_NAME', 'VAULT_SECRET_PATH', 'DB_PASSWORD_FILE', 'JWT_TOKEN_ISSUER'])('%s describes a secret, it does not hold one', (name) => {
    expect(looksSecret(name)).toBe(false);
  });

  test.each(['API_KEY', 'DB_PASSWORD', 'GITHUB_TOKEN', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'CLIENT_SECRET', 'SECRET'])('%s still looks secret', (name) => {
    expect(looksSecret(name)).toBe(true);
  });

  test('EnvValue.notSecret() writes a secret-looking name, visibly, in the diff', () => {
    const c = container(synthHello({ env: { TOKEN_AUDIENCE_SECRET: EnvValue.notSecret('sts.amazonaws.com') } }).objects);
    expect(c.env).toContainEqual({ name: 'TOKEN_AUDIENCE_SECRET', value: 'sts.amazonaws.com' });
    expect(rejection({ env: { TOKEN_AUDIENCE_SECRET: 'sts.amazonaws.com' } }).prop).toBe('env.TOKEN_AUDIENCE_SECRET');
  });
});

describe('Go runtime', () => {
  test('GOMEMLIMIT is 90% of the memory limit and GOMAXPROCS the whole cores of a CPU limit', () => {
    const env = (props: Partial<RollingDeploymentProps>) => container(synthHello(props).objects).env as Obj[];
    expect(env({ resources: { limits: ResourceLimits.of({ memory: '1Gi', cpu: '2500m' }) } })).toEqual([
      { name: 'GOMAXPROCS', value: '2' },
      { name: 'GOMEMLIMIT', value: '921MiB' },
    ]);
    expect(env({ resources: { limits: ResourceLimits.of({ memory: '512Mi', cpu: '500m' }) } })).toEqual([
      { name: 'GOMAXPROCS', value: '1' },
      { name: 'GOMEMLIMIT', value: '460MiB' },
    ]);
    expect(container(synthHello({ resources: { limits: ResourceLimits.none() } }).objects).env).toBeUndefined();
  });

  test('the user\'s GOMEMLIMIT and GOMAXPROCS win', () => {
    const env = container(synthHello({ env: { GOMEMLIMIT: '100MiB' }, secretEnv: { GOMAXPROCS: { secret: 's', key: 'k' } } }).objects).env as Obj[];
    expect(env.filter((e) => e.name === 'GOMEMLIMIT')).toEqual([{ name: 'GOMEMLIMIT', value: '100MiB' }]);
  });
});

describe('nested props', () => {
  test.each([
    ['resources', { resources: { memoryRequets: '64Mi' } }, 'resources.memoryRequets'],
    ['secretEnv entries', { secretEnv: { DB_PASSWORD: { secret: 'db', kye: 'password' } } }, 'secretEnv.DB_PASSWORD.kye'],
  ])('fails if a prop of %s is misspelt', (_, props, prop) => {
    expect(rejection(props).prop).toBe(prop);
  });
});
