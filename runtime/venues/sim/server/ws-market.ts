/**
 * Fan-out of engine market events to stream subscribers, with Binance's stream names and cadences:
 * `@markPrice` every 3s, `@markPrice@1s` every 1s (latest value wins), kline intervals above 1m
 * aggregated from 1m, and the all-market `!markPrice@arr`, `!bookTicker`, `!forceOrder@arr` streams.
 *
 * Mark streams push on their cadence whether or not the mark moved, as Binance's do. Sent only on
 * a new mark, a feed with 12 prints per candle gave one mark per 5 s: a node judging a stop's side
 * against a streamed mark under 3 s old then fetched it over REST for 40 % of its orders, and at
 * 500 symbols those fetches waited for the next minute's request weight.
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
  /** One push timer per mark cadence (ms) while a stream of that cadence has subscribers. */
  readonly #ticks = new Map<number, TimerHandle>();

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
    const every = markCadence(stream);
    if (every !== undefined && !this.#ticks.has(every)) this.#schedule(every);
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
    for (const t of this.#ticks.values()) this.clock.clearTimeout(t);
    this.#ticks.clear();
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
  }

  /** Pushes the latest mark on every subscribed stream of this cadence, then again `every` ms later. */
  #schedule(every: number): void {
    this.#ticks.set(every, this.clock.setTimeout(() => {
      this.#ticks.delete(every);
      const streams = [...this.#subs.keys()].filter((s) => markCadence(s) === every);
      if (!streams.length) return;
      const E = this.clock.now();
      for (const stream of streams) {
        if (stream.startsWith('!')) {
          if (this.#marks.size) this.#emit(stream, [...this.#marks.values()].map((m) => ({ ...m, E })));
          continue;
        }
        const m = this.#marks.get(stream.slice(0, stream.indexOf('@')).toUpperCase());
        if (m) this.#emit(stream, { ...m, E });
      }
      this.#schedule(every);
    }, every));
  }
}

/** Push cadence of a mark stream (ms), or undefined for other streams. */
function markCadence(stream: string): number | undefined {
  if (stream.endsWith('@markPrice@1s') || stream === '!markPrice@arr@1s') return 1_000;
  if (stream.endsWith('@markPrice') || stream === '!markPrice@arr') return 3_000;
  return undefined;
}
