import { ValidationError } from '../model/errors';
import { PropNames, rejectUnknownProps } from '../model/known-props';
import { portName, portNumber } from '../model/names';
import { PortSpec } from '../render/workload';
import type { ServiceOptions } from './workload-options';

/**
 * What the process speaks on its main port. It names the port and sets the Service port's
 * `appProtocol`, so service meshes and gateways pick the right protocol (a gRPC server
 * treated as HTTP/1 loses its streams), and it picks the default health check.
 *
 * @example
 * Protocol.HTTP   // port 'http', appProtocol 'http', probes GET /health
 * Protocol.GRPC   // port 'grpc', appProtocol 'grpc', probes with the gRPC health service
 * Protocol.NONE   // a worker: no main port, no Service unless an extra port is on it
 */
export class Protocol {
  /** HTTP/1.1 (and HTTP/2 over TLS). */
  public static readonly HTTP = new Protocol('http', 'http', 'http');
  /** HTTP/2 without TLS, with prior knowledge (`kubernetes.io/h2c`). */
  public static readonly H2C = new Protocol('h2c', 'h2c', 'kubernetes.io/h2c');
  /** gRPC (over h2c inside the cluster). */
  public static readonly GRPC = new Protocol('grpc', 'grpc', 'grpc');
  /** Nothing is served on a main port: a queue worker or a batch loop. */
  public static readonly NONE = new Protocol('none', undefined, undefined);

  private constructor(
    /** `http`, `h2c`, `grpc` or `none`. */
    public readonly name: string,
    /** The port's name; absent for NONE. */
    public readonly portName: string | undefined,
    /** The Service port's `appProtocol`; absent for NONE. */
    public readonly appProtocol: string | undefined,
  ) {}

  /** The protocol's name. */
  public toString(): string {
    return this.name;
  }
}

/** An extra port with its options. */
export interface ExtraPortOptions {
  /** The container port number. */
  readonly port: number;
  /**
   * Also expose it on the Service (with the same number). A metrics or health port that only
   * Prometheus and the kubelet reach stays off it.
   * @default true
   */
  readonly onService?: boolean;
  /**
   * What it speaks, for the Service port's `appProtocol`.
   * @default - no appProtocol
   */
  readonly protocol?: Protocol;
}

const EXTRA_PORT_OPTIONS: PropNames<ExtraPortOptions> = { port: true, onService: true, protocol: true };

/** The main port (the image's, unless the protocol is NONE) then the extra ports by name, checked for clashes. */
export function resolvePorts(input: ServiceOptions, imagePort: number): { protocol: Protocol; ports: PortSpec[] } {
  const protocol = input.protocol ?? Protocol.HTTP;
  if (!(protocol instanceof Protocol)) {
    throw ValidationError.invalid('protocol', protocol, 'not a Protocol', 'use Protocol.HTTP, Protocol.H2C, Protocol.GRPC or Protocol.NONE');
  }
  const extraPorts = input.extraPorts ?? {};
  if (typeof extraPorts !== 'object' || extraPorts === null || Array.isArray(extraPorts)) {
    throw ValidationError.invalid('extraPorts', extraPorts, 'must map port names to numbers', 'use e.g. extraPorts: { metrics: 9090 }');
  }
  const ports: PortSpec[] = [];
  if (protocol.portName !== undefined) {
    const servicePort = portNumber('servicePort', input.servicePort ?? 80);
    ports.push({ name: protocol.portName, containerPort: imagePort, servicePort, appProtocol: protocol.appProtocol });
  } else if (input.servicePort !== undefined) {
    throw ValidationError.invalid('servicePort', input.servicePort, 'has no main port to expose: protocol is Protocol.NONE', 'remove servicePort, or put an extra port on the Service');
  }
  for (const extraName of Object.keys(extraPorts).sort()) {
    const prop = `extraPorts.${extraName}`;
    portName(prop, extraName);
    const given = extraPorts[extraName];
    const options: ExtraPortOptions = typeof given === 'number' ? { port: given } : given;
    if (typeof options !== 'object' || options === null) {
      throw ValidationError.invalid(prop, given, 'must be a port number or { port, onService?, protocol? }', `use e.g. ${extraName}: 9090`);
    }
    rejectUnknownProps(options, EXTRA_PORT_OPTIONS, 'an extra port', prop);
    const n = portNumber(typeof given === 'number' ? prop : `${prop}.port`, options.port);
    const onService = options.onService ?? true;
    if (typeof onService !== 'boolean') {
      throw ValidationError.invalid(`${prop}.onService`, onService, 'must be true or false', 'leave it unset to put the port on the Service');
    }
    if (options.protocol !== undefined && (!(options.protocol instanceof Protocol) || options.protocol === Protocol.NONE)) {
      throw ValidationError.invalid(`${prop}.protocol`, options.protocol, 'not a Protocol a port can speak', 'use Protocol.HTTP, Protocol.H2C or Protocol.GRPC');
    }
    const clash = ports.find((p) => p.name === extraName || p.containerPort === n || (onService && p.servicePort === n));
    if (clash?.name === extraName) {
      throw ValidationError.invalid(prop, n, `'${extraName}' is the name of the main port (${clash.containerPort})`, "name the extra port after what it serves, e.g. 'metrics'");
    }
    if (clash) {
      const what = clash.containerPort === n ? `container port ${n} of '${clash.name}'` : `Service port ${n} of '${clash.name}'`;
      throw ValidationError.invalid(prop, n, `clashes with the ${what}`, 'give each port its own number');
    }
    ports.push({ name: extraName, containerPort: n, servicePort: onService ? n : undefined, appProtocol: options.protocol?.appProtocol });
  }
  return { protocol, ports };
}
