/**
 * Request-weight pacing. Binance counts REQUEST_WEIGHT per IP per minute and reports the running
 * total in `X-MBX-USED-WEIGHT-1M`; going over earns 429 (-1003) and, repeated, a 418 ban. We track
 * the header, pace before the limit, and after a 429/418 stop everything until Retry-After has
 * passed on the clock (new orders also have their own 429, -1015, which pauses only orders).
 */
import type { Clock } from '../../clock/index.js';
import { RateLimitedError, VenueClosedError } from './errors.js';

/** What the budget knows, for status/metrics. */
export interface WeightState {
  /** Weight used in the current minute (venue header, or our count if higher). */
  used: number;
  limit: number;
  /** Clock time until which every request waits (0 when not paused). */
  pausedUntil: number;
  /** Clock time until which new orders wait. */
  ordersPausedUntil: number;
  /** 429/418 answers seen. */
  limited: number;
}

const MINUTE = 60_000;

/**
 * Who may use how much of a minute's weight: market data up to the safety ratio; the order path
 * (status queries, cancels, an entry's reference mark) two thirds of what is left above it; a
 * protective order's reference mark all of it. At 500 symbols status queries of orders waiting for
 * capacity spent the whole reserve, and stops waited for the next minute for their reference mark.
 */
export type WeightTier = 'market' | 'order' | 'protect';

function header(headers: Record<string, string | undefined>, name: string): string | undefined {
  const want = name.toLowerCase();
  for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === want) return v;
  return undefined;
}

/** Reads Retry-After (seconds) from response headers; undefined when absent or malformed. */
export function retryAfterMs(headers: Record<string, string | undefined>): number | undefined {
  const v = header(headers, 'retry-after');
  if (v === undefined) return undefined;
  const s = Number(v);
  return Number.isFinite(s) && s >= 0 ? s * 1000 : undefined;
}

/** Per-minute weight budget on the injected clock. */
export class WeightBudget {
  #used = 0;
  #minute = -1;
  #pausedUntil = 0;
  #ordersPausedUntil = 0;
  #limited = 0;
  #closed = false;
  readonly #waits = new Set<{ timer: ReturnType<Clock['setTimeout']>; reject: (e: Error) => void }>();

  constructor(
    private readonly clock: Clock,
    private limit: number,
    private readonly safetyRatio: number,
    private readonly maxWaitMs: number,
  ) {}

  /** Adopts the venue's advertised limit (exchangeInfo rateLimits). */
  setLimit(limit: number): void {
    if (limit > 0) this.limit = limit;
  }

  /** Records the venue's count from any response. */
  observe(headers: Record<string, string | undefined>): void {
    const v = Number(header(headers, 'x-mbx-used-weight-1m'));
    if (!Number.isFinite(v)) return;
    this.#roll();
    this.#used = Math.max(this.#used, v);
  }

  /** A 429/418: pause all requests (or only orders for -1015) until the venue's Retry-After. */
  penalize(waitMs: number, scope: 'all' | 'orders'): void {
    this.#limited += 1;
    const until = this.clock.now() + waitMs;
    if (scope === 'orders') this.#ordersPausedUntil = Math.max(this.#ordersPausedUntil, until);
    else this.#pausedUntil = Math.max(this.#pausedUntil, until);
  }

  /** Default wait when a 429 carries no Retry-After: to the next minute, when the window resets. */
  untilNextMinute(): number {
    const now = this.clock.now();
    return Math.floor(now / MINUTE) * MINUTE + MINUTE - now;
  }

  /**
   * Waits (on the clock) until `weight` fits, then charges it. Throws RateLimitedError when the
   * wait would exceed `maxWaitMs`, so callers never hang behind a long ban. The order path may use
   * the share above the safety ratio that market data never gets ({@link WeightTier}): at 500
   * symbols the warm-up klines spent the paced budget and every stop waited a minute for its
   * reference mark.
   */
  async acquire(weight: number, isOrder: boolean, tier: WeightTier = 'market'): Promise<void> {
    for (;;) {
      if (this.#closed) throw new VenueClosedError();
      const wait = this.#waitFor(weight, isOrder, tier);
      if (wait <= 0) {
        this.#used += weight;
        return;
      }
      if (wait > this.maxWaitMs) throw new RateLimitedError(wait, `request weight budget exhausted; next slot in ${wait} ms`);
      await this.wait(wait);
    }
  }

  /**
   * Sleeps on the clock unless the venue closes first: then it rejects with VenueClosedError.
   * A closed adapter left callers waiting up to a minute for a slot or a retry, and their timers
   * kept a stopped node's process alive (7 minutes at 500 symbols, each kline retried).
   */
  wait(ms: number): Promise<void> {
    if (this.#closed) return Promise.reject(new VenueClosedError());
    return new Promise((resolve, reject) => {
      const w = {
        timer: this.clock.setTimeout(() => {
          this.#waits.delete(w);
          resolve();
        }, ms),
        reject,
      };
      this.#waits.add(w);
    });
  }

  /** Refuses every further call and ends every wait. */
  close(): void {
    this.#closed = true;
    for (const w of this.#waits) {
      this.clock.clearTimeout(w.timer);
      w.reject(new VenueClosedError());
    }
    this.#waits.clear();
  }

  state(): WeightState {
    this.#roll();
    return { used: this.#used, limit: this.limit, pausedUntil: this.#pausedUntil, ordersPausedUntil: this.#ordersPausedUntil, limited: this.#limited };
  }

  #roll(): void {
    const m = Math.floor(this.clock.now() / MINUTE);
    if (m !== this.#minute) {
      this.#minute = m;
      this.#used = 0;
    }
  }

  #waitFor(weight: number, isOrder: boolean, tier: WeightTier): number {
    const now = this.clock.now();
    const paused = Math.max(this.#pausedUntil, isOrder ? this.#ordersPausedUntil : 0);
    if (now < paused) return paused - now;
    this.#roll();
    // Orders weigh 0 here; they are never held back by market-data polling.
    const share = tier === 'protect' ? 1 : tier === 'order' ? this.safetyRatio + ((1 - this.safetyRatio) * 2) / 3 : this.safetyRatio;
    if (weight > 0 && this.#used + weight > this.limit * share) return this.untilNextMinute();
    return 0;
  }
}
