import { ValidationError } from '../model/errors';
import { PropNames, rejectUnknownProps } from '../model/known-props';
import { ProbeAction, ProbeSpec, PortSpec } from '../render/workload';
import { Protocol } from './ports';

/** When and how often a probe runs, and how many failures it tolerates. */
export interface ProbeTiming {
  /**
   * Seconds after the container starts (or after the startup probe succeeds) before the first check.
   * @default 0
   */
  readonly initialDelaySeconds?: number;
  /** Seconds between checks. @default - 5 (readiness), 10 (liveness), 1 (startup) */
  readonly periodSeconds?: number;
  /** Seconds a check may take. @default - 2 (readiness, liveness), 1 (startup) */
  readonly timeoutSeconds?: number;
  /** Failures in a row before the probe fails. @default - 3 (readiness, liveness), 30 (startup) */
  readonly failureThreshold?: number;
}

const PROBE_TIMING: PropNames<ProbeTiming> = { initialDelaySeconds: true, periodSeconds: true, timeoutSeconds: true, failureThreshold: true };

/** Options of {@link HealthCheck.http}. */
export interface HttpHealthOptions {
  /**
   * The path every probe GETs.
   * @default '/health'
   */
  readonly path?: string;
  /**
   * The name of the port to probe: the main one or an extra one.
   * @default - the main port
   */
  readonly port?: string;
}

/** Options of {@link HealthCheck.grpc}. */
export interface GrpcHealthOptions {
  /**
   * The service name sent to `grpc.health.v1.Health/Check`.
   * @default - none: the server's overall health
   */
  readonly service?: string;
  /**
   * The name of the port to probe.
   * @default - the main port
   */
  readonly port?: string;
}

/** Options of {@link HealthCheck.tcp}. */
export interface TcpHealthOptions {
  /**
   * The name of the port to connect to.
   * @default - the main port
   */
  readonly port?: string;
}

/**
 * How the kubelet asks the process whether it is healthy: the readiness, liveness and
 * startup probes all ask the same way.
 *
 * @example
 * HealthCheck.http({ path: '/healthz' })
 * HealthCheck.grpc()                         // the standard grpc.health.v1 service
 * HealthCheck.http({ port: 'metrics' })      // a worker's health on its metrics port
 * HealthCheck.tcp({ port: 'amqp' })
 */
export class HealthCheck {
  /** An HTTP GET; any 2xx or 3xx answer is healthy. */
  public static http(options: HttpHealthOptions = {}): HealthCheck {
    return new HealthCheck('http', options, { path: true, port: true } satisfies PropNames<HttpHealthOptions>);
  }

  /** The kubelet's native gRPC probe: `grpc.health.v1.Health/Check` must answer SERVING. */
  public static grpc(options: GrpcHealthOptions = {}): HealthCheck {
    return new HealthCheck('grpc', options, { service: true, port: true } satisfies PropNames<GrpcHealthOptions>);
  }

  /** A TCP connect: healthy when the port accepts. The weakest check; use it when nothing else is spoken. */
  public static tcp(options: TcpHealthOptions = {}): HealthCheck {
    return new HealthCheck('tcp', options, { port: true } satisfies PropNames<TcpHealthOptions>);
  }

  private constructor(
    /** `http`, `grpc` or `tcp`. */
    public readonly kind: 'http' | 'grpc' | 'tcp',
    /** The options given. */
    public readonly options: HttpHealthOptions & GrpcHealthOptions,
    private readonly known: object,
  ) {}

  /**
   * The probe actions, the port resolved against the declared ports (`main` unless named); `livenessPath` only for HTTP.
   * @internal
   */
  public action(ports: readonly PortSpec[], main: PortSpec | undefined, livenessPath: string | undefined): { readiness: ProbeAction; liveness: ProbeAction } {
    rejectUnknownProps(this.options, this.known, `HealthCheck.${this.kind}()`, 'health');
    const port = probePort(this.options.port, ports, main);
    if (this.kind !== 'http' && livenessPath !== undefined) {
      throw ValidationError.invalid('livenessPath', livenessPath, `is an HTTP path, and the health check is ${this.kind}`, 'remove livenessPath');
    }
    if (this.kind === 'http') {
      const path = httpPath('health.path', this.options.path ?? '/health');
      const live = livenessPath === undefined ? path : httpPath('livenessPath', livenessPath);
      return { readiness: { kind: 'http', path, port: port.name }, liveness: { kind: 'http', path: live, port: port.name } };
    }
    if (this.kind === 'grpc') {
      const service = this.options.service;
      if (service !== undefined && (typeof service !== 'string' || !/^[\x21-\x7e]*$/.test(service))) {
        throw ValidationError.invalid('health.service', service, 'not a gRPC service name', "use e.g. 'shop.v1.Catalog', or leave it unset for the server's overall health");
      }
      // The grpc probe takes a port number, not a name.
      const action: ProbeAction = { kind: 'grpc', port: port.containerPort, ...(service !== undefined ? { service } : {}) };
      return { readiness: action, liveness: action };
    }
    const action: ProbeAction = { kind: 'tcp', port: port.name };
    return { readiness: action, liveness: action };
  }
}

function probePort(name: unknown, ports: readonly PortSpec[], main: PortSpec | undefined): PortSpec {
  if (name === undefined) {
    if (!main) {
      throw ValidationError.invalid('health', undefined, 'has no main port to probe (protocol is Protocol.NONE)', "name the port the process answers on, e.g. HealthCheck.http({ port: 'metrics' })");
    }
    return main;
  }
  const found = ports.find((p) => p.name === name);
  if (!found) {
    throw ValidationError.invalid('health.port', name, `is not a port of the container (${ports.map((p) => p.name).join(', ') || 'none'})`, 'name one of its ports, or add it to extraPorts');
  }
  return found;
}

