import type { BackoffOptions } from './types.js';

/** Defaults of `SupervisorSpec.backoff`, as documented on {@link BackoffOptions}. */
export const DEFAULT_BACKOFF: Readonly<BackoffOptions> = Object.freeze({
  min: 10,
  max: 5000,
  jitter: 0.2,
  resetAfter: 30_000,
});

/** Fills in defaults and rejects nonsense once, so the hot path never re-validates. */
export function resolveBackoffOptions(partial: Partial<BackoffOptions> = {}): BackoffOptions {
  const o: BackoffOptions = { ...DEFAULT_BACKOFF, ...partial };
  if (!(o.min >= 0) || !Number.isFinite(o.min)) throw new RangeError(`backoff.min must be >= 0, got ${o.min}`);
  if (!(o.max >= o.min) || !Number.isFinite(o.max)) throw new RangeError(`backoff.max must be >= min, got ${o.max}`);
  if (!(o.jitter >= 0 && o.jitter <= 1)) throw new RangeError(`backoff.jitter must be within 0..1, got ${o.jitter}`);
  if (!(o.resetAfter >= 0)) throw new RangeError(`backoff.resetAfter must be >= 0, got ${o.resetAfter}`);
  return o;
}

/**
 * Delay before restart number `attempt` (0-based) of a crash streak:
 * `min(max, min * 2^attempt * (1 + jitter * random()))`, rounded to whole ms.
 *
 * Jitter is only ever added (never subtracted), so the first restart waits at least `min`.
 * The cap applies after jitter, so no delay ever exceeds `max`.
 */
export function backoffDelay(attempt: number, opts: BackoffOptions, random: () => number = Math.random): number {
  // Past 2^40 the product is beyond any sane max anyway; clamping avoids 0 * Infinity = NaN.
  const base = opts.min * 2 ** Math.min(Math.max(0, attempt), 40);
  const r = Math.min(1, Math.max(0, random()));
  return Math.min(opts.max, Math.round(base * (1 + opts.jitter * r)));
}

/** Per-child backoff state: a crash streak that grows delays and forgives after healthy running. */
export interface Backoff {
  /** Restarts in the current streak. */
  readonly attempt: number;
  /** Delay for the next restart; advances the streak. */
  next(): number;
  /** Forgets the streak: the next delay is `min` again (plus jitter). */
  reset(): void;
  /**
   * Tells how long the child ran before it ended. A run of at least `resetAfter` ms counts as
   * healthy and resets the streak. Returns whether it did.
   */
  ran(ms: number): boolean;
}

/** Creates the backoff state of one child. `random` is injectable so tests can pin jitter. */
export function createBackoff(options: Partial<BackoffOptions> = {}, random: () => number = Math.random): Backoff {
  const opts = resolveBackoffOptions(options);
  let attempt = 0;
  return {
    get attempt() {
      return attempt;
    },
    next() {
      return backoffDelay(attempt++, opts, random);
    },
    reset() {
      attempt = 0;
    },
    ran(ms) {
      if (ms < opts.resetAfter) return false;
      attempt = 0;
      return true;
    },
  };
}
