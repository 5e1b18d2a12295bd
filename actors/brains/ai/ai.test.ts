import { describe, expect, it } from 'vitest';
import { buildCalibrator, calibrate, combine, createCore, fallbackSignal, modelSignal, observe, setModels, weights, type MemberInfo, type Probs } from './index.js';

const member = (id: string, logLoss: number, family = id): MemberInfo => ({ id, family, version: id, pooled: { logLoss, brier: 0.66 } });
const row = (symbol: string, ts: number, close: number, features: number[] = new Array(13).fill(0)) => ({ venue: 'sim', symbol, interval: '1m', ts, close, atr: close * 0.001, ready: true, features });

describe('ensemble', () => {
  it('weighted soft vote: weights shift the combined probabilities; ties go to HOLD', () => {
    const a: Probs = [0.6, 0.3, 0.1];
    const b: Probs = [0.1, 0.3, 0.6];
    expect(combine([{ model: 'a', family: 'x', version: '1', probs: a, weight: 0.8 }, { model: 'b', family: 'y', version: '1', probs: b, weight: 0.2 }]).side).toBe('SELL');
    expect(combine([{ model: 'a', family: 'x', version: '1', probs: a, weight: 0.2 }, { model: 'b', family: 'y', version: '1', probs: b, weight: 0.8 }]).side).toBe('BUY');
    expect(combine([{ model: 'a', family: 'x', version: '1', probs: [0.4, 0.4, 0.2], weight: 1 }]).side).toBe('HOLD');
  });

  it('calibration is monotone and maps an over-confident 0.8 down to the observed hit rate', () => {
    const cal = buildCalibrator([
      { lo: 0.33, hi: 0.4, n: 1000, confidence: 0.37, accuracy: 0.36 },
      { lo: 0.4, hi: 0.5, n: 1000, confidence: 0.45, accuracy: 0.41 },
      { lo: 0.5, hi: 0.6, n: 500, confidence: 0.55, accuracy: 0.45 },
      { lo: 0.6, hi: 0.7, n: 200, confidence: 0.65, accuracy: 0.43 }, // a violation PAV pools away
      { lo: 0.7, hi: 0.9, n: 100, confidence: 0.8, accuracy: 0.48 },
      { lo: 0.9, hi: 1, n: 3, confidence: 0.95, accuracy: 1 }, // too few rows: ignored
    ]);
    for (let i = 1; i < cal.y.length; i++) expect(cal.y[i]!).toBeGreaterThanOrEqual(cal.y[i - 1]!);
    expect(calibrate(cal, 0.8)).toBeCloseTo(0.48, 5);
    expect(calibrate(cal, 0.99)).toBeLessThan(0.5);
    expect(calibrate(buildCalibrator(undefined), 0.7)).toBeCloseTo(0.7, 9);
  });
});

describe('decision core', () => {
  const opts = { eta: 50, halfLife: 50, label: { horizon: 2, deadZoneK: 0.35, intervalMs: 60_000 }, fallbackRule: 'momentum' as const };

  it('weights start from the manifests and follow realised out-of-sample performance', () => {
    const s = createCore(opts);
    setModels(s, [member('good', 1.09), member('bad', 1.10)], []);
    const w0 = weights(s);
    expect(w0['good']!).toBeGreaterThan(w0['bad']!);
    // "bad" keeps calling BUY with conviction, and the price keeps falling: it must lose weight.
    let close = 100;
    for (let t = 0; t < 60; t++) {
      const ts = t * 60_000 + 59_999;
      observe(s, row('BTCUSDT', ts, close));
      const sig = modelSignal(s, row('BTCUSDT', ts, close), { good: [0.5, 0.3, 0.2], bad: [0.05, 0.15, 0.8] });
      expect(sig.source).toBe('model');
      expect(sig.contributions.map((c) => c.model)).toEqual(['good', 'bad']);
      close *= 0.995;
    }
    const w1 = weights(s);
    expect(w1['bad']!).toBeLessThan(w0['bad']! / 2);
    expect(s.scores['bad']!.n).toBeGreaterThan(50);
  });

  it('fallback signals are labelled and follow the policy (halt publishes HOLD)', () => {
    const s = createCore(opts);
    for (let h = 0; h < 3; h++) observe(s, row('ETHUSDT', h * 3_600_000 + 3_599_999, 100 + h * 2));
    const r = row('ETHUSDT', 3 * 3_600_000 + 3_599_999, 106);
    const trade = fallbackSignal(s, r, 'trade', 'champion missing');
    expect(trade).toMatchObject({ source: 'fallback', attribution: 'fallback:momentum', side: 'BUY' });
    expect(trade.reason).toMatch(/^trade: champion missing/);
    expect(fallbackSignal(s, r, 'reduce-only', 'x').reason).toMatch(/exits only/);
    expect(fallbackSignal(s, r, 'halt', 'x')).toMatchObject({ side: 'HOLD', confidence: 0, attribution: 'fallback:momentum' });
  });
});
