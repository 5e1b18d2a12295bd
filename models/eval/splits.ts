import { WARMUP } from '../features/index.js';
import type { Dataset } from './dataset.js';

/** One walk-forward fold: train strictly before test, with a purge gap in between. */
export interface Fold {
  fold: number;
  train: Uint32Array;
  test: Uint32Array;
  /** Open time of the first and last test row. */
  testFrom: number;
  testTo: number;
  /** Last train row time allowed: testFrom − gapMs. */
  trainTo: number;
  gapMs: number;
}

/** Walk-forward options. */
export interface WalkForwardOptions {
  /** Number of test folds; the data is cut into folds + 1 time blocks. @default 4 */
  folds?: number;
  /**
   * Extra purge in candles on top of the mandatory H + WARMUP. @default 0
   */
  extraGap?: number;
}

/**
 * Expanding-window walk-forward over time blocks. A train row is kept only if its open time is
 * at least (H + WARMUP) candles before the first test candle: its label (H ahead) is then
 * realised before the test starts, and no test feature window reaches back into a train
 * label. Rows of all symbols at one time fall in the same block.
 */
export function walkForward(ds: Dataset, opts: WalkForwardOptions = {}): Fold[] {
  const k = opts.folds ?? 4;
  const gapMs = (ds.label.horizon + WARMUP + (opts.extraGap ?? 0)) * ds.intervalMs;
  const t0 = ds.time[0] ?? 0;
  const t1 = ds.time[ds.n - 1] ?? 0;
  const span = t1 - t0 + 1;
  const folds: Fold[] = [];
  for (let f = 1; f <= k; f++) {
    const from = t0 + Math.floor((span * f) / (k + 1));
    const to = t0 + Math.floor((span * (f + 1)) / (k + 1));
    const trainTo = from - gapMs;
    const train: number[] = [];
    const test: number[] = [];
    for (let i = 0; i < ds.n; i++) {
      const t = ds.time[i] as number;
      if (t <= trainTo) train.push(i);
      else if (t >= from && (t < to || (f === k && t <= t1))) test.push(i);
    }
    if (train.length === 0 || test.length === 0) continue;
    folds.push({
      fold: f, train: Uint32Array.from(train), test: Uint32Array.from(test),
      testFrom: ds.time[test[0]!]!, testTo: ds.time[test[test.length - 1]!]!, trainTo, gapMs,
    });
  }
  if (folds.length === 0) throw new Error(`walkForward: not enough data for ${k} folds with a ${gapMs} ms purge gap`);
  return folds;
}
