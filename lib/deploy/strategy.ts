import { ValidationError } from '../model/errors';

/**
 * A number of pods, absolute or as a percentage of the desired replicas — the
 * `IntOrString` of `maxSurge`, `maxUnavailable` and `minAvailable`.
 *
 * Checked when the construct that uses it is created, so errors carry its path.
 *
 * @example
 * PodCount.absolute(1)
 * PodCount.percent(25)
 */
export class PodCount {
  /** A whole number of pods, 0 or more. */
  public static absolute(pods: number): PodCount {
    return new PodCount('absolute', pods);
  }

  /** A whole percentage of the desired replicas, 0 to 100. */
  public static percent(percent: number): PodCount {
    return new PodCount('percent', percent);
  }

  private constructor(
    /** Whether `amount` is a number of pods or a percentage. */
    public readonly unit: 'absolute' | 'percent',
    /** The number of pods, or the percentage. */
    public readonly amount: number,
  ) {}

  /** The value as Kubernetes writes it: `1` or `'25%'`. */
  public get value(): number | string {
    return this.unit === 'absolute' ? this.amount : `${this.amount}%`;
  }

  /** True for `0` and `'0%'`. */
  public isZero(): boolean {
    return this.amount === 0;
  }

  /** The count for `replicas` desired pods, rounded the given way as the controllers do. */
  public of(replicas: number, round: 'up' | 'down'): number {
    if (this.unit === 'absolute') {
      return this.amount;
    }
    const exact = (replicas * this.amount) / 100;
    return round === 'up' ? Math.ceil(exact) : Math.floor(exact);
  }

  /** Throws a {@link ValidationError} for `prop` unless this is a whole count (or a percentage up to 100). */
  public check(prop: string): void {
    const a = this.amount;
    if (this.unit === 'absolute' && (typeof a !== 'number' || !Number.isInteger(a) || a < 0)) {
      throw ValidationError.invalid(prop, a, 'not a whole number of pods (0 or more)', 'use e.g. PodCount.absolute(1)');
    }
    if (this.unit === 'percent' && (typeof a !== 'number' || !Number.isInteger(a) || a < 0 || a > 100)) {
      throw ValidationError.invalid(prop, `${a}%`, 'not a whole percentage from 0 to 100', 'use e.g. PodCount.percent(25)');
    }
  }

  /** `1` or `25%`. */
  public toString(): string {
    return String(this.value);
  }
}

/** Options of {@link RolloutStrategy.rollingUpdate}. */
export interface RollingUpdateOptions {
  /**
   * How many pods may exist above the desired replicas during a rollout.
   * @default PodCount.absolute(1)
   */
  readonly maxSurge?: PodCount;
  /**
   * How many desired pods may be unavailable during a rollout.
   * @default PodCount.absolute(0) — a new pod must be ready before an old one goes
   */
  readonly maxUnavailable?: PodCount;
}

/**
 * How a Deployment replaces its pods. Only rolling updates: the point of goship's workload is
 * that a rollout never takes the service down.
 *
 * @example
 * RolloutStrategy.rollingUpdate() // maxSurge 1, maxUnavailable 0
 * RolloutStrategy.rollingUpdate({ maxSurge: PodCount.percent(25), maxUnavailable: PodCount.percent(25) })
 */
export class RolloutStrategy {
  /**
   * Start new pods before stopping old ones. Both counts zero is rejected (when the
   * deployment is created): the rollout could never make progress, and the API server
   * refuses it.
   */
  public static rollingUpdate(options: RollingUpdateOptions = {}): RolloutStrategy {
    return new RolloutStrategy(options.maxSurge ?? PodCount.absolute(1), options.maxUnavailable ?? PodCount.absolute(0));
  }

  private constructor(
    /** Pods allowed above the desired count. */
    public readonly maxSurge: PodCount,
    /** Desired pods allowed to be unavailable. */
    public readonly maxUnavailable: PodCount,
  ) {}

  /** Throws a {@link ValidationError} (prop `strategy…`) if the counts are malformed or both zero. */
  public check(): void {
    checkCount('strategy.maxSurge', this.maxSurge);
    checkCount('strategy.maxUnavailable', this.maxUnavailable);
    if (this.maxSurge.isZero() && this.maxUnavailable.isZero()) {
      throw ValidationError.invalid(
        'strategy',
        { maxSurge: this.maxSurge.value, maxUnavailable: this.maxUnavailable.value },
        'maxSurge and maxUnavailable are both zero: no pod could ever be added or removed, and the API server rejects it',
        'keep maxSurge at PodCount.absolute(1) (the default) so a new pod starts before an old one stops',
      );
    }
  }
}

/**
 * The PodDisruptionBudget: how many pods voluntary disruptions (node drains, cluster
 * upgrades) may take down at once.
 *
 * @example
 * DisruptionBudget.maxUnavailable(PodCount.absolute(1))
 * DisruptionBudget.minAvailable(PodCount.percent(50))
 * DisruptionBudget.none()
 */
export class DisruptionBudget {
  /** At most this many pods may be evicted at once. Must not be zero. */
  public static maxUnavailable(count: PodCount): DisruptionBudget {
    return new DisruptionBudget('maxUnavailable', count);
  }

  /** At least this many pods must stay available during evictions; must leave room to evict one. */
  public static minAvailable(count: PodCount): DisruptionBudget {
    return new DisruptionBudget('minAvailable', count);
  }

  /** No PodDisruptionBudget. */
  public static none(): DisruptionBudget {
    return new DisruptionBudget('none');
  }

  private constructor(
    /** Which field the budget sets, or `none`. */
    public readonly kind: 'maxUnavailable' | 'minAvailable' | 'none',
    /** The count, unless `none`. */
    public readonly count?: PodCount,
  ) {}

  /**
   * Throws a {@link ValidationError} (prop `disruptionBudget`) if the count is malformed or
   * allows no eviction with `replicas` pods: such a budget makes every node drain hang.
   */
  public check(replicas: number): void {
    if (this.kind === 'none') {
      return;
    }
    const count = checkCount('disruptionBudget', this.count);
    const budget = { [this.kind]: count.value };
    const fix = 'use DisruptionBudget.maxUnavailable(PodCount.absolute(1)), or DisruptionBudget.none()';
    if (this.kind === 'maxUnavailable' && count.isZero()) {
      throw ValidationError.invalid('disruptionBudget', budget, 'allows no eviction at all: every node drain and cluster upgrade would hang', fix);
    }
    if (this.kind === 'minAvailable' && replicas > 0 && count.of(replicas, 'up') >= replicas) {
      throw ValidationError.invalid('disruptionBudget', budget, `keeps all ${replicas} replicas available, so no pod can ever be evicted and node drains hang`, fix);
    }
  }
}

function checkCount(prop: string, count: unknown): PodCount {
  if (!(count instanceof PodCount)) {
    throw ValidationError.invalid(prop, count, 'not a PodCount', 'use PodCount.absolute(n) or PodCount.percent(p)');
  }
  count.check(prop);
  return count;
}
