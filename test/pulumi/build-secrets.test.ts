import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as pulumi from '@pulumi/pulumi';
import { Chart } from 'cdk8s';
import { BuildSecret, GoshipApp, GoStaticImage, ValidationError } from '../../lib';
import { GoshipDeployment } from '../../lib/pulumi';
import { makeGoModule } from '../support/go-module';
import { installMocks, settle } from './mocks';

const registered = installMocks();

beforeEach(() => {
  registered.length = 0;
});

/** An app with one image that mounts a netrc and forwards the SSH agent for its module download. */
function appWithSecrets(): GoshipApp {
  const app = new GoshipApp({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'goship-secrets-')) });
  new GoStaticImage(new Chart(app, 'web'), 'image', {
    context: makeGoModule(), repository: 'registry.test/acme/api', tag: 'v1',
    goProxy: 'https://goproxy.example.com', secrets: [BuildSecret.netrc(), BuildSecret.ssh()],
  });
  return app;
}

async function deploy(args: Omit<ConstructorParameters<typeof GoshipDeployment>[1], 'app'>, app = appWithSecrets()): Promise<GoshipDeployment> {
  const component = new GoshipDeployment('web', { app, ...args });
  await settle([component, ...Object.values(component.images)]);
  return component;
}

describe('build secrets through the Pulumi backend', () => {
  test('each secret reaches the build as a Pulumi secret, never in plain state; the SSH id as ssh', async () => {
    // GIVEN a netrc in plain text, as a program might read it
    const netrc = 'machine goproxy.example.com login ci password s3cret';
    // WHEN
    await deploy({ buildSecrets: { netrc } });
    // THEN the engine receives it marked secret (encrypted in state, masked in logs)
    const inputs = registered.find((r) => r.type === 'docker-build:index:Image')!.inputs;
    expect(inputs.secrets).toEqual({ [pulumi.runtime.specialSigKey]: pulumi.runtime.specialSecretSig, value: { netrc } });
    expect(inputs.ssh).toEqual([{ id: 'default' }]);
    // and the value is in no other input: not a build arg, not the Dockerfile
    const { secrets: _, ...rest } = inputs;
    expect(JSON.stringify(rest)).not.toContain('s3cret');
    expect(inputs.dockerfile.inline).toContain('--mount=type=secret,id=netrc,target=/root/.netrc,required=true');
  });

  test('fails if an image mounts a secret that buildSecrets does not give', () => {
    expect(() => new GoshipDeployment('web', { app: appWithSecrets() }))
      .toThrow(/^\[web\/image\] buildSecrets: 'netrc' — image api mounts the secret 'netrc' for its module download, and buildSecrets has no value for it — pass it/);
  });

  test('fails if buildSecrets gives a secret no image mounts, with the near miss', () => {
    const make = () => new GoshipDeployment('web', { app: appWithSecrets(), buildSecrets: { netrc: 'x', netcr: 'y' } });
    expect(make).toThrow(ValidationError);
    expect(make).toThrow(/^\[web\] buildSecrets.netcr: '\(secret\)' — no image mounts a secret with this id — did you mean 'netrc'\?$/);
  });

  test('fails if buildSecrets is not a map', () => {
    expect(() => new GoshipDeployment('web', { app: appWithSecrets(), buildSecrets: ['netrc'] as any })).toThrow(/buildSecrets: .* — must map secret ids to their content/);
  });
});

describe('unknown args of the Pulumi component are refused', () => {
  test('fails if GoshipDeployment gets an unknown arg, with the near miss', () => {
    const make = () => new GoshipDeployment('web', { app: appWithSecrets(), buildSecrets: { netrc: 'x' }, namspace: 'shop' } as any);
    expect(make).toThrow(ValidationError);
    expect(make).toThrow(/^\[web\] namspace: 'shop' — is not a prop of GoshipDeployment — did you mean 'namespace'\?$/);
  });

  test('fails if a registries entry has an unknown field, with the near miss', () => {
    const make = () => new GoshipDeployment('web', {
      app: appWithSecrets(), buildSecrets: { netrc: 'x' },
      registries: [{ address: 'registry.test', username: 'ci', passwd: 'token' } as any],
    });
    expect(make).toThrow(/^\[web\] registries\[0\].passwd: '\(hidden\)' — is not a prop of RegistryLogin — did you mean 'password'\?$/);
  });
});
