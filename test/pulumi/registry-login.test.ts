import * as pulumi from '@pulumi/pulumi';
import { loginApplies, registryFromConfig, registryHostOf } from '../../lib/pulumi/registry-login';
import { installMocks, valueOf } from './mocks';

installMocks('shop', 'dev');

function withConfig(values: Record<string, string>, secrets: string[] = []): pulumi.Config {
  pulumi.runtime.setAllConfig(Object.fromEntries(Object.entries(values).map(([k, v]) => [`shop:${k}`, v])), secrets.map((k) => `shop:${k}`));
  return new pulumi.Config();
}

describe('registryFromConfig', () => {
  test('reads the registry, and no login when none is set', () => {
    expect(registryFromConfig(withConfig({ registry: 'ghcr.io/acme/' }))).toEqual({ prefix: 'ghcr.io/acme', address: 'ghcr.io' });
  });

  test('reads the login, the password as a secret', async () => {
    const registry = registryFromConfig(withConfig({ registry: 'localhost:5000', registryUsername: 'ci', registryPassword: 'token' }, ['registryPassword']));
    expect(registry.prefix).toBe('localhost:5000');
    expect(registry.login).toMatchObject({ address: 'localhost:5000', username: 'ci' });
    const password = registry.login!.password as pulumi.Output<string>;
    expect(await (password as any).isSecret).toBe(true);
    expect(await valueOf(password)).toBe('token');
  });

  test('fails if the registry is not set, naming the key and the command', () => {
    expect(() => registryFromConfig(withConfig({}))).toThrow(
      'shop:registry: undefined — is not set: images need a registry to be pushed to — run `pulumi config set shop:registry ghcr.io/<owner>`',
    );
  });

  test('fails if the registry is not a registry path', () => {
    expect(() => registryFromConfig(withConfig({ registry: 'GHCR.io/Acme Corp' }))).toThrow(/^shop:registry: 'GHCR.io\/Acme Corp' — not a registry and path images can be pushed under — pulumi config set shop:registry ghcr.io\/<owner>/);
  });

  test('fails if the username is set without the password, with the --secret command', () => {
    expect(() => registryFromConfig(withConfig({ registry: 'ghcr.io/acme', registryUsername: 'ci' }))).toThrow(
      'shop:registryPassword: undefined — is not set, but shop:registryUsername is: a login needs both — run `pulumi config set --secret shop:registryPassword <token>`',
    );
  });

  test('fails if the password is set without the username', () => {
    expect(() => registryFromConfig(withConfig({ registry: 'ghcr.io/acme', registryPassword: 'x' }, ['registryPassword']))).toThrow(/^shop:registryUsername: undefined — is not set/);
  });
});

describe('registry hosts', () => {
  test.each([
    ['ghcr.io/acme/hello', 'ghcr.io'],
    ['localhost:5000/hello', 'localhost:5000'],
    ['localhost/hello', 'localhost'],
    ['acme/hello', 'docker.io'],
    ['hello', 'docker.io'],
  ])('%s is pushed to %s', (repository, host) => {
    expect(registryHostOf(repository)).toBe(host);
  });

  test('a Docker Hub login applies under any of its names', () => {
    expect(loginApplies('index.docker.io', 'acme/hello')).toBe(true);
    expect(loginApplies('ghcr.io', 'acme/hello')).toBe(false);
  });
});
