import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Chart } from 'cdk8s';
import { GoshipApp, GoStaticImage, RollingDeployment } from '../../lib';
import { makeGoModule } from '../support/go-module';

/** Every file under dir, concatenated with its name. */
function everything(dir: string): string {
  return fs.readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => `${e.name}\n${fs.readFileSync(path.join(e.parentPath ?? (e as any).path, e.name), 'utf8')}`)
    .join('\n');
}

describe('secrets never reach the output', () => {
  const SECRET = 'sk_live_4f9a1c0e7b2d-goship-test';
  const dir = makeGoModule();

  function app(out: string, env: Record<string, string> = {}): GoshipApp {
    const a = new GoshipApp({ outdir: out, rootdir: dir, warn: () => undefined });
    const chart = new Chart(a, 'svc');
    const image = new GoStaticImage(chart, 'image', { context: dir, repository: 'ghcr.io/acme/svc' });
    new RollingDeployment(chart, 'svc', {
      image,
      env: { DB_HOST: 'db.internal', ...env },
      secretEnv: { API_KEY: { secret: 'svc-api', key: 'api-key' }, DB_PASSWORD: { secret: 'svc-db', key: 'password' } },
    });
    return a;
  }

  test('an app with secret env synthesizes references only', () => {
    // GIVEN the secret value is known to the process that synthesizes (as in CI)
    process.env.API_KEY = SECRET;
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'goship-secrets-'));
    try {
      // WHEN
      app(out).synth();
      // THEN
      const text = everything(out);
      expect(text).toContain('secretKeyRef');
      expect(text).toContain('svc-api');
      expect(text).not.toContain(SECRET);
      expect(text).not.toMatch(/kind: Secret\b/);
    } finally {
      delete process.env.API_KEY;
    }
  });

  test('fails if a secret value is passed as plain env, without echoing it or writing anything', () => {
    // GIVEN a good output
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'goship-secrets-'));
    app(out).synth();
    const before = everything(out);
    // WHEN the value is put in plain env under a secret-looking name
    let error: Error | undefined;
    try {
      app(out, { STRIPE_SECRET_KEY: SECRET }).synth();
    } catch (e) {
      error = e as Error;
    }
    // THEN
    expect(error?.message).toMatch(/^\[svc\/svc\] env\.STRIPE_SECRET_KEY: '<redacted>' — /);
    expect(error?.message).not.toContain(SECRET);
    expect(everything(out)).toBe(before);
  });
});
