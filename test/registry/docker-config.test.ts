import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { registryLocation } from '../../lib/registry/distribution';
import { credentialsFor, dockerConfigPath } from '../../lib/registry/docker-config';

function config(json: unknown): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'goship-docker-config-')), 'config.json');
  fs.writeFileSync(file, typeof json === 'string' ? json : JSON.stringify(json));
  return file;
}

const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('registry credentials from a Docker config', () => {
  test('DOCKER_CONFIG names the folder, else ~/.docker', () => {
    expect(dockerConfigPath({ DOCKER_CONFIG: '/ci/docker' })).toBe('/ci/docker/config.json');
    expect(dockerConfigPath({})).toBe(path.join(os.homedir(), '.docker', 'config.json'));
  });

  test('reads auths by host, by https URL, and Docker Hub under its legacy key; a password may hold a colon', () => {
    const file = config({ auths: {
      'ghcr.io': { auth: b64('bot:ghp_x:y') },
      'https://registry.example.com': { username: 'ci', password: 'pw' },
      'https://index.docker.io/v1/': { auth: b64('hub:tok') },
    } });
    expect(credentialsFor('ghcr.io', file)).toEqual({ kind: 'found', credentials: { username: 'bot', password: 'ghp_x:y' } });
    expect(credentialsFor('registry.example.com', file)).toEqual({ kind: 'found', credentials: { username: 'ci', password: 'pw' } });
    expect(credentialsFor('registry-1.docker.io', file)).toEqual({ kind: 'found', credentials: { username: 'hub', password: 'tok' } });
    expect(credentialsFor('quay.io', file)).toEqual({ kind: 'none' });
    expect(credentialsFor('quay.io', '/nonexistent/config.json')).toEqual({ kind: 'none' });
  });

  test('names what it does not support: credential helpers and identity tokens', () => {
    expect(credentialsFor('ghcr.io', config({ credHelpers: { 'ghcr.io': 'gh' } }))).toMatchObject({ kind: 'unsupported', why: expect.stringContaining('docker-credential-gh, which goship does not run') });
    expect(credentialsFor('ghcr.io', config({ auths: { 'ghcr.io': { identitytoken: 't' } } }))).toMatchObject({ kind: 'unsupported', why: expect.stringContaining('OAuth identity token') });
  });

  test('fails if the config is not JSON, or an auth entry is not user:password', () => {
    expect(() => credentialsFor('ghcr.io', config('{'))).toThrow(/config\.json: not valid JSON/);
    expect(() => credentialsFor('ghcr.io', config({ auths: { 'ghcr.io': { auth: b64('nocolon') } } }))).toThrow(/auths\['ghcr\.io'\]\.auth does not decode to user:password — run docker login ghcr\.io again/);
  });

  // Found by the fuzzing in docker-config.property.test.ts: values of the wrong type were returned as credentials.
  test.each([
    [{ auths: { 'ghcr.io': { username: {}, password: 'pw' } } }, /auths\['ghcr\.io'\]\.username is not a string/],
    [{ auths: { 'ghcr.io': { auth: 5 } } }, /auths\['ghcr\.io'\]\.auth is not a string/],
    [{ auths: { 'ghcr.io': 'x' } }, /auths\['ghcr\.io'\] is not an object/],
    [{ auths: [] }, /auths is not an object/],
    [{ credHelpers: 'x' }, /credHelpers is not an object/],
    [{ credsStore: { x: 1 } }, /credential helper name .* is not a plain name/],
    [{ credsStore: '../../bin/sh' }, /credential helper name .* is not a plain name/],
  ])('fails if a field has the wrong type: %j', (json, message) => {
    const file = config(json);
    expect(() => credentialsFor('ghcr.io', file)).toThrow(message);
    expect(() => credentialsFor('ghcr.io', file)).toThrow(new RegExp(`^${file.replace(/[.]/g, '\\.')}: `));
  });
});

describe('registryLocation', () => {
  test.each([
    ['ghcr.io/acme/hello', { host: 'ghcr.io', name: 'acme/hello' }],
    ['127.0.0.1:5000/team/hello', { host: '127.0.0.1:5000', name: 'team/hello' }],
    ['localhost/hello', { host: 'localhost', name: 'hello' }],
    ['acme/hello', { host: 'registry-1.docker.io', name: 'acme/hello' }],
    ['hello', { host: 'registry-1.docker.io', name: 'library/hello' }],
  ])('%s', (repository, expected) => {
    expect(registryLocation(repository)).toEqual(expected);
  });
});
