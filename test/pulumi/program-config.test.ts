import * as pulumi from '@pulumi/pulumi';
import { installMocks } from './mocks';

const registered = installMocks('hello', 'dev');

test('fails if the stack has no registry, naming the key and the command that sets it, before registering anything', async () => {
  // GIVEN a new stack: nothing set
  pulumi.runtime.setAllConfig({}, []);
  // WHEN / THEN
  await expect(import('../../Pulumi')).rejects.toThrow(
    "hello:registry: undefined — is not set: images need a registry to be pushed to — run `pulumi config set hello:registry ghcr.io/<owner>`",
  );
  expect(registered).toEqual([]);
});
