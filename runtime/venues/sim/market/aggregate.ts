/** Kline intervals and aggregation of 1m candles into higher intervals. */
import type { Kline1m } from '../engine/types.js';

/** Binance kline intervals (no 1M: months are not a fixed length). */
export const INTERVAL_MS: Readonly<Record<string, number>> = {
  '1m': 60_000,
  '3m': 180_000,
  '5m': 300_000,
  '15m': 900_000,
  '30m': 1_800_000,
  '1h': 3_600_000,
  '2h': 7_200_000,
  '4h': 14_400_000,
  '6h': 21_600_000,
  '8h': 28_800_000,
  '12h': 43_200_000,
  '1d': 86_400_000,
  '3d': 259_200_000,
  '1w': 604_800_000,
};

/** Milliseconds of an interval name, or undefined when Binance would answer -1120. */
export function intervalMs(interval: string): number | undefined {
  return INTERVAL_MS[interval];
}

/** Start of the bucket containing `t`; weeks start on Monday like Binance's (epoch was a Thursday). */
export function bucketStart(t: number, ms: number): number {
  const offset = ms === 604_800_000 ? 345_600_000 : 0;
  return Math.floor((t - offset) / ms) * ms + offset;
}

/**
 * Folds ascending 1m candles into candles of `ms`. A trailing, incomplete bucket is kept (Binance returns
 * the current open candle too).
 */
export function aggregate(candles: readonly Kline1m[], ms: number): Kline1m[] {
  if (ms === 60_000) return candles.slice();
  const out: Kline1m[] = [];
  let cur: Kline1m | undefined;
  for (const c of candles) {
    const start = bucketStart(c.openTime, ms);
    if (!cur || cur.openTime !== start) {
      cur = { ...c, openTime: start };
      out.push(cur);
      continue;
    }
    cur.high = Math.max(cur.high, c.high);
    cur.low = Math.min(cur.low, c.low);
    cur.close = c.close;
    cur.volume += c.volume;
    cur.quoteVolume += c.quoteVolume;
    cur.trades += c.trades;
    cur.takerBuyVolume += c.takerBuyVolume;
  }
  return out;
}
