import { ValidationError } from '../model/errors';
import { PropNames, rejectUnknownProps } from '../model/known-props';
import { ProbeAction, ProbeSpec, PortSpec } from '../render/workload';
import { Protocol } from './ports';

/** When and how often a probe runs, and how many failures it tolerates. */
export interface ProbeTimingOptions {
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

const PROBE_TIMING: PropNames<ProbeTimingOptions> = { initialDelaySeconds: true, periodSeconds: true, timeoutSeconds: true, failureThreshold: true };

/** The timings of the three probes, shared by every kind of {@link HealthCheck}. */
export interface HealthTimingOptions {
  /**
   * Readiness probe timings: how soon a pod gets traffic, and leaves the Service when it fails.
   * @default { periodSeconds: 5, timeoutSeconds: 2, failureThreshold: 3 }
   */
  readonly readiness?: ProbeTimingOptions;
  /**
   * Liveness probe timings: how long a hung process runs before the kubelet restarts it.
   * @default { periodSeconds: 10, timeoutSeconds: 2, failureThreshold: 3 }
   */
  readonly liveness?: ProbeTimingOptions;
  /**
   * Startup probe timings: how long the process may take to start.
   * @default { periodSeconds: 1, timeoutSeconds: 1, failureThreshold: 30 }
   */
  readonly startup?: ProbeTimingOptions;
}

const TIMINGS: PropNames<HealthTimingOptions> = { readiness: true, liveness: true, startup: true };

/** Options of {@link HealthCheck.http}. */
export interface HttpHealthOptions extends HealthTimingOptions {
  /**
   * The path the readiness probe (and, unless `livenessPath` is set, the liveness and
   * startup probes) GETs.
   * @default '/health'
   */
  readonly path?: string;
  /**
   * The path the liveness and startup probes GET, when it differs from `path`.
   * @default - path
   */
  readonly livenessPath?: string;
  /**
   * The name of the port to probe: the main one or an extra one.
   * @default - the main port
   */
  readonly port?: string;
}

/** Options of {@link HealthCheck.grpc}. */
export interface GrpcHealthOptions extends HealthTimingOptions {
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
export interface TcpHealthOptions extends HealthTimingOptions {
  /**
   * The name of the port to connect to.
   * @default - the main port
   */
  readonly port?: string;
}

/**
 * How the kubelet asks the process whether it is healthy, and how often: the readiness,
 * liveness and startup probes all ask the same way, each with its own timings.
 *
 * @example
 * HealthCheck.http({ path: '/healthz' })
 * HealthCheck.http({ path: '/readyz', livenessPath: '/livez', startup: { failureThreshold: 60 } })
 * HealthCheck.grpc()                         // the standard grpc.health.v1 service
 * HealthCheck.http({ port: 'metrics' })      // a worker's health on its metrics port
 * HealthCheck.tcp({ port: 'amqp' })
 */
export class HealthCheck {
  /** An HTTP GET; any 2xx or 3xx answer is healthy. */
  public static http(options: HttpHealthOptions = {}): HealthCheck {
    return new HealthCheck('http', options, { path: true, livenessPath: true, port: true, ...TIMINGS } satisfies PropNames<HttpHealthOptions>);
  }

  /** The kubelet's native gRPC probe: `grpc.health.v1.Health/Check` must answer SERVING. */
  public static grpc(options: GrpcHealthOptions = {}): HealthCheck {
    return new HealthCheck('grpc', options, { service: true, port: true, ...TIMINGS } satisfies PropNames<GrpcHealthOptions>);
  }

  /** A TCP connect: healthy when the port accepts. The weakest check; use it when nothing else is spoken. */
  public static tcp(options: TcpHealthOptions = {}): HealthCheck {
    return new HealthCheck('tcp', options, { port: true, ...TIMINGS } satisfies PropNames<TcpHealthOptions>);
  }

  private constructor(
    /** `http`, `grpc` or `tcp`. */
    public readonly kind: 'http' | 'grpc' | 'tcp',
    /** The options given. */
    public readonly options: HttpHealthOptions & GrpcHealthOptions,
    private readonly known: object,
  ) {}

