/**
 * The simulated symbol universe: the five majors with Binance's real tick/step sizes, then synthetic
 * SYM5USDT, SYM6USDT, … with seeded prices and grids so a 500-symbol run looks like a real futures list.
 */
import type { SimEngineOptions } from '../engine/types.js';
import { rngFor } from './prng.js';

/** Static description of one simulated symbol. */
export interface SymbolProfile {
  symbol: string;
  basePrice: number;
  tickSize: number;
  stepSize: number;
  /** Daily volatility (stdev of log returns per day). */
  dailyVol: number;
  /** Mean traded base quantity per minute. */
  volumePerMin: number;
  /** Loading on the common market factor (correlation to it for unit idiosyncratic vol). */
  beta: number;
}

const MAJORS: SymbolProfile[] = [
  { symbol: 'BTCUSDT', basePrice: 30_000, tickSize: 0.1, stepSize: 0.001, dailyVol: 0.025, volumePerMin: 150, beta: 1 },
  { symbol: 'ETHUSDT', basePrice: 1_900, tickSize: 0.01, stepSize: 0.001, dailyVol: 0.03, volumePerMin: 1_200, beta: 0.9 },
  { symbol: 'SOLUSDT', basePrice: 25, tickSize: 0.001, stepSize: 1, dailyVol: 0.045, volumePerMin: 15_000, beta: 0.8 },
  { symbol: 'XRPUSDT', basePrice: 0.5, tickSize: 0.0001, stepSize: 0.1, dailyVol: 0.04, volumePerMin: 400_000, beta: 0.7 },
  { symbol: 'BNBUSDT', basePrice: 240, tickSize: 0.01, stepSize: 0.01, dailyVol: 0.025, volumePerMin: 800, beta: 0.75 },
];

/** Profile of a known major by name, if any. */
export const majorProfile = (symbol: string): SymbolProfile | undefined => MAJORS.find((m) => m.symbol === symbol);

/**
 * `n` symbols: majors first, then synthetic ones. Synthetic prices are log-uniform in [0.01, 500] with a
 * tick of about 1/10 000 of the price and a step worth about 1–10 USDT of notional, like Binance's alts.
 */
export function universe(n: number, seed = 1): SymbolProfile[] {
  const out = MAJORS.slice(0, Math.min(n, MAJORS.length)).map((m) => ({ ...m }));
  for (let i = MAJORS.length; i < n; i++) {
    const r = rngFor(seed, 'universe', i);
    const basePrice = Number((10 ** (-2 + r.next() * Math.log10(50_000))).toPrecision(5));
    const tickExp = Math.floor(Math.log10(basePrice)) - 4;
    const stepExp = Math.min(3, Math.max(-3, -Math.floor(Math.log10(basePrice))));
    const tickSize = Number((10 ** tickExp).toFixed(Math.max(0, -tickExp)));
    const stepSize = Number((10 ** stepExp).toFixed(Math.max(0, -stepExp)));
    out.push({
      symbol: `SYM${i}USDT`,
      basePrice: Number((Math.round(basePrice / tickSize) * tickSize).toFixed(Math.max(0, -tickExp))),
      tickSize,
      stepSize,
      dailyVol: 0.03 + r.next() * 0.05,
      volumePerMin: (20_000 + r.next() * 200_000) / basePrice,
      beta: 0.4 + r.next() * 0.5,
    });
  }
  return out;
}

/** Engine symbol specs for profiles (tick/step; the engine derives the rest). */
export function engineSymbols(profiles: readonly SymbolProfile[]): SimEngineOptions['symbols'] {
  return profiles.map((p) => ({ symbol: p.symbol, tickSize: p.tickSize, stepSize: p.stepSize }));
}
