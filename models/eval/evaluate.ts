import { BASELINES, buyHoldBaseline, momentumBaseline, priorBaseline, randomBaseline, type BaselineName } from './baselines.js';
import type { Dataset } from './dataset.js';
import { computeMetrics, meanMetrics, type MeanMetrics, type Metrics } from './metrics.js';
import { walkForward, type WalkForwardOptions } from './splits.js';

/** Round-trip taker cost used to flag gross edges that fees would eat (bps). */
export const ROUND_TRIP_COST_BPS = 8;

/** Trains on `train` rows and returns test-row probabilities (test.length × 3, row-major). */
export type FitPredict = (train: Uint32Array, test: Uint32Array, fold: number) => Promise<ArrayLike<number>> | ArrayLike<number>;

/** One fold's out-of-sample result, model and baselines on the same rows. */
export interface FoldResult {
  fold: number;
  trainRows: number;
  testRows: number;
  testFrom: number;
  testTo: number;
  trainTo: number;
  model: Metrics;
  baselines: Record<BaselineName, Metrics>;
}

/** One comparison of the verdict. */
export interface Check {
  name: string;
  model: number | null;
  baseline: number | null;
  against: string;
  passed: boolean;
}

/** Plain answer to "does this model beat the baselines out of sample?". */
export interface Verdict {
  beatsBaselines: boolean;
  checks: Check[];
  warnings: string[];
  summary: string;
}

/** Walk-forward evaluation: per fold, fold means, pooled out-of-sample, and the verdict. */
export interface Evaluation {
  folds: FoldResult[];
  mean: { model: MeanMetrics; baselines: Record<BaselineName, MeanMetrics> };
  pooled: { model: Metrics; baselines: Record<BaselineName, Metrics> };
  verdict: Verdict;
}

function pick(a: ArrayLike<number>, idx: Uint32Array): Float64Array {
  const out = new Float64Array(idx.length);
  idx.forEach((i, r) => (out[r] = a[i] as number));
  return out;
}

/** Run `fitPredict` over purged walk-forward folds of `ds` and score it against the baselines. */
export async function evaluateWalkForward(ds: Dataset, fitPredict: FitPredict, opts: WalkForwardOptions & { seed?: number } = {}): Promise<Evaluation> {
  const folds = walkForward(ds, opts);
  const results: FoldResult[] = [];
  const pooled = { probs: [] as number[], y: [] as number[], fwd: [] as number[], base: Object.fromEntries(BASELINES.map((b) => [b, [] as number[]])) as Record<BaselineName, number[]> };
  for (const f of folds) {
    const probs = await fitPredict(f.train, f.test, f.fold);
    if (probs.length !== f.test.length * 3) throw new Error(`fold ${f.fold}: got ${probs.length} probabilities for ${f.test.length} rows`);
    const y = pick(ds.y, f.test);
    const fwd = pick(ds.fwd, f.test);
    const base: Record<BaselineName, Float64Array> = {
      prior: priorBaseline(pick(ds.y, f.train), f.test.length),
      buyHold: buyHoldBaseline(f.test.length),
      momentum: momentumBaseline(pick(ds.change24h, f.test)),
      random: randomBaseline(f.test.length, (opts.seed ?? 1) * 7919 + f.fold),
    };
    results.push({
      fold: f.fold, trainRows: f.train.length, testRows: f.test.length, testFrom: f.testFrom, testTo: f.testTo, trainTo: f.trainTo,
      model: computeMetrics(probs, y, fwd),
      baselines: Object.fromEntries(BASELINES.map((b) => [b, computeMetrics(base[b], y, fwd)])) as Record<BaselineName, Metrics>,
    });
    for (let i = 0; i < probs.length; i++) pooled.probs.push(probs[i] as number);
    y.forEach((v) => pooled.y.push(v));
    fwd.forEach((v) => pooled.fwd.push(v));
    for (const b of BASELINES) base[b].forEach((v) => pooled.base[b].push(v));
  }
  const pooledModel = computeMetrics(pooled.probs, pooled.y, pooled.fwd);
  const pooledBase = Object.fromEntries(BASELINES.map((b) => [b, computeMetrics(pooled.base[b], pooled.y, pooled.fwd)])) as Record<BaselineName, Metrics>;
  return {
    folds: results,
    mean: {
      model: meanMetrics(results.map((r) => r.model)),
      baselines: Object.fromEntries(BASELINES.map((b) => [b, meanMetrics(results.map((r) => r.baselines[b]))])) as Record<BaselineName, MeanMetrics>,
    },
    pooled: { model: pooledModel, baselines: pooledBase },
    verdict: verdict(pooledModel, pooledBase),
  };
}

/**
 * The model must beat the class prior on log-loss and Brier (it knows more than the base
 * rates) and every rule baseline on directional accuracy and mean signed return (its calls
 * are worth more than the rules'), all on pooled out-of-sample rows.
 */
export function verdict(m: Metrics, b: Record<BaselineName, Metrics>): Verdict {
  const checks: Check[] = [
    { name: 'logLoss', model: m.logLoss, baseline: b.prior.logLoss, against: 'prior', passed: m.logLoss < b.prior.logLoss },
    { name: 'brier', model: m.brier, baseline: b.prior.brier, against: 'prior', passed: m.brier < b.prior.brier },
  ];
  for (const r of ['buyHold', 'momentum', 'random'] as const) {
    const md = m.directionalAccuracy;
    const bd = b[r].directionalAccuracy;
    checks.push({ name: 'directionalAccuracy', model: md, baseline: bd, against: r, passed: md !== null && (bd === null || md > bd) });
    checks.push({ name: 'meanSignedReturnBps', model: m.meanSignedReturnBps, baseline: b[r].meanSignedReturnBps, against: r, passed: m.meanSignedReturnBps > b[r].meanSignedReturnBps });
  }
  const warnings: string[] = [];
  const maxShare = Math.max(...m.predictedShare);
  if (maxShare > 0.7) warnings.push(`biased: ${(maxShare * 100).toFixed(0)}% of predictions are one class (${['SELL', 'HOLD', 'BUY'][m.predictedShare.indexOf(maxShare)]})`);
  if (m.coverage < 0.05) warnings.push(`almost never calls a side: coverage ${(m.coverage * 100).toFixed(1)}%`);
  // Metrics are gross of costs; a taker round trip on Binance USD-M is ~8–10 bps.
  const perCall = m.coverage > 0 ? m.meanSignedReturnBps / m.coverage : 0;
  if (perCall < ROUND_TRIP_COST_BPS) warnings.push(`edge per BUY/SELL call is ${perCall.toFixed(2)} bps gross, below a ~${ROUND_TRIP_COST_BPS} bps taker round trip: not tradable on its own`);
  const failed = checks.filter((c) => !c.passed);
  const beatsBaselines = failed.length === 0;
  const summary = beatsBaselines
    ? 'beats every baseline out of sample (log-loss and Brier vs the class prior; directional accuracy and signed return vs buy-and-hold, momentum and random)'
    : `does NOT beat the baselines out of sample: fails ${failed.map((c) => `${c.name} vs ${c.against}`).join(', ')}`;
  return { beatsBaselines, checks, warnings, summary };
}
