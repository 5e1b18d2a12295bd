/**
 * Binance's rate limits: REQUEST_WEIGHT per IP per minute and ORDERS per account per minute and
 * per 10 seconds. Windows are fixed and aligned to the clock (Binance resets at the interval
 * boundary), which is also what `Retry-After` counts down to.
 */
import type { Clock } from '../../../clock/index.js';
import { apiErrors, type BinanceApiError } from './errors.js';

/** Limits applied by the server. */
export interface RateLimitConfig {
  /** REQUEST_WEIGHT per IP per minute. @default 2400 */
  readonly weightPerMinute: number;
  /** ORDERS per account per minute. @default 1200 */
  readonly ordersPerMinute: number;
  /** ORDERS per account per 10 seconds. @default 300 */
  readonly ordersPer10s: number;
  /** Consecutive 429s after which an IP is banned with 418 (0 = never, Binance bans repeat offenders). @default 0 */
  readonly banAfter429s: number;
  /** How long a 418 ban lasts. @default 120000 */
  readonly banMs: number;
}

/** Counts usage in fixed windows of `intervalMs` keyed by an id. */
class FixedWindow {
  readonly #used = new Map<string, { start: number; used: number }>();
  constructor(
    private readonly clock: Clock,
    readonly intervalMs: number,
  ) {}

  #slot(key: string): { start: number; used: number } {
    const now = this.clock.now();
    const start = now - (now % this.intervalMs);
    let s = this.#used.get(key);
    if (!s || s.start !== start) {
      s = { start, used: 0 };
      this.#used.set(key, s);
    }
    return s;
  }
  used(key: string): number {
    return this.#slot(key).used;
  }
  add(key: string, n: number): number {
    const s = this.#slot(key);
    s.used += n;
    return s.used;
  }
  clear(): void {
    this.#used.clear();
  }
  /** Whole seconds until this window resets (at least 1, as Binance sends). */
  retryAfterSec(): number {
    const now = this.clock.now();
    return Math.max(1, Math.ceil((this.intervalMs - (now % this.intervalMs)) / 1000));
  }
}

/** Usage numbers reported back in `X-MBX-*` headers. */
export interface UsageHeaders {
  [header: string]: string;
}

/** Tracks weight and order counts and decides when to answer 429/418. */
export class RateLimiter {
  readonly #weight: FixedWindow;
  readonly #orders1m: FixedWindow;
  readonly #orders10s: FixedWindow;
  readonly #strikes = new Map<string, number>();
  readonly #bannedUntil = new Map<string, number>();

  constructor(
    private readonly clock: Clock,
    private readonly config: RateLimitConfig,
  ) {
    this.#weight = new FixedWindow(clock, 60_000);
    this.#orders1m = new FixedWindow(clock, 60_000);
    this.#orders10s = new FixedWindow(clock, 10_000);
  }

  /**
   * Charges `weight` to `ip` (and an order to `account` when `isOrder`); throws the Binance error
   * when a limit is exceeded. Weight is charged even for requests that then fail, as on Binance.
   */
  charge(ip: string, weight: number, account: string | undefined, isOrder: boolean): void {
    const banned = this.#bannedUntil.get(ip);
    const now = this.clock.now();
    if (banned !== undefined && banned > now) throw apiErrors.banned(banned, Math.ceil((banned - now) / 1000));
    const used = this.#weight.add(ip, weight);
    if (used > this.config.weightPerMinute) {
      throw this.#strike(ip, apiErrors.tooManyRequests(this.config.weightPerMinute, this.#weight.retryAfterSec()));
    }
    this.#strikes.delete(ip);
    if (isOrder && account !== undefined) {
      const m = this.#orders1m.add(account, 1);
      const s = this.#orders10s.add(account, 1);
      if (m > this.config.ordersPerMinute) {
        throw apiErrors.tooManyOrders(this.config.ordersPerMinute, 'MINUTE', this.#orders1m.retryAfterSec());
      }
      if (s > this.config.ordersPer10s) {
        throw apiErrors.tooManyOrders(this.config.ordersPer10s, 'TEN_SECONDS', this.#orders10s.retryAfterSec());
      }
    }
  }

  #strike(ip: string, err: BinanceApiError): BinanceApiError {
    if (this.config.banAfter429s <= 0) return err;
    const n = (this.#strikes.get(ip) ?? 0) + 1;
    this.#strikes.set(ip, n);
    if (n < this.config.banAfter429s) return err;
    const until = this.clock.now() + this.config.banMs;
    this.#bannedUntil.set(ip, until);
    this.#strikes.delete(ip);
    return apiErrors.banned(until, Math.ceil(this.config.banMs / 1000));
  }

  /** Seconds until the current weight window resets. */
  retryAfterSec(): number {
    return this.#weight.retryAfterSec();
  }

  /** `X-MBX-USED-WEIGHT-1M` / `X-MBX-ORDER-COUNT-*` values after this request. */
  headers(ip: string, account: string | undefined): UsageHeaders {
    const h: UsageHeaders = { 'X-MBX-USED-WEIGHT-1M': String(this.#weight.used(ip)) };
    if (account !== undefined) {
      h['X-MBX-ORDER-COUNT-1M'] = String(this.#orders1m.used(account));
      h['X-MBX-ORDER-COUNT-10S'] = String(this.#orders10s.used(account));
    }
    return h;
  }

  /** Forgets all usage and bans. */
  reset(): void {
    this.#strikes.clear();
    this.#bannedUntil.clear();
    this.#weight.clear();
    this.#orders1m.clear();
    this.#orders10s.clear();
  }
}
