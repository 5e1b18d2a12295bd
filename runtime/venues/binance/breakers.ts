/**
 * Circuit breakers (opossum) around REST, one per traffic class so a market-data outage cannot
 * block protective orders and a flood of order failures cannot starve reconciliation queries.
 * Only "venue unavailable" outcomes (timeout, network, 5xx) count as failures: a business reject
 * or a 429 says the venue is up and answering.
 */
import CircuitBreaker from 'opossum';
import type { Logger } from 'pino';
import type { Clock } from '../../clock/index.js';
import { CircuitOpenError, VenueUnavailableError } from './errors.js';

export const BREAKER_NAMES = ['order', 'account', 'market'] as const;
/** order: place/cancel; account: signed queries; market: public data. */
export type BreakerName = (typeof BREAKER_NAMES)[number];
export type BreakerStatus = 'closed' | 'open' | 'halfOpen';

/** A breaker's state and rolling counts, for status/metrics. */
export interface BreakerSnapshot {
  state: BreakerStatus;
  /** Clock time of the last state change (0 = never changed). */
  since: number;
  fires: number;
  failures: number;
  rejects: number;
  successes: number;
}

/** A state change. */
export interface BreakerEvent {
  breaker: BreakerName;
  state: BreakerStatus;
  ts: number;
}

/** Settings shared by every breaker. */
export interface BreakerSettings {
  volumeThreshold: number;
  errorThresholdPercentage: number;
  resetTimeoutMs: number;
  rollingWindowMs: number;
}

type Action = () => Promise<unknown>;

/** The set of breakers with one place to observe them. */
export class Breakers {
  readonly #breakers = new Map<BreakerName, CircuitBreaker<[Action], unknown>>();
  readonly #since = new Map<BreakerName, number>();
  readonly #listeners = new Set<(e: BreakerEvent) => void>();

  constructor(settings: BreakerSettings, private readonly clock: Clock, private readonly log: Logger) {
    for (const name of BREAKER_NAMES) {
      const b = new CircuitBreaker<[Action], unknown>((fn: Action) => fn(), {
        name,
        // ccxt already times requests out; a second timer here would race it.
        timeout: false,
        volumeThreshold: settings.volumeThreshold,
        errorThresholdPercentage: settings.errorThresholdPercentage,
        resetTimeout: settings.resetTimeoutMs,
        rollingCountTimeout: settings.rollingWindowMs,
        errorFilter: (err: unknown) => !(err instanceof VenueUnavailableError),
      });
      b.on('open', () => this.#changed(name, 'open'));
      b.on('halfOpen', () => this.#changed(name, 'halfOpen'));
      b.on('close', () => this.#changed(name, 'closed'));
      this.#breakers.set(name, b);
      this.#since.set(name, 0);
    }
  }

  /** Runs `fn` through breaker `name`; an open breaker fails fast with CircuitOpenError. */
  async run<T>(name: BreakerName, fn: () => Promise<T>): Promise<T> {
    const b = this.#get(name);
    try {
      return (await b.fire(fn)) as T;
    } catch (err) {
      if ((err as { code?: string }).code === 'EOPENBREAKER') throw new CircuitOpenError(name);
      throw err;
    }
  }

  snapshot(): Record<BreakerName, BreakerSnapshot> {
    const out = {} as Record<BreakerName, BreakerSnapshot>;
    for (const name of BREAKER_NAMES) {
      const b = this.#get(name);
      const s = b.stats;
      out[name] = {
        state: b.opened ? 'open' : b.halfOpen ? 'halfOpen' : 'closed',
        since: this.#since.get(name) ?? 0,
        fires: s.fires,
        failures: s.failures,
        rejects: s.rejects,
        successes: s.successes,
      };
    }
    return out;
  }

  /** Subscribes to state changes; returns the unsubscribe function. */
  on(listener: (e: BreakerEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Stops opossum's timers. */
  shutdown(): void {
    for (const b of this.#breakers.values()) b.shutdown();
    this.#listeners.clear();
  }

  #get(name: BreakerName): CircuitBreaker<[Action], unknown> {
    const b = this.#breakers.get(name);
    if (!b) throw new RangeError(`unknown breaker ${name}`);
    return b;
  }

  #changed(name: BreakerName, state: BreakerStatus): void {
    const ts = this.clock.now();
    this.#since.set(name, ts);
    this.log.warn({ breaker: name, state }, 'binance circuit breaker state change');
    for (const l of this.#listeners) l({ breaker: name, state, ts });
  }
}
