import { Testing } from 'cdk8s';
import { GoStaticImage } from '../../lib';
import { BuildSecret } from '../../lib/image/build-secret';
import { goProxy } from '../../lib/image/go-env';
import { makeGoModule } from '../support/go-module';
import { synthHello } from './fixtures';

/** Secrets never appear in validation errors, and plain text that holds one is refused. */

const SECRET = 'hunter2-TOKEN-value';

function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected a throw');
}

describe('validation errors never print a secret', () => {
  test('fails if a secretEnv entry carries a value, without printing it', () => {
    const m = messageOf(() => synthHello({ secretEnv: { DB: { secret: 'db', key: 'pw', value: SECRET } as never } }));
    expect(m).toContain('secretEnv.DB.value');
    expect(m).not.toContain(SECRET);
  });

  test('fails if BuildSecret.netrc gets a password option, without printing it', () => {
    const m = messageOf(() => BuildSecret.netrc({ password: SECRET } as never));
    expect(m).toContain('secrets.password');
    expect(m).not.toContain(SECRET);
  });

  test('fails if a later goProxy entry is bad, without printing an earlier entry\'s credentials', () => {
    for (const list of [`https://ci:${SECRET} x@proxy.example.com,direct`, `direct,https://ci:${SECRET}@proxy.example.com`, `https://ci:${SECRET}@proxy.example.com,ftp://x`]) {
      const m = messageOf(() => goProxy('goProxy', list));
      expect(m).toMatch(/^goProxy: /);
      expect(m).not.toContain(SECRET);
      expect(m).toContain('***@proxy.example.com');
    }
  });
});

describe('plain text that holds a secret is refused', () => {
  test.each(['DB_PASS', 'SSH_KEY', 'ADMIN_PWD', 'TLS_KEY', 'JWT_KEY'])('fails if env %s is a plain value', (name) => {
    const m = messageOf(() => synthHello({ env: { [name]: SECRET } }));
    expect(m).toContain(`env.${name}`);
    expect(m).not.toContain(SECRET);
  });

  test('fails if an env value is a URL with user:password@, whatever its name', () => {
    const m = messageOf(() => synthHello({ env: { DATABASE_URL: `postgres://app:${SECRET}@db:5432/app` } }));
    expect(m).toMatch(/env\.DATABASE_URL: '<redacted>' — holds a URL with a user and password/);
    expect(m).not.toContain(SECRET);
  });

  test('fails if source holds a token, without printing it', () => {
    const m = messageOf(() => new GoStaticImage(Testing.chart(), 'img', {
      context: makeGoModule(), repository: 'ghcr.io/acme/hello', tag: 'v1', source: `https://x-access-token:${SECRET}@github.com/acme/hello`,
    }));
    expect(m).toContain('holds a user or token');
    expect(m).not.toContain(SECRET);
  });
});
