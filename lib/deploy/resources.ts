import { ValidationError } from '../model/errors';
import { PropNames, rejectUnknownProps } from '../model/known-props';

/**
 * Quantities as goship accepts them: a plain decimal (`0.5`, `2`) or millicores (`100m`)
 * for CPU; a whole number with a binary (`Ki`, `Mi`, `Gi`, `Ti`) or decimal (`k`, `M`, `G`,
 * `T`) suffix for memory and storage. Stricter than the API server on purpose: `128m` of
 * memory is 0.128 bytes, a classic slip.
 */
const CPU = /^(?:(\d+)m|(\d+)(?:\.(\d{1,3}))?)$/;
const BYTES = /^(\d+)(Ki|Mi|Gi|Ti|k|M|G|T)?$/;
const BYTE_UNITS: Readonly<Record<string, number>> = {
  '': 1, 'k': 1e3, 'M': 1e6, 'G': 1e9, 'T': 1e12, 'Ki': 2 ** 10, 'Mi': 2 ** 20, 'Gi': 2 ** 30, 'Ti': 2 ** 40,
};

/** Parses a CPU quantity into millicores; throws a {@link ValidationError} for `prop`. */
export function cpuMillis(prop: string, value: unknown): number {
  const m = typeof value === 'string' ? CPU.exec(value) : null;
  const millis = m ? (m[1] !== undefined ? Number(m[1]) : Number(m[2]) * 1000 + Number((m[3] ?? '').padEnd(3, '0'))) : NaN;
  if (!m || !(millis > 0)) {
    throw ValidationError.invalid(prop, value, 'not a positive CPU quantity in whole millicores', "write millicores like '100m' or cores like '0.5' or '2'");
  }
  return millis;
}

/** Parses a memory or storage quantity into bytes; throws a {@link ValidationError} for `prop`. */
export function byteQuantity(prop: string, value: unknown): number {
  const m = typeof value === 'string' ? BYTES.exec(value) : null;
  const bytes = m ? Number(m[1]) * BYTE_UNITS[m[2] ?? ''] : NaN;
  if (!m || !(bytes > 0)) {
    const hint = typeof value === 'string' && /^\d+(m|mi|mb|MB|Mb|g|gi|gb|GB|Gb)$/.test(value) ? ` ('${value}' is not '${value.replace(/\D+$/, '')}Mi' or '…Gi')` : '';
    throw ValidationError.invalid(prop, value, `not a positive byte quantity${hint}`, "write a whole number with a unit, like '64Mi' or '1Gi'");
  }
  return bytes;
}

/** Options of {@link ResourceLimits.of}. */
export interface ResourceLimitsOptions {
  /**
   * Memory limit: the container is OOM-killed above it.
   * @default - no memory limit
   */
  readonly memory?: string;
  /**
   * CPU limit: the container is throttled above it.
   * @default - no CPU limit
   */
  readonly cpu?: string;
  /**
   * Ephemeral storage limit: the pod is evicted above it.
   * @default - no ephemeral storage limit
   */
  readonly ephemeralStorage?: string;
}

/**
 * The container's resource limits: exactly the ones given, or none.
 *
 * @example
 * ResourceLimits.of({ memory: '256Mi' })
 * ResourceLimits.of({ memory: '256Mi', cpu: '1' })
 * ResourceLimits.none()
 */
export class ResourceLimits {
  /** Exactly these limits; the ones left out are not set. */
  public static of(limits: ResourceLimitsOptions): ResourceLimits {
    return new ResourceLimits(limits);
  }

  /** No limits at all (BestEffort or Burstable QoS; the node's pressure decides). */
  public static none(): ResourceLimits {
    return new ResourceLimits({});
  }

  private constructor(
    /** The limits given. */
    public readonly limits: ResourceLimitsOptions,
  ) {}
}

