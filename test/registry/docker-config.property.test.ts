import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as fc from 'fast-check';
import { credentialsFor } from '../../lib/registry/docker-config';
import { jsonMutation, mutateJson } from '../support/mutate';

/*
 * Fuzzing of the Docker config reader: configs as `docker login` writes them, then broken one
 * way. The property: a lookup of the right shape (strings for user and password), or an Error
 * that is not a TypeError/RangeError and never shows a byte of the secrets.
 */

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'goship-fuzz-cfg-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const secret = fc.stringMatching(/^[A-Za-z0-9]{12,20}$/).map((s) => `pw${s}`);
const host = fc.constantFrom('ghcr.io', '127.0.0.1:5000', 'registry.example.com');

const config = fc.record({
  host,
  password: secret,
  form: fc.constantFrom('auth', 'fields', 'helper', 'identity'),
  extraHosts: fc.array(host, { maxLength: 2 }),
}).map(({ host: h, password, form, extraHosts }) => {
  const entry = form === 'auth' ? { auth: Buffer.from(`ci:${password}`).toString('base64') }
    : form === 'fields' ? { username: 'ci', password }
      : form === 'identity' ? { identitytoken: password } : {};
  const auths: Record<string, unknown> = Object.fromEntries(extraHosts.map((x) => [`https://${x}`, { auth: Buffer.from(`other:${password}`).toString('base64') }]));
  auths[h] = entry;
  return { host: h, password, text: Buffer.from(JSON.stringify({ auths, ...(form === 'helper' ? { credsStore: 'desktop' } : {}) }, null, 2)) };
});

describe('fuzzing the Docker config reader', () => {
  test('a broken config.json gives a lookup of the right shape or a clear error, never a secret', () => {
    fc.assert(fc.property(config, jsonMutation, (c, m) => {
      const file = path.join(dir, 'config.json');
      fs.writeFileSync(file, mutateJson(c.text, m));
      let lookup: ReturnType<typeof credentialsFor>;
      try {
        lookup = credentialsFor(c.host, file);
      } catch (e) {
        expect(e).toBeInstanceOf(Error);
        expect(e).not.toBeInstanceOf(TypeError);
        expect(e).not.toBeInstanceOf(RangeError);
        const message = (e as Error).message;
        expect(message.startsWith(file)).toBe(true);
        for (let i = 0; i + 6 <= c.password.length; i++) {
          expect(message).not.toContain(c.password.slice(i, i + 6));
        }
        expect(message).not.toContain(Buffer.from(`ci:${c.password}`).toString('base64').slice(4, 12));
        return;
      }
      expect(['found', 'none', 'unsupported']).toContain(lookup.kind);
      if (lookup.kind === 'found') {
        expect(typeof lookup.credentials.username).toBe('string');
        expect(typeof lookup.credentials.password).toBe('string');
      }
      if (lookup.kind === 'unsupported') {
        expect(typeof lookup.why).toBe('string');
        expect(lookup.why).not.toContain(c.password);
      }
    }), { numRuns: 400 });
  });
});
