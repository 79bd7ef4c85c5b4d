import { ValidationError } from '../model/errors';
import { PropNames, rejectUnknownProps } from '../model/known-props';
import { AutoscalingSpec } from '../render/workload';
import { wholeSeconds } from './probes';

/** A HorizontalPodAutoscaler (autoscaling/v2) over the Deployment. */
export interface AutoscalingOptions {
  /**
   * Fewest pods. Two keep the service up while one is replaced or evicted.
   * @default 2
   */
  readonly minReplicas?: number;
  /** Most pods. */
  readonly maxReplicas: number;
  /**
   * Target average CPU use, in percent of the CPU request.
   * @default - 70 when memoryUtilization is not set either, else none
   */
  readonly cpuUtilization?: number;
  /**
   * Target average memory use, in percent of the memory request. Go returns memory to the
   * OS slowly, so a memory target scales up more readily than down.
   * @default - none
   */
  readonly memoryUtilization?: number;
  /**
   * Seconds the autoscaler waits for the load to stay low before removing pods, so a
   * short lull does not drop capacity that the next burst needs.
   * @default 300
   */
  readonly scaleDownStabilizationSeconds?: number;
}

const AUTOSCALING_PROPS: PropNames<AutoscalingOptions> = {
  minReplicas: true, maxReplicas: true, cpuUtilization: true, memoryUtilization: true, scaleDownStabilizationSeconds: true,
};

/**
 * Checks the autoscaler: counts, targets, and that each target has the request it is a
 * percentage of.
 *
 * @param requests the container's resolved requests
 */
export function resolveAutoscaling(props: AutoscalingOptions, requests: Readonly<Record<string, string>>): AutoscalingSpec {
  if (typeof props !== 'object' || props === null) {
    throw ValidationError.invalid('autoscaling', props, 'must be an object', 'use e.g. autoscaling: { maxReplicas: 10 }');
  }
  rejectUnknownProps(props, AUTOSCALING_PROPS, 'AutoscalingOptions', 'autoscaling');
  const minReplicas = wholeSeconds('autoscaling.minReplicas', props.minReplicas ?? 2, 1);
  const maxReplicas = wholeSeconds('autoscaling.maxReplicas', props.maxReplicas, 1);
  if (maxReplicas < minReplicas) {
    throw ValidationError.invalid('autoscaling.maxReplicas', maxReplicas, `is below minReplicas (${minReplicas})`, `use at least ${minReplicas}`);
  }
  const both = props.cpuUtilization === undefined && props.memoryUtilization === undefined;
  const cpuUtilization = both ? 70 : percent('autoscaling.cpuUtilization', props.cpuUtilization);
  const memoryUtilization = percent('autoscaling.memoryUtilization', props.memoryUtilization);
  for (const [target, resource, prop] of [[cpuUtilization, 'cpu', 'cpuRequest'], [memoryUtilization, 'memory', 'memoryRequest']] as const) {
    if (target !== undefined && requests[resource] === undefined) {
      throw ValidationError.invalid(`autoscaling.${resource}Utilization`, target, `is a percentage of the ${resource} request, and the container requests no ${resource}; the autoscaler would never scale`, `set resources.${prop}`);
    }
  }
  return {
    minReplicas,
    maxReplicas,
    ...(cpuUtilization !== undefined ? { cpuUtilization } : {}),
    ...(memoryUtilization !== undefined ? { memoryUtilization } : {}),
    scaleDownStabilizationSeconds: wholeSeconds('autoscaling.scaleDownStabilizationSeconds', props.scaleDownStabilizationSeconds ?? 300, 0),
  };
}

function percent(prop: string, value: unknown): number | undefined {
  if (value === undefined) {
    return undefined;
  }
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 1000) {
    throw ValidationError.invalid(prop, value, 'not a whole percentage of the request (1 to 1000)', 'use e.g. 70');
  }
  return value;
}
