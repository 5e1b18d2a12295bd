/**
 * Turns one candle into trade prints: open → first extreme → second extreme → close, with bridge noise
 * between anchors. Which extreme comes first, where the extremes sit and how volume splits are drawn
 * from the given RNG, so a (seed, candle) pair always yields the same prints. The prints hit open, high,
 * low and close exactly, so limit orders see the same extremes the candle recorded.
 */
import { snap, snapDown, roundTo } from '../engine/num.js';
import type { Kline1m } from '../engine/types.js';
import type { Rng } from './prng.js';

/** One trade print inside a candle. */
export interface Print {
  /** Milliseconds after the candle's open. */
  offset: number;
  price: number;
  qty: number;
  isBuyerMaker: boolean;
}

/** Grid of the symbol. */
export interface Grid {
  tickSize: number;
  stepSize: number;
}

/**
 * Prints of one candle.
 * @param points number of prints (≥ 4 so all four anchors fit).
 * @param durationMs candle length.
 */
export function candlePath(k: Kline1m, points: number, durationMs: number, g: Grid, rng: Rng): Print[] {
  const n = Math.max(4, points);
  // Bullish candles more often dip first, bearish ones more often spike first.
  const lowFirst = rng.next() < (k.close >= k.open ? 0.65 : 0.35);
  const a = 1 + rng.int(n - 3);
  const b = a + 1 + rng.int(n - 2 - a);
  const anchors: Array<[number, number]> = [
    [0, k.open],
    [a, lowFirst ? k.low : k.high],
    [b, lowFirst ? k.high : k.low],
    [n - 1, k.close],
  ];
  const prices = new Array<number>(n);
  const noise = (k.high - k.low) * 0.15;
  for (let s = 0; s < 3; s++) {
    const [i0, p0] = anchors[s] as [number, number];
    const [i1, p1] = anchors[s + 1] as [number, number];
    prices[i0] = p0;
    for (let i = i0 + 1; i < i1; i++) {
      const f = (i - i0) / (i1 - i0);
      // Brownian-bridge-like: noise vanishes at both anchors.
      const x = p0 + (p1 - p0) * f + noise * Math.sqrt(f * (1 - f)) * rng.normal();
      prices[i] = Math.min(k.high, Math.max(k.low, x));
    }
    prices[i1] = p1;
  }
  // Exponential weights give a Dirichlet split of the volume.
  const w = new Array<number>(n);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    w[i] = -Math.log(1 - rng.next()) + 0.05;
    sum += w[i] as number;
  }
  const out: Print[] = [];
  let prev = k.open;
  let left = k.volume;
  for (let i = 0; i < n; i++) {
    const price = snap(prices[i] as number, g.tickSize);
    let qty = i === n - 1 ? left : snapDown((k.volume * (w[i] as number)) / sum, g.stepSize);
    qty = Math.max(g.stepSize, snapDown(Math.max(0, qty), g.stepSize));
    left = roundTo(left - qty, 12);
    const isBuyerMaker = price < prev ? true : price > prev ? false : rng.next() < 0.5;
    out.push({ offset: Math.floor((i * durationMs) / n), price, qty, isBuyerMaker });
    prev = price;
  }
  return out;
}
