import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FIXTURE_BTC_1M, parseKlineCsv } from '../data/index.js';
import { WARMUP } from '../features/index.js';
import { buildDataset, computeMetrics, evaluateWalkForward, labelOf, momentumBaseline, priorBaseline, walkForward, formatReport } from './index.js';

const candles = parseKlineCsv(readFileSync(FIXTURE_BTC_1M, 'utf8'), { symbol: 'BTCUSDT', interval: '1m' });
const ds = buildDataset([candles], { horizon: 12, deadZoneK: 0.35 });

describe('labels and dataset', () => {
  it('labels by sign with a dead zone', () => {
    expect(labelOf(0.002, 0.001)).toBe(2);
    expect(labelOf(-0.002, 0.001)).toBe(0);
    expect(labelOf(0.0005, 0.001)).toBe(1);
  });

  it('has one row per ready candle with a realised label, and no look-ahead in the features', () => {
    expect(ds.n).toBe(candles.length - (WARMUP - 1) - 12);
    const shares = [0, 1, 2].map((k) => ds.y.filter((v) => v === k).length / ds.n);
    expect(Math.min(...shares)).toBeGreaterThan(0.15);
    // Features of row i must not change when the future is cut off right after it.
    const cut = buildDataset([candles.slice(0, 3000 + 12 + 1)], ds.label);
    const i = cut.n - 1;
    expect(Array.from(cut.X.subarray(i * 13, i * 13 + 13))).toEqual(Array.from(ds.X.subarray(i * 13, i * 13 + 13)));
  });
});

describe('purged walk-forward', () => {
  it('keeps train strictly before test by at least H + WARMUP candles', () => {
    const folds = walkForward(ds, { folds: 4 });
    expect(folds).toHaveLength(4);
    for (const f of folds) {
      const lastTrain = Math.max(...Array.from(f.train, (i) => ds.time[i]!));
      const firstTest = Math.min(...Array.from(f.test, (i) => ds.time[i]!));
      expect(firstTest - lastTrain).toBeGreaterThanOrEqual((12 + WARMUP) * 60_000);
      // The label of the last train row is realised before the first test candle opens.
      expect(lastTrain + 12 * 60_000).toBeLessThan(firstTest);
    }
    expect(folds[1]!.train.length).toBeGreaterThan(folds[0]!.train.length);
  });
});

describe('metrics and baselines', () => {
  it('scores perfect and uninformative forecasts as expected', () => {
    const y = [0, 1, 2, 2];
    const fwd = [-0.01, 0, 0.01, 0.02];
    const perfect = computeMetrics(y.flatMap((k) => [0, 1, 2].map((j) => (j === k ? 1 : 0))), y, fwd);
    expect(perfect.brier).toBe(0);
    expect(perfect.accuracy).toBe(1);
    expect(perfect.directionalAccuracy).toBe(1);
    const flat = computeMetrics(y.flatMap(() => [1 / 3, 1 / 3, 1 / 3]), y, fwd);
    expect(flat.logLoss).toBeCloseTo(Math.log(3), 6);
  });

  it('implements the legacy momentum rule from DOMAIN.md', () => {
    const p = momentumBaseline([2, -30, 0.5, Number.NaN]);
    expect(Array.from(p.subarray(0, 3)).map((v) => +v.toFixed(4))).toEqual([0.23, 0.23, 0.54]);
    expect(p[3]).toBeCloseTo(0.95, 9);
    expect(p[7]).toBeCloseTo(0.51, 9);
    expect(p[10]).toBe(0.5);
    expect(Array.from(priorBaseline([0, 0, 2], 1))).toEqual([3 / 6, 1 / 6, 2 / 6]);
  });

  it('says plainly when a model does not beat the baselines, and credits an oracle', async () => {
    const prior = await evaluateWalkForward(ds, (train, test) => priorBaseline(Array.from(train, (i) => ds.y[i]!), test.length), { folds: 3 });
    expect(prior.verdict.beatsBaselines).toBe(false);
    expect(formatReport('prior', prior)).toMatch(/does NOT beat the baselines/);
    const oracle = await evaluateWalkForward(ds, (_train, test) => Array.from(test).flatMap((i) => [0, 1, 2].map((k) => (k === ds.y[i] ? 0.9 : 0.05))), { folds: 3 });
    expect(oracle.verdict.beatsBaselines).toBe(true);
    expect(oracle.pooled.model.calibration.some((b) => b.n > 0)).toBe(true);
  });
});