  /**
   * The three probes: the actions, the port resolved against the declared ports (`main`
   * unless named), and the timings, defaults applied.
   * @internal
   */
  public probes(ports: readonly PortSpec[], main: PortSpec | undefined): ResolvedProbes {
    rejectUnknownProps(this.options, this.known, `HealthCheck.${this.kind}()`, 'health');
    const port = probePort(this.options.port, ports, main);
    const { readiness, liveness } = this.actions(port);
    const t = this.options;
    return {
      readiness: { action: readiness, ...timing('health.readiness', t.readiness, DEFAULTS.readiness) },
      liveness: { action: liveness, ...timing('health.liveness', t.liveness, DEFAULTS.liveness) },
      // The startup probe asks what liveness asks: is the process up at all?
      startup: { action: liveness, ...timing('health.startup', t.startup, DEFAULTS.startup) },
    };
  }

  private actions(port: PortSpec): { readiness: ProbeAction; liveness: ProbeAction } {
    if (this.kind === 'http') {
      const path = httpPath('health.path', this.options.path ?? '/health');
      const live = this.options.livenessPath === undefined ? path : httpPath('health.livenessPath', this.options.livenessPath);
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

const DEFAULTS: Readonly<Record<'readiness' | 'liveness' | 'startup', Required<ProbeTimingOptions>>> = {
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
 * The probes of a served workload. Without a health check, the one its protocol implies: an
 * HTTP GET of `/health` for HTTP and h2c (the kubelet speaks HTTP/1.1; an h2c server built on
 * `h2c.NewHandler` answers it), the native gRPC probe for gRPC. A worker (Protocol.NONE)
 * must say where it answers.
 */
export function resolveProbes(health: HealthCheck | undefined, protocol: Protocol, ports: readonly PortSpec[]): ResolvedProbes {
  if (health !== undefined && !(health instanceof HealthCheck)) {
    throw ValidationError.invalid('health', health, 'not a HealthCheck', "use HealthCheck.http({ path: '/health' }), HealthCheck.grpc() or HealthCheck.tcp()");
  }
  if (health === undefined && protocol === Protocol.NONE) {
    throw ValidationError.invalid('health', undefined, 'is required for a workload that serves no main port (protocol is Protocol.NONE): the kubelet must ask it something', "probe the port it answers on, e.g. health: HealthCheck.http({ port: 'metrics' })");
  }
  const check = health ?? (protocol === Protocol.GRPC ? HealthCheck.grpc() : HealthCheck.http());
  return check.probes(ports, protocol === Protocol.NONE ? undefined : ports[0]);
}

function timing(prop: string, given: ProbeTimingOptions | undefined, defaults: Required<ProbeTimingOptions>): Required<ProbeTimingOptions> {
  if (given !== undefined && (typeof given !== 'object' || given === null)) {
    throw ValidationError.invalid(prop, given, 'must be an object of timings', `use e.g. ${prop.slice(prop.indexOf('.') + 1)}: { periodSeconds: 5 }`);
  }
  rejectUnknownProps(given, PROBE_TIMING, 'ProbeTimingOptions', prop);
  const t = { ...defaults, ...definedOnly(given ?? {}) };
  wholeSeconds(`${prop}.initialDelaySeconds`, t.initialDelaySeconds, 0);
  wholeSeconds(`${prop}.periodSeconds`, t.periodSeconds, 1);
  wholeSeconds(`${prop}.timeoutSeconds`, t.timeoutSeconds, 1);
  wholeSeconds(`${prop}.failureThreshold`, t.failureThreshold, 1);
  return t;
}

function definedOnly(t: ProbeTimingOptions): ProbeTimingOptions {
  return Object.fromEntries(Object.entries(t).filter(([, v]) => v !== undefined));
}

/** Checks a whole number of seconds (or a count) of at least `min`; returns it. */
export function wholeSeconds(prop: string, value: unknown, min: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > 2147483647) {
    throw ValidationError.invalid(prop, value, `must be a whole number, ${min} or more`, `use e.g. ${Math.max(min, 1) * 5}`);
  }
  return value;
}