/** The three probes, resolved. */
export interface ResolvedProbes {
  readonly readiness: ProbeSpec;
  readonly liveness: ProbeSpec;
  readonly startup: ProbeSpec;
}

/** Inputs of {@link resolveProbes}. */
export interface ProbesInput {
  readonly health?: HealthCheck;
  readonly healthPath?: string;
  readonly livenessPath?: string;
  readonly readinessProbe?: ProbeTiming;
  readonly livenessProbe?: ProbeTiming;
  readonly startupProbe?: ProbeTiming;
}

const DEFAULTS: Readonly<Record<'readiness' | 'liveness' | 'startup', Required<ProbeTiming>>> = {
  // Ready quickly, out of the Service after 3 failed checks (15 s).
  readiness: { initialDelaySeconds: 0, periodSeconds: 5, timeoutSeconds: 2, failureThreshold: 3 },
  // Restarted only after 30 s of failures: a liveness kill is the most expensive answer.
  liveness: { initialDelaySeconds: 0, periodSeconds: 10, timeoutSeconds: 2, failureThreshold: 3 },
  // A static Go binary starts in milliseconds: check every second, give up after 30 s.
  startup: { initialDelaySeconds: 0, periodSeconds: 1, timeoutSeconds: 1, failureThreshold: 30 },
};

/** An HTTP path as a probe requests it: starts with `/`, no spaces, query allowed. */
export function httpPath(prop: string, value: unknown): string {
  if (typeof value !== 'string' || !value.startsWith('/')) {
    throw ValidationError.invalid(prop, value, "an HTTP path must start with '/'", `use e.g. '/${typeof value === 'string' ? value.replace(/^\/*/, '') : 'health'}'`);
  }
  if (!/^\/[\x21-\x7e]*$/.test(value)) {
    throw ValidationError.invalid(prop, value, 'has spaces or characters outside printable ASCII', 'percent-encode them, e.g. %20 for a space');
  }
  return value;
}

/**
 * The health check a protocol implies: an HTTP GET of `healthPath` for HTTP and h2c (the
 * kubelet speaks HTTP/1.1; an h2c server built on `h2c.NewHandler` answers it), the native
 * gRPC probe for gRPC. A worker (Protocol.NONE) must say where it answers.
 */
function defaultHealth(protocol: Protocol, healthPath: string | undefined): HealthCheck {
  if (protocol === Protocol.GRPC && healthPath === undefined) {
    return HealthCheck.grpc();
  }
  if (protocol === Protocol.NONE) {
    throw ValidationError.invalid('health', undefined, 'is required for a workload that serves no main port (protocol is Protocol.NONE): the kubelet must ask it something', "probe the port it answers on, e.g. health: HealthCheck.http({ port: 'metrics' })");
  }
  return HealthCheck.http({ path: healthPath ?? '/health' });
}

/** Applies the defaults and checks the health check, its port and the timings (whole seconds, positive; delays may be 0). */
export function resolveProbes(input: ProbesInput, protocol: Protocol, ports: readonly PortSpec[]): ResolvedProbes {
  if (input.health !== undefined && !(input.health instanceof HealthCheck)) {
    throw ValidationError.invalid('health', input.health, 'not a HealthCheck', "use HealthCheck.http({ path: '/health' }), HealthCheck.grpc() or HealthCheck.tcp()");
  }
  if (input.health !== undefined && input.healthPath !== undefined) {
    throw ValidationError.invalid('healthPath', input.healthPath, 'is set as well as health; one would silently win', `move it into the check: health: HealthCheck.http({ path: '${String(input.healthPath)}' })`);
  }
  const health = input.health ?? defaultHealth(protocol, input.healthPath === undefined ? undefined : httpPath('healthPath', input.healthPath));
  const actions = health.action(ports, protocol === Protocol.NONE ? undefined : ports[0], input.livenessPath);
  return {
    readiness: { action: actions.readiness, ...timing('readinessProbe', input.readinessProbe, DEFAULTS.readiness) },
    liveness: { action: actions.liveness, ...timing('livenessProbe', input.livenessProbe, DEFAULTS.liveness) },
    // The startup probe asks what liveness asks: is the process up at all?
    startup: { action: actions.liveness, ...timing('startupProbe', input.startupProbe, DEFAULTS.startup) },
  };
}

function timing(prop: string, given: ProbeTiming | undefined, defaults: Required<ProbeTiming>): Required<ProbeTiming> {
  if (given !== undefined && (typeof given !== 'object' || given === null)) {
    throw ValidationError.invalid(prop, given, 'must be an object of timings', `use e.g. ${prop}: { periodSeconds: 5 }`);
  }
  rejectUnknownProps(given, PROBE_TIMING, 'ProbeTiming', prop);
  const t = { ...defaults, ...definedOnly(given ?? {}) };
  wholeSeconds(`${prop}.initialDelaySeconds`, t.initialDelaySeconds, 0);
  wholeSeconds(`${prop}.periodSeconds`, t.periodSeconds, 1);
  wholeSeconds(`${prop}.timeoutSeconds`, t.timeoutSeconds, 1);
  wholeSeconds(`${prop}.failureThreshold`, t.failureThreshold, 1);
  return t;
}

function definedOnly(t: ProbeTiming): ProbeTiming {
  return Object.fromEntries(Object.entries(t).filter(([, v]) => v !== undefined));
}

/** Checks a whole number of seconds (or a count) of at least `min`; returns it. */
export function wholeSeconds(prop: string, value: unknown, min: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > 2147483647) {
    throw ValidationError.invalid(prop, value, `must be a whole number, ${min} or more`, `use e.g. ${Math.max(min, 1) * 5}`);
  }
  return value;
}
