/**
 * Builds `<symbol>@kline_<interval>` events for intervals above 1m out of the engine's 1m kline
 * events, seeding each new bucket from the engine's closed 1m history so a late subscriber still
 * sees the whole candle.
 */
import type { KlineEvent, KlineRow, SimEngine } from '../engine/types.js';

type K = KlineEvent['k'];

const MIN = 60_000;
const DAY = 1440 * MIN;
const FIXED: Record<string, number> = {
  '1m': MIN, '3m': 3 * MIN, '5m': 5 * MIN, '15m': 15 * MIN, '30m': 30 * MIN,
  '1h': 60 * MIN, '2h': 120 * MIN, '4h': 240 * MIN, '6h': 360 * MIN, '8h': 480 * MIN, '12h': 720 * MIN,
  '1d': DAY, '3d': 3 * DAY, '1w': 7 * DAY,
};
/** 1970-01-05 was a Monday; Binance weeks open on Monday 00:00 UTC. */
const WEEK_OFFSET = 4 * DAY;

/** [open, close) of the interval bucket containing `t`. */
export function bucketOf(interval: string, t: number): [number, number] {
  if (interval === '1M') {
    const d = new Date(t);
    const start = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
    return [start, Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1)];
  }
  const ms = FIXED[interval];
  if (ms === undefined) throw new RangeError(`unknown interval ${interval}`);
  const offset = interval === '1w' ? WEEK_OFFSET : 0;
  const start = Math.floor((t - offset) / ms) * ms + offset;
  return [start, start + ms];
}

function decimals(s: string): number {
  const i = s.indexOf('.');
  return i < 0 ? 0 : s.length - i - 1;
}

/** Adds decimal strings keeping the wider precision, so sums print like Binance's inputs. */
function add(a: string, b: string): string {
  const d = Math.max(decimals(a), decimals(b));
  return (Number(a) + Number(b)).toFixed(d);
}

function maxStr(a: string, b: string): string {
  return Number(a) >= Number(b) ? a : b;
}
function minStr(a: string, b: string): string {
  return Number(a) <= Number(b) ? a : b;
}

function merge(acc: K | undefined, k: K): K {
  if (!acc) return { ...k };
  return {
    ...acc,
    L: k.L,
    c: k.c,
    h: maxStr(acc.h, k.h),
    l: minStr(acc.l, k.l),
    v: add(acc.v, k.v),
    n: acc.n + k.n,
    q: add(acc.q, k.q),
    V: add(acc.V, k.V),
    Q: add(acc.Q, k.Q),
  };
}

function fromRow(symbol: string, r: KlineRow): K {
  return {
    t: r[0], T: r[6], s: symbol, i: '1m', f: -1, L: -1,
    o: r[1], h: r[2], l: r[3], c: r[4], v: r[5], n: r[8], x: true, q: r[7], V: r[9], Q: r[10], B: '0',
  };
}

interface Bucket {
  start: number;
  end: number;
  closed: K | undefined;
}

/** Per (symbol, interval) aggregation state. */
export class KlineAggregator {
  readonly #buckets = new Map<string, Bucket>();
  constructor(private readonly engine: SimEngine) {}

  /** The `interval` event implied by a 1m kline event. */
  next(ev: KlineEvent, interval: string): KlineEvent {
    const key = `${ev.s}|${interval}`;
    const [start, end] = bucketOf(interval, ev.k.t);
    let b = this.#buckets.get(key);
    if (!b || b.start !== start) {
      b = { start, end, closed: this.#seed(ev.s, start, ev.k.t) };
      this.#buckets.set(key, b);
    }
    const agg = merge(b.closed, ev.k);
    if (ev.k.x) b.closed = agg;
    return {
      ...ev,
      k: { ...agg, t: start, T: end - 1, i: interval, x: ev.k.x && ev.k.T >= end - 1 },
    };
  }

  #seed(symbol: string, start: number, before: number): K | undefined {
    if (before <= start) return undefined;
    let acc: K | undefined;
    const rows = this.engine.klines(symbol, '1m', { startTime: start, endTime: before - 1, limit: 1500 });
    for (const r of rows) if (r[0] >= start && r[0] < before) acc = merge(acc, fromRow(symbol, r));
    return acc;
  }
}
