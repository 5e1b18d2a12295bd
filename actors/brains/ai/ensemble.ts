import type { SignalSide } from '../../../protocols/index.js';

/** Probabilities of [SELL, HOLD, BUY]. */
export type Probs = [number, number, number];

/** One ensemble member's output for one row. */
export interface MemberOutput {
  model: string;
  family: string;
  version: string;
  probs: Probs;
  weight: number;
}

/** The weighted vote of the members for one row. */
export interface Combined {
  probs: Probs;
  side: SignalSide;
  /** Ensemble probability of `side` before calibration. */
  top: number;
}

const SIDE: readonly SignalSide[] = ['SELL', 'HOLD', 'BUY'];

/** Argmax over [SELL, HOLD, BUY]; ties go to HOLD, then to SELL (as models/eval's argmax3). */
export function argmaxSide(p: Probs): 0 | 1 | 2 {
  if (p[1] >= p[0] && p[1] >= p[2]) return 1;
  return p[2] > p[0] ? 2 : 0;
}

/** True when every probability is finite, in [0, 1], and they sum to about 1. */
export function validProbs(p: ArrayLike<number>): boolean {
  if (p.length !== 3) return false;
  let s = 0;
  for (let i = 0; i < 3; i++) {
    const v = p[i] as number;
    if (!Number.isFinite(v) || v < -1e-6 || v > 1 + 1e-6) return false;
    s += v;
  }
  return Math.abs(s - 1) < 1e-3;
}

/**
 * Weighted soft voting: the average of the members' probabilities, weighted by their current
 * weights (equal weights when every weight is 0). Averaging probabilities rather than counting
 * argmax votes keeps a confident member from being outvoted by two indifferent ones.
 */
export function combine(members: readonly MemberOutput[]): Combined {
  if (members.length === 0) return { probs: [0, 1, 0], side: 'HOLD', top: 1 };
  let total = 0;
  for (const m of members) total += Math.max(0, m.weight);
  const equal = total <= 0;
  const acc: Probs = [0, 0, 0];
  for (const m of members) {
    const w = equal ? 1 / members.length : Math.max(0, m.weight) / total;
    for (let k = 0; k < 3; k++) acc[k] = acc[k]! + w * m.probs[k]!;
  }
  const s = acc[0] + acc[1] + acc[2];
  const probs: Probs = s > 0 ? [acc[0] / s, acc[1] / s, acc[2] / s] : [0, 1, 0];
  const i = argmaxSide(probs);
  return { probs, side: SIDE[i]!, top: probs[i] };
}