/** Resource requests and limits of the container. */
export interface ResourcesOptions {
  /**
   * CPU reserved for the container; the scheduler places pods by it.
   * @default '50m'
   */
  readonly cpuRequest?: string;
  /**
   * Memory reserved for the container.
   * @default '32Mi'
   */
  readonly memoryRequest?: string;
  /**
   * Ephemeral storage reserved: logs and the `/tmp` volume.
   * @default '64Mi'
   */
  readonly ephemeralStorageRequest?: string;
  /**
   * The limits. No CPU limit by default: CPU limits throttle Go's garbage collector and
   * add latency while the node has idle CPU.
   * @default ResourceLimits.of({ memory: '128Mi' })
   */
  readonly limits?: ResourceLimits;
  /**
   * Size limit of the writable `emptyDir` at `/tmp`.
   * @default '64Mi'
   */
  readonly tmpSizeLimit?: string;
}

const RESOURCES_PROPS: PropNames<ResourcesOptions> = { cpuRequest: true, memoryRequest: true, ephemeralStorageRequest: true, limits: true, tmpSizeLimit: true };
const LIMITS_OPTIONS: PropNames<ResourceLimitsOptions> = { memory: true, cpu: true, ephemeralStorage: true };

/** Requests and limits as the container spec writes them. */
export interface ResolvedResources {
  readonly requests: Readonly<Record<string, string>>;
  readonly limits: Readonly<Record<string, string>>;
  readonly tmpSizeLimit: string;
}

/** Applies the defaults, checks every quantity and that no request exceeds its limit. */
export function resolveResources(props: ResourcesOptions = {}): ResolvedResources {
  if (typeof props !== 'object' || props === null) {
    throw ValidationError.invalid('resources', props, 'must be an object', "use e.g. { memoryRequest: '64Mi' }");
  }
  rejectUnknownProps(props, RESOURCES_PROPS, 'ResourcesOptions', 'resources');
  const limitsChoice = props.limits ?? ResourceLimits.of({ memory: '128Mi' });
  if (!(limitsChoice instanceof ResourceLimits)) {
    throw ValidationError.invalid('resources.limits', limitsChoice, 'not a ResourceLimits', "use ResourceLimits.of({ memory: '128Mi' }) or ResourceLimits.none()");
  }
  const l = limitsChoice.limits;
  rejectUnknownProps(l, LIMITS_OPTIONS, 'ResourceLimits.of()', 'resources.limits');
  const requested = {
    'cpu': [props.cpuRequest ?? '50m', 'resources.cpuRequest', cpuMillis],
    'memory': [props.memoryRequest ?? '32Mi', 'resources.memoryRequest', byteQuantity],
    'ephemeral-storage': [props.ephemeralStorageRequest ?? '64Mi', 'resources.ephemeralStorageRequest', byteQuantity],
  } as const;
  const limited = {
    'cpu': [l.cpu, 'resources.limits.cpu', cpuMillis],
    'memory': [l.memory, 'resources.limits.memory', byteQuantity],
    'ephemeral-storage': [l.ephemeralStorage, 'resources.limits.ephemeralStorage', byteQuantity],
  } as const;
  const requests: Record<string, string> = {};
  const limits: Record<string, string> = {};
  for (const resource of ['cpu', 'ephemeral-storage', 'memory'] as const) {
    const [request, requestProp, parse] = requested[resource];
    const amount = parse(requestProp, request);
    requests[resource] = request;
    const [limit, limitProp] = limited[resource];
    if (limit !== undefined) {
      if (parse(limitProp, limit) < amount) {
        throw ValidationError.invalid(limitProp, limit, `is below the request of ${request}, which the API server rejects`, `raise the limit to at least ${request}, or lower ${requestProp}`);
      }
      limits[resource] = limit;
    }
  }
  const tmpSizeLimit = props.tmpSizeLimit ?? '64Mi';
  byteQuantity('resources.tmpSizeLimit', tmpSizeLimit);
  return { requests, limits, tmpSizeLimit };
}
