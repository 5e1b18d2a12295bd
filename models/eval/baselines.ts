import { createRng } from './rng.js';

/** The baselines every model is compared with. */
export const BASELINES = ['prior', 'buyHold', 'momentum', 'random'] as const;
export type BaselineName = (typeof BASELINES)[number];

/**
 * Rule baselines emit a side and a confidence; as a distribution the side gets the
 * confidence and the two other classes split the rest, which is how a rule's "confidence"
 * would be read downstream.
 */
function sideProbs(out: Float64Array, i: number, side: 0 | 1 | 2, conf: number): void {
  const rest = (1 - conf) / 2;
  out[i * 3] = rest;
  out[i * 3 + 1] = rest;
  out[i * 3 + 2] = rest;
  out[i * 3 + side] = conf;
}

/** Class frequencies of the training labels, predicted for every row: the bar for log-loss and Brier. */
export function priorBaseline(trainY: ArrayLike<number>, n: number): Float64Array {
  const f = [1, 1, 1];
  for (let i = 0; i < trainY.length; i++) f[trainY[i] as number]! += 1;
  const t = f[0]! + f[1]! + f[2]!;
  const out = new Float64Array(n * 3);
  for (let i = 0; i < n; i++) for (let k = 0; k < 3; k++) out[i * 3 + k] = f[k]! / t;
  return out;
}

/** Always BUY (confidence 0.5): what holding the asset would have said. */
export function buyHoldBaseline(n: number): Float64Array {
  const out = new Float64Array(n * 3);
  for (let i = 0; i < n; i++) sideProbs(out, i, 2, 0.5);
  return out;
}

/**
 * The legacy fallback rule (DOMAIN.md): BUY if the 24h-equivalent change is above +1%, SELL
 * below −1%, else HOLD; confidence 0.50 + |change%| × 0.02, capped at 0.95. Rows without 24h
 * of history are HOLD at 0.5.
 */
export function momentumBaseline(change24hPct: ArrayLike<number>): Float64Array {
  const n = change24hPct.length;
  const out = new Float64Array(n * 3);
  for (let i = 0; i < n; i++) {
    const ch = change24hPct[i] as number;
    if (!Number.isFinite(ch)) {
      sideProbs(out, i, 1, 0.5);
      continue;
    }
    const side = ch > 1 ? 2 : ch < -1 ? 0 : 1;
    sideProbs(out, i, side, Math.min(0.95, 0.5 + Math.abs(ch) * 0.02));
  }
  return out;
}

/** Uniformly random side at confidence 0.5 from a seeded generator. */
export function randomBaseline(n: number, seed: number): Float64Array {
  const rng = createRng(seed);
  const out = new Float64Array(n * 3);
  for (let i = 0; i < n; i++) sideProbs(out, i, rng.int(3) as 0 | 1 | 2, 0.5);
  return out;
}
