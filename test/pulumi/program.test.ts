import * as pulumi from '@pulumi/pulumi';
import { installMocks, mockDigest, Registered, unexpectedCalls, valueOf } from './mocks';

// The root program, run as `pulumi up` would run it, against the mock engine.
const registered = installMocks('hello', 'dev');

/** Waits until no resource has been registered for a few turns of the event loop. */
async function quiet(): Promise<void> {
  let seen = -1;
  while (seen !== registered.length) {
    seen = registered.length;
    await new Promise((r) => setTimeout(r, 50));
  }
}

const named = (name: string): Registered => {
  const found = registered.find((r) => r.name === name);
  if (!found) {
    throw new Error(`no resource ${name} among ${registered.map((r) => r.name).join(', ')}`);
  }
  return found;
};

describe('Pulumi.ts, the program that deploys examples/hello', () => {
  let program: typeof import('../../Pulumi');

  // Importing the program compiles it and the library: slow on a busy machine, not a failure.
  beforeAll(async () => {
    // GIVEN the stack config the README sets
    pulumi.runtime.setAllConfig({
      'hello:registry': 'registry.test/acme',
      'hello:registryUsername': 'ci',
      'hello:registryPassword': 'registry-token',
      'hello:apiKey': 'api-key-value',
      'hello:namespace': 'demo',
      'hello:replicas': '3',
      'hello:builder': 'goship',
      'hello:greeting': 'hi from the stack',
    }, ['hello:registryPassword', 'hello:apiKey']);
    // WHEN
    program = await import('../../Pulumi');
    await valueOf(program.images);
    await quiet();
  }, 5 * 60 * 1000);

  test('builds and pushes the hello image to the configured registry, with the login as a secret', () => {
    const image = named('image-hello');
    expect(image.type).toBe('docker-build:index:Image');
    expect(image.inputs.tags[0]).toMatch(/^registry\.test\/acme\/hello:[0-9a-f]{7}(-dirty)?$/);
    expect(image.inputs.platforms).toEqual(['linux/amd64', 'linux/arm64']);
    expect(image.inputs.push).toBe(true);
    expect(image.inputs.builder).toEqual({ name: 'goship' });
    expect(image.inputs.registries).toEqual({
      [pulumi.runtime.specialSigKey]: pulumi.runtime.specialSecretSig,
      value: [{ address: 'registry.test', username: 'ci', password: 'registry-token' }],
    });
  });

  test('deploys the hello objects into the configured namespace with the configured replicas, the image pinned', async () => {
    const deployment = named('deployment-demo-hello');
    expect(deployment.inputs.metadata.namespace).toBe('demo');
    expect(deployment.inputs.spec.replicas).toBe(3);
    expect(deployment.inputs.spec.template.spec.containers[0].image).toBe(`registry.test/acme/hello@${mockDigest('image-hello')}`);
    expect(deployment.inputs.spec.template.spec.containers[0].env).toContainEqual({ name: 'GREETING', value: 'hi from the stack' });
    expect(named('service-demo-hello').type).toBe('kubernetes:core/v1:Service');
    expect(named('namespace-demo').inputs.metadata).toEqual({ name: 'demo' });
  });

  test('exports the pinned image, the Services and the namespace, and no secret', async () => {
    expect(await valueOf(program.images)).toEqual({ hello: `registry.test/acme/hello@${mockDigest('image-hello')}` });
    expect(await valueOf(program.services)).toEqual([{ name: 'hello', namespace: 'demo' }]);
    expect(await valueOf(program.namespace)).toBe('demo');
    const exported = JSON.stringify([await valueOf(program.images), await valueOf(program.services)]);
    expect(exported).not.toContain('registry-token');
    expect(exported).not.toContain('api-key-value');
  });

  test('registers the namespace, the Secret, the component, the image and the hello objects, and calls no provider function', () => {
    expect(registered.map((r) => r.name).sort()).toEqual([
      'deployment-demo-hello', 'hello', 'image-hello', 'namespace-demo',
      'poddisruptionbudget-demo-hello', 'secret-demo-hello-api', 'service-demo-hello',
    ]);
    expect(unexpectedCalls).toEqual([]);
  });
});
