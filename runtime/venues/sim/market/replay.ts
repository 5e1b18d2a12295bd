/**
 * Candle replay: parses Binance kline CSV (`open_time_ms,open,high,low,close,volume`, the format of
 * /work/shared/data/candles) and Binance kline JSON arrays, and serves them as a `CandleSource` that is
 * interchangeable with the synthetic one.
 */
import { readFileSync } from 'node:fs';
import type { Kline1m } from '../engine/types.js';
import type { CandleSource } from './synthetic.js';

/** Parses kline CSV text. A header line is skipped; `maxRows` bounds the work on big files. */
export function parseKlineCsv(text: string, maxRows = Number.POSITIVE_INFINITY): Kline1m[] {
  const out: Kline1m[] = [];
  let pos = 0;
  while (pos < text.length && out.length < maxRows) {
    let end = text.indexOf('\n', pos);
    if (end < 0) end = text.length;
    const line = text.slice(pos, end).trim();
    pos = end + 1;
    if (line === '' || !/^\d/.test(line)) continue;
    const f = line.split(',');
    if (f.length < 6) throw new Error(`bad kline CSV line: ${line}`);
    out.push(toKline(Number(f[0]), Number(f[1]), Number(f[2]), Number(f[3]), Number(f[4]), Number(f[5])));
  }
  return out;
}

/** Reads a kline CSV file (only the first `maxRows` rows are parsed). */
export function readKlineCsv(path: string, maxRows?: number): Kline1m[] {
  return parseKlineCsv(readFileSync(path, 'utf8'), maxRows);
}

/** Parses Binance GET /klines JSON: `[[openTime,"o","h","l","c","v",closeTime,"q",n,"V","Q","B"], ...]`. */
export function parseKlineJson(data: unknown): Kline1m[] {
  const rows = typeof data === 'string' ? (JSON.parse(data) as unknown) : data;
  if (!Array.isArray(rows)) throw new Error('kline JSON must be an array of arrays');
  return rows.map((r: unknown) => {
    if (!Array.isArray(r) || r.length < 6) throw new Error('kline JSON row must have at least 6 fields');
    const k = toKline(Number(r[0]), Number(r[1]), Number(r[2]), Number(r[3]), Number(r[4]), Number(r[5]));
    if (r.length > 7) k.quoteVolume = Number(r[7]);
    if (r.length > 8) k.trades = Number(r[8]);
    if (r.length > 9) k.takerBuyVolume = Number(r[9]);
    return k;
  });
}

function toKline(t: number, o: number, h: number, l: number, c: number, v: number): Kline1m {
  if (![t, o, h, l, c, v].every(Number.isFinite)) throw new Error(`non-numeric kline at ${t}`);
  return { openTime: t, open: o, high: h, low: l, close: c, volume: v, quoteVolume: (v * (o + c)) / 2, trades: 0, takerBuyVolume: v / 2 };
}

/** Options of a replay source. */
export interface ReplayOptions {
  /** Candles per symbol, ascending by open time, all of the same interval. */
  candles: Record<string, readonly Kline1m[]>;
  /** Candle length. @default inferred from the first two candles, else 60 000 */
  intervalMs?: number;
}

/**
 * Serves the candles interval by interval from the earliest open time; a symbol without a candle at
 * some time gets `undefined` there (gaps stay gaps).
 */
export function createReplaySource(o: ReplayOptions): CandleSource {
  const symbols = Object.keys(o.candles);
  const lists = symbols.map((s) => o.candles[s] as readonly Kline1m[]);
  const first = lists.find((l) => l.length > 1);
  const intervalMs = o.intervalMs ?? (first ? (first[1] as Kline1m).openTime - (first[0] as Kline1m).openTime : 60_000);
  const idx = lists.map(() => 0);
  let t = Math.min(...lists.map((l) => l[0]?.openTime ?? Number.POSITIVE_INFINITY));
  return {
    symbols,
    intervalMs,
    get nextTime() {
      return t;
    },
    next() {
      if (lists.every((l, i) => (idx[i] as number) >= l.length)) return undefined;
      const out = lists.map((l, i) => {
        let j = idx[i] as number;
        while (j < l.length && (l[j] as Kline1m).openTime < t) j++;
        const k = l[j];
        if (k && k.openTime === t) {
          idx[i] = j + 1;
          return { ...k };
        }
        idx[i] = j;
        return undefined;
      });
      t += intervalMs;
      return out;
    },
  };
}
