import { plainString, ValidationError } from '../model/errors';
import { PropNames, rejectUnknownProps } from '../model/known-props';
import { dns1123Label, dns1123Subdomain } from '../model/names';
import { IngressSpec, ParentRefSpec, PortSpec, RouteSpec } from '../render/workload';
import { Protocol } from './ports';
import { httpPath } from './probes';

/** An Ingress (networking.k8s.io/v1) to the Service's main port. */
export interface IngressOptions {
  /** Host names it answers for. */
  readonly hosts: readonly string[];
  /**
   * Path prefixes routed to the service.
   * @default ['/']
   */
  readonly paths?: readonly string[];
  /**
   * The IngressClass.
   * @default - the cluster's default IngressClass
   */
  readonly className?: string;
  /**
   * A `kubernetes.io/tls` Secret with the certificate for every host: TLS terminates at the
   * ingress controller.
   * @default - no TLS
   */
  readonly tlsSecret?: string;
}

const INGRESS_PROPS: PropNames<IngressOptions> = { hosts: true, paths: true, className: true, tlsSecret: true };

/** A Gateway that a route attaches to. */
export interface ParentRef {
  /** The Gateway's name. */
  readonly name: string;
  /**
   * Its namespace.
   * @default - the route's namespace
   */
  readonly namespace?: string;
  /**
   * The listener.
   * @default - every listener that admits the route
   */
  readonly sectionName?: string;
}

const PARENT_REF: PropNames<ParentRef> = { name: true, namespace: true, sectionName: true };

/** A Gateway API route (gateway.networking.k8s.io/v1) to the Service's main port. */
export interface RouteOptions {
  /** The Gateways it attaches to. */
  readonly parentRefs: readonly ParentRef[];
  /**
   * Host names it matches.
   * @default - every host of the listener
   */
  readonly hostnames?: readonly string[];
  /**
   * Path prefixes (HTTPRoute only).
   * @default - every path
   */
  readonly paths?: readonly string[];
}

const ROUTE_PROPS: PropNames<RouteOptions> = { parentRefs: true, hostnames: true, paths: true };

const HOST = /^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** The Ingress, resolved; the Service's main port must speak HTTP. */
export function resolveIngress(props: IngressOptions, protocol: Protocol, ports: readonly PortSpec[]): IngressSpec {
  object('ingress', props);
  rejectUnknownProps(props, INGRESS_PROPS, 'IngressOptions', 'ingress');
  const main = mainServicePort('ingress', protocol, ports);
  if (protocol === Protocol.GRPC) {
    throw ValidationError.invalid('ingress', protocol.name, 'an Ingress has no portable way to speak gRPC to its backend (each controller wants its own annotation)', 'use grpcRoute (Gateway API) instead');
  }
  const hosts = list('ingress.hosts', props.hosts, 1).map((h, i) => host(`ingress.hosts[${i}]`, h));
  const paths = list('ingress.paths', props.paths ?? ['/'], 1).map((p, i) => httpPath(`ingress.paths[${i}]`, p));
  return {
    ...(props.className !== undefined ? { className: dns1123Subdomain('ingress.className', props.className) } : {}),
    hosts,
    paths,
    ...(props.tlsSecret !== undefined ? { tlsSecret: dns1123Subdomain('ingress.tlsSecret', props.tlsSecret) } : {}),
    port: main.name,
  };
}

/** An HTTPRoute or GRPCRoute, resolved; the main port's protocol must match the route's. */
export function resolveRoute(prop: 'httpRoute' | 'grpcRoute', props: RouteOptions, protocol: Protocol, ports: readonly PortSpec[]): RouteSpec {
  object(prop, props);
  rejectUnknownProps(props, ROUTE_PROPS, 'RouteOptions', prop);
  const main = mainServicePort(prop, protocol, ports);
  if (prop === 'grpcRoute' && protocol !== Protocol.GRPC) {
    throw ValidationError.invalid(prop, protocol.name, 'routes gRPC to a main port that does not speak it', 'set protocol: Protocol.GRPC, or use httpRoute');
  }
  if (prop === 'httpRoute' && protocol === Protocol.GRPC) {
    throw ValidationError.invalid(prop, protocol.name, 'routes HTTP to a gRPC port; gateways need a GRPCRoute to route by service and method', 'use grpcRoute');
  }
  if (prop === 'grpcRoute' && props.paths !== undefined) {
    throw ValidationError.invalid('grpcRoute.paths', props.paths, 'a GRPCRoute matches services and methods, not paths', 'remove paths');
  }
  const parentRefs = list(`${prop}.parentRefs`, props.parentRefs, 1).map((p, i): ParentRefSpec => {
    const at = `${prop}.parentRefs[${i}]`;
    object(at, p);
    rejectUnknownProps(p, PARENT_REF, 'ParentRef', at);
    const ref = p as ParentRef;
    return {
      name: dns1123Subdomain(`${at}.name`, ref.name),
      ...(ref.namespace !== undefined ? { namespace: dns1123Label(`${at}.namespace`, ref.namespace) } : {}),
      ...(ref.sectionName !== undefined ? { sectionName: dns1123Subdomain(`${at}.sectionName`, ref.sectionName) } : {}),
    };
  });
  return {
    parentRefs,
    hostnames: list(`${prop}.hostnames`, props.hostnames ?? [], 0).map((h, i) => host(`${prop}.hostnames[${i}]`, h)),
    paths: list(`${prop}.paths`, props.paths ?? [], 0).map((p, i) => httpPath(`${prop}.paths[${i}]`, p)),
    port: main.servicePort!,
  };
}

function mainServicePort(prop: string, protocol: Protocol, ports: readonly PortSpec[]): PortSpec {
  if (protocol === Protocol.NONE) {
    throw ValidationError.invalid(prop, protocol.name, 'has no main port to send traffic to (protocol is Protocol.NONE)', `remove ${prop}, or give the workload a protocol`);
  }
  return ports[0];
}

function object(prop: string, value: unknown): void {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw ValidationError.invalid(prop, value, 'must be an object', 'see the example in the docs');
  }
}

function list(prop: string, value: unknown, min: number): unknown[] {
  if (!Array.isArray(value) || value.length < min) {
    throw ValidationError.invalid(prop, value, min > 0 ? `must list at least ${min}` : 'must be a list', `use e.g. ${prop}: ['…']`);
  }
  return value;
}

function host(prop: string, value: unknown): string {
  const v = plainString(prop, value);
  if (v.length > 253 || !HOST.test(v)) {
    throw ValidationError.invalid(prop, v, 'not a host name (lower-case DNS labels, optionally starting with *.)', "use e.g. 'shop.example.com'");
  }
  return v;
}
