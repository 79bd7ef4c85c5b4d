import * as pulumi from '@pulumi/pulumi';

/**
 * What a Pulumi program needs around it, said once: the Pulumi CLI (`pulumi`), which starts the
 * Node.js language host and the providers (`docker-build`, `docker`, `kubernetes`, installed by
 * `pulumi install` or on the first `pulumi up`).
 */
export const PULUMI_ENGINE_FIX = 'run the program with the Pulumi CLI (`pulumi preview` or `pulumi up` in the folder of its Pulumi.yaml; install it from pulumi.com/docs/install, then `pulumi install` for the providers), not with node or ts-node; in unit tests call pulumi.runtime.setMocks first';

/**
 * Throws, naming the real cause, when no Pulumi engine runs this program: a program started
 * with `node` or `ts-node` instead of `pulumi up` registers nothing, and every invoke or
 * Output then fails later with an unrelated message (`Cannot read properties of undefined
 * (reading 'invoke')`, an undefined digest).
 *
 * @param what the component and name, for the message
 */
export function requirePulumiEngine(what: string): void {
  if (!pulumi.runtime.hasMonitor()) {
    throw new Error(`${what}: no Pulumi engine is running this program, so nothing can be built, looked up or deployed — ${PULUMI_ENGINE_FIX}`);
  }
}
