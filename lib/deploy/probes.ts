import { ValidationError } from '../model/errors';

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

/** An HTTP GET probe, resolved. */
export interface ResolvedProbe {
  readonly path: string;
  readonly initialDelaySeconds: number;
  readonly periodSeconds: number;
  readonly timeoutSeconds: number;
  readonly failureThreshold: number;
}

/** The three probes, resolved. */
export interface ResolvedProbes {
  readonly readiness: ResolvedProbe;
  readonly liveness: ResolvedProbe;
  readonly startup: ResolvedProbe;
}

/** Inputs of {@link resolveProbes}. */
export interface ProbesInput {
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

/** Applies the defaults and checks paths and timings (whole seconds, positive; delays may be 0). */
export function resolveProbes(input: ProbesInput): ResolvedProbes {
  const healthPath = httpPath('healthPath', input.healthPath ?? '/health');
  const livenessPath = input.livenessPath === undefined ? healthPath : httpPath('livenessPath', input.livenessPath);
  return {
    readiness: { path: healthPath, ...timing('readinessProbe', input.readinessProbe, DEFAULTS.readiness) },
    liveness: { path: livenessPath, ...timing('livenessProbe', input.livenessProbe, DEFAULTS.liveness) },
    // The startup probe asks what liveness asks: is the process up at all?
    startup: { path: livenessPath, ...timing('startupProbe', input.startupProbe, DEFAULTS.startup) },
  };
}

function timing(prop: string, given: ProbeTiming | undefined, defaults: Required<ProbeTiming>): Required<ProbeTiming> {
  if (given !== undefined && (typeof given !== 'object' || given === null)) {
    throw ValidationError.invalid(prop, given, 'must be an object of timings', `use e.g. ${prop}: { periodSeconds: 5 }`);
  }
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
