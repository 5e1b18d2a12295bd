import type { Probs } from './ensemble.js';

/** Running out-of-sample quality of one predictor (a member, the ensemble, or a shadow model). */
export interface Score {
  /** Realised outcomes seen live (the prior from the manifest does not count). */
  n: number;
  /** Exponentially weighted mean log-loss and multi-class Brier. */
  logLoss: number;
  brier: number;
}

const EPS = 1e-7;

/** Log-loss and Brier of one forecast against the realised class (0 SELL, 1 HOLD, 2 BUY). */
export function lossOf(p: Probs, label: 0 | 1 | 2): { logLoss: number; brier: number } {
  let brier = 0;
  for (let k = 0; k < 3; k++) brier += (p[k]! - (k === label ? 1 : 0)) ** 2;
  return { logLoss: -Math.log(Math.min(1, Math.max(EPS, p[label]!))), brier };
}

/** A score seeded from the manifest's pooled walk-forward metrics. */
export function priorScore(m: { logLoss: number; brier: number }): Score {
  return { n: 0, logLoss: m.logLoss, brier: m.brier };
}

/**
 * Folds one realised outcome into a score: an exponentially weighted mean with half-life
 * `halfLife` outcomes, so recent performance dominates while the manifest's walk-forward
 * numbers anchor the start.
 */
export function updateScore(s: Score, p: Probs, label: 0 | 1 | 2, halfLife: number): Score {
  const a = 1 - 2 ** (-1 / Math.max(1, halfLife));
  const l = lossOf(p, label);
  return { n: s.n + 1, logLoss: s.logLoss + a * (l.logLoss - s.logLoss), brier: s.brier + a * (l.brier - s.brier) };
}

/**
 * Ensemble weights from scores: w ∝ exp(−eta · (logLoss − best logLoss)), normalised to sum 1.
 * Log-loss differences between decent models are small (0.004 here), so eta is large: at the
 * default 50 a member 0.014 worse than the best gets half its weight.
 */
export function weightsOf(scores: Readonly<Record<string, Score>>, ids: readonly string[], eta: number): Record<string, number> {
  const out: Record<string, number> = {};
  if (ids.length === 0) return out;
  const best = Math.min(...ids.map((id) => scores[id]?.logLoss ?? Number.POSITIVE_INFINITY));
  let total = 0;
  for (const id of ids) {
    const l = scores[id]?.logLoss;
    const w = l === undefined || !Number.isFinite(best) ? 1 : Math.exp(-eta * (l - best));
    out[id] = w;
    total += w;
  }
  for (const id of ids) out[id] = total > 0 ? out[id]! / total : 1 / ids.length;
  return out;
}
