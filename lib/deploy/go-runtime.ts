import { byteQuantity, cpuMillis } from './resources';

/** Share of the memory limit given to Go's garbage collector as its soft limit. */
export const GOMEMLIMIT_SHARE = 0.9;

/**
 * `GOMEMLIMIT` and `GOMAXPROCS` for the container's limits, unless the user set them.
 *
 * - `GOMEMLIMIT`: 90% of the memory limit, in MiB. Without it Go's GC paces on heap growth
 *   alone and ignores the cgroup limit, so a heap spike is OOM-killed instead of collected.
 *   The other 10% is for goroutine stacks, the runtime and non-heap memory.
 * - `GOMAXPROCS`: the CPU limit in whole cores, rounded down, at least 1. Go 1.19–1.24 size
 *   their scheduler by the node's cores, and a 1-core quota on a 32-core node throttles.
 *
 * @param limits the container's limits (`memory`, `cpu`), as written
 * @param userNames the variables the user set, which win
 */
export function goRuntimeEnv(limits: Readonly<Record<string, string>>, userNames: ReadonlySet<string>): Record<string, string> {
  const out: Record<string, string> = {};
  if (limits.memory !== undefined && !userNames.has('GOMEMLIMIT')) {
    const bytes = byteQuantity('resources.limits.memory', limits.memory);
    const mib = Math.floor((bytes * GOMEMLIMIT_SHARE) / 2 ** 20);
    out.GOMEMLIMIT = mib >= 1 ? `${mib}MiB` : `${Math.floor(bytes * GOMEMLIMIT_SHARE)}B`;
  }
  if (limits.cpu !== undefined && !userNames.has('GOMAXPROCS')) {
    out.GOMAXPROCS = String(Math.max(1, Math.floor(cpuMillis('resources.limits.cpu', limits.cpu) / 1000)));
  }
  return out;
}
