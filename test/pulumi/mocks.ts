import { createHash } from 'crypto';
import * as pulumi from '@pulumi/pulumi';

/** A resource the program registered, as the engine would have received it. */
export interface Registered {
  readonly type: string;
  readonly name: string;
  readonly inputs: any;
  readonly custom: boolean;
  /** The provider reference, `<urn>::<id>`, when one was given. */
  readonly provider?: string;
}

/** Provider function calls the program made (each also failed). */
export const unexpectedCalls: string[] = [];

/**
 * What the mocked registry holds for `@pulumi/docker`'s `getRegistryImage`: reference → digest.
 * A reference not in it fails the lookup, as the provider does for a missing tag.
 */
export const registryImages = new Map<string, string>();

/** Milliseconds the mock engine takes to create the resource of that name (default: none). */
export const slowResources = new Map<string, number>();

/** `register:<name>` when the engine received a resource, `created:<name>` when it was done with it, in order. */
export const engineEvents: string[] = [];

/** The digest the mocked build reports for an image resource: sha256 of its name, so each image differs. */
export function mockDigest(resourceName: string): string {
  return `sha256:${createHash('sha256').update(resourceName).digest('hex')}`;
}

/**
 * Replaces the Pulumi engine: every registered resource is recorded with its inputs and gets
 * them back as state (plus what a build reports: `digest`, `ref`); any provider function
 * call fails the test, because the component must need none.
 */
export function installMocks(project = 'goship-test', stack = 'test'): Registered[] {
  const registered: Registered[] = [];
  void pulumi.runtime.setMocks({
    async newResource(args: pulumi.runtime.MockResourceArgs): Promise<{ id: string; state: Record<string, any> }> {
      engineEvents.push(`register:${args.name}`);
      const delay = slowResources.get(args.name);
      if (delay !== undefined) {
        await new Promise((r) => setTimeout(r, delay));
      }
      engineEvents.push(`created:${args.name}`);
      registered.push({ type: args.type, name: args.name, inputs: args.inputs, custom: args.custom ?? false, provider: args.provider || undefined });
      const state: Record<string, any> = { ...args.inputs };
      if (args.type === 'docker-build:index:Image') {
        state.digest = mockDigest(args.name);
        state.ref = `${args.inputs.tags[0]}@${state.digest}`;
        state.contextHash = 'mock';
      }
      return { id: `${args.name}-id`, state };
    },
    call(args: pulumi.runtime.MockCallArgs): Record<string, any> {
      if (args.token === 'docker:index/getRegistryImage:getRegistryImage') {
        const digest = registryImages.get(args.inputs.name);
        if (digest === undefined) {
          throw new Error(`Got error getting registry image digest: 404 manifest unknown for ${args.inputs.name}`);
        }
        return { name: args.inputs.name, sha256Digest: digest };
      }
      unexpectedCalls.push(args.token);
      throw new Error(`unexpected call of ${args.token} with ${JSON.stringify(args.inputs)}`);
    },
  }, project, stack, false);
  return registered;
}

/** The value of an Output, once known. */
export function valueOf<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => output.apply((v) => {
    resolve(v);
    return v;
  }));
}

/** Waits until every given resource is registered (its URN known). */
export async function settle(resources: readonly pulumi.Resource[]): Promise<string[]> {
  return Promise.all(resources.map((r) => valueOf(r.urn)));
}
