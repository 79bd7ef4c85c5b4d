import { Chart, Testing } from 'cdk8s';
import { HealthCheck, Protocol, RollingDeployment, RollingDeploymentProps } from '../../lib/deploy';
import { DeployableImage } from '../../lib/model/deployable-image';
import { ValidationError } from '../../lib/model/errors';
import { Platform } from '../../lib/model/platform';

/** A hello-like image goship did not describe: a plain DeployableImage. */
export const HELLO_IMAGE: DeployableImage = {
  imageRef: 'registry.example.com/team/hello:1a2b3c4',
  port: 8080,
  uid: 65532,
  gid: 65532,
  platforms: [Platform.LINUX_AMD64, Platform.LINUX_ARM64],
};

/** A synthesized object, loosely typed for assertions. */
export type Obj = Record<string, any>;

/** Synthesizes one RollingDeployment `hello` in a fresh chart. */
export function synthHello(props: Partial<RollingDeploymentProps> = {}, chart: Chart = Testing.chart()): { chart: Chart; rd: RollingDeployment; objects: Obj[] } {
  const rd = new RollingDeployment(chart, 'hello', { image: HELLO_IMAGE, ...props });
  return { chart, rd, objects: Testing.synth(chart) };
}

/** The one object of `kind`; fails if there is not exactly one. */
export function one(objects: readonly Obj[], kind: string): Obj {
  const found = objects.filter((o) => o.kind === kind);
  if (found.length !== 1) {
    throw new Error(`expected one ${kind}, found ${found.length}`);
  }
  return found[0];
}

/** The pod spec of the one Deployment. */
export function podSpec(objects: readonly Obj[]): Obj {
  return one(objects, 'Deployment').spec.template.spec;
}

/** The one container of the one Deployment. */
export function container(objects: readonly Obj[]): Obj {
  return podSpec(objects).containers[0];
}

/** The ValidationError creating `hello` with these props throws. */
export function rejection(props: Record<string, unknown>): ValidationError {
  try {
    new RollingDeployment(Testing.chart(), 'hello', { image: HELLO_IMAGE, ...props } as RollingDeploymentProps);
  } catch (e) {
    expect(e).toBeInstanceOf(ValidationError);
    return e as ValidationError;
  }
  throw new Error('expected a ValidationError');
}

/** The kinds of the objects, in order. */
export const kinds = (objects: readonly Obj[]) => objects.map((o) => o.kind);
/** A queue worker: no main port, health on its metrics port. */
export const WORKER: Partial<RollingDeploymentProps> = {
  protocol: Protocol.NONE,
  args: ['--queue', 'orders'],
  extraPorts: { metrics: { port: 9090, onService: false } },
  health: HealthCheck.http({ port: 'metrics' }),
};
