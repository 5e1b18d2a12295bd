/**
 * Fan-out of engine market events to stream subscribers, with Binance's stream names and cadences:
 * `@markPrice` every 3s, `@markPrice@1s` every 1s (latest value wins), kline intervals above 1m
 * aggregated from 1m, and the all-market `!markPrice@arr`, `!bookTicker`, `!forceOrder@arr` streams.
 */
import type { Clock, TimerHandle } from '../../../clock/index.js';
import type { KlineEvent, MarkPriceEvent, MarketEvent, SimEngine } from '../engine/types.js';
import { KlineAggregator } from './kline-agg.js';

type Send<C> = (conn: C, stream: string, data: unknown) => void;

const KLINE_PREFIX = '@kline_';

/** Subscription index plus publishing. */
export class MarketFanout<C> {
  readonly #subs = new Map<string, Set<C>>();
  readonly #byConn = new Map<C, Set<string>>();
  readonly #agg: KlineAggregator;
  readonly #marks = new Map<string, MarkPriceEvent>();
  readonly #lastSent = new Map<string, number>();
  readonly #pending = new Map<string, { timer: TimerHandle; build: () => unknown }>();

  constructor(
    engine: SimEngine,
    private readonly clock: Clock,
    private readonly send: Send<C>,
  ) {
    this.#agg = new KlineAggregator(engine);
  }

  subscribe(conn: C, stream: string): void {
    let set = this.#subs.get(stream);
    if (!set) this.#subs.set(stream, (set = new Set()));
    set.add(conn);
    let mine = this.#byConn.get(conn);
    if (!mine) this.#byConn.set(conn, (mine = new Set()));
    mine.add(stream);
  }

  unsubscribe(conn: C, stream: string): void {
    this.#subs.get(stream)?.delete(conn);
    if (this.#subs.get(stream)?.size === 0) this.#subs.delete(stream);
    this.#byConn.get(conn)?.delete(stream);
  }

  streamsOf(conn: C): string[] {
    return [...(this.#byConn.get(conn) ?? [])];
  }

  /** Forgets a closed connection. */
  drop(conn: C): void {
    for (const s of this.#byConn.get(conn) ?? []) this.unsubscribe(conn, s);
    this.#byConn.delete(conn);
  }

  publish(ev: MarketEvent): void {
    switch (ev.e) {
      case 'aggTrade':
        return this.#emit(`${ev.s.toLowerCase()}@aggTrade`, ev);
      case 'bookTicker':
        this.#emit(`${ev.s.toLowerCase()}@bookTicker`, ev);
        return this.#emit('!bookTicker', ev);
      case 'forceOrder':
        this.#emit(`${ev.o.s.toLowerCase()}@forceOrder`, ev);
        return this.#emit('!forceOrder@arr', ev);
      case 'kline':
        return this.#kline(ev);
      case 'markPriceUpdate':
        return this.#mark(ev);
    }
  }

  close(): void {
    for (const p of this.#pending.values()) this.clock.clearTimeout(p.timer);
    this.#pending.clear();
  }

  #emit(stream: string, data: unknown): void {
    const set = this.#subs.get(stream);
    if (!set) return;
    for (const c of set) this.send(c, stream, data);
  }

  #kline(ev: KlineEvent): void {
    // Only 1m is taken from the engine; every other interval is derived so it cannot double up.
    if (ev.k.i !== '1m') return;
    const sym = ev.s.toLowerCase();
    const prefix = `${sym}${KLINE_PREFIX}`;
    for (const stream of this.#subs.keys()) {
      if (!stream.startsWith(prefix)) continue;
      const interval = stream.slice(prefix.length);
      if (interval === '1m') this.#emit(stream, ev);
      else {
        try {
          this.#emit(stream, this.#agg.next(ev, interval));
        } catch {
          // Unknown interval: Binance sends nothing for an invalid stream name either.
        }
      }
    }
  }

  #mark(ev: MarkPriceEvent): void {
    this.#marks.set(ev.s, ev);
    const sym = ev.s.toLowerCase();
    this.#throttled(`${sym}@markPrice`, 3000, () => this.#marks.get(ev.s));
    this.#throttled(`${sym}@markPrice@1s`, 1000, () => this.#marks.get(ev.s));
    this.#throttled('!markPrice@arr', 3000, () => [...this.#marks.values()]);
    this.#throttled('!markPrice@arr@1s', 1000, () => [...this.#marks.values()]);
  }

  /** Sends now if the stream's cadence allows, else once at the next slot with the latest data. */
  #throttled(stream: string, everyMs: number, build: () => unknown): void {
    if (!this.#subs.has(stream)) return;
    const now = this.clock.now();
    const last = this.#lastSent.get(stream);
    if (last === undefined || now - last >= everyMs) {
      this.#lastSent.set(stream, now);
      this.#emit(stream, build());
      return;
    }
    const pending = this.#pending.get(stream);
    if (pending) {
      pending.build = build;
      return;
    }
    const timer = this.clock.setTimeout(() => {
      const p = this.#pending.get(stream);
      this.#pending.delete(stream);
      if (!p) return;
      this.#lastSent.set(stream, this.clock.now());
      this.#emit(stream, p.build());
    }, last + everyMs - now);
    this.#pending.set(stream, { timer, build });
  }
}
