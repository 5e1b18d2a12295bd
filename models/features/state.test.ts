import { readFileSync } from 'node:fs';
import { ATR, BollingerBands, EMA, MACD, RSI } from 'trading-signals';
import { describe, expect, it } from 'vitest';
import { FIXTURE_BTC_1M, parseKlineCsv } from '../data/index.js';
import { FEATURE_NAMES, FEATURE_SPEC, WARMUP, computeFeatureMatrix, createFeatureState, update, type FeatureState } from './index.js';

const candles = parseKlineCsv(readFileSync(FIXTURE_BTC_1M, 'utf8'), { symbol: 'BTCUSDT', interval: '1m' }).slice(0, 1000);

describe('feature state', () => {
  it('restored from JSON mid-stream continues bit-identically to an uninterrupted twin', () => {
    const twin = createFeatureState();
    const a = createFeatureState();
    const twinOut = candles.map((c) => update(twin, c));
    for (const c of candles.slice(0, 500)) update(a, c);
    const restored = JSON.parse(JSON.stringify(a)) as FeatureState;
    for (let i = 500; i < 1000; i++) {
      const r = update(restored, candles[i]!);
      const t = twinOut[i]!;
      expect(r.ready).toBe(t.ready);
      expect(Array.from(r.vector)).toEqual(Array.from(t.vector));
      expect(Array.from(r.window)).toEqual(Array.from(t.window));
      expect(r.atr).toBe(t.atr);
    }
    expect(JSON.stringify(restored)).toBe(JSON.stringify(twin));
  });

  it('restores during warm-up too (every cut point in the first 70 candles)', () => {
    const series = candles.slice(0, 120);
    const ref = computeFeatureMatrix(series);
    for (let cut = 1; cut < 70; cut += 3) {
      const s = createFeatureState();
      for (const c of series.slice(0, cut)) update(s, c);
      const r = structuredClone(s);
      for (let i = cut; i < series.length; i++) {
        const out = update(r, series[i]!);
        expect(Array.from(out.vector)).toEqual(Array.from(ref.features.subarray(i * FEATURE_SPEC.size, (i + 1) * FEATURE_SPEC.size)));
      }
    }
  });

  it('uses the same math as the trading-signals indicator classes', () => {
    const rsi = new RSI(14);
    const atr = new ATR(14);
    const macd = new MACD(new EMA(12), new EMA(26), new EMA(9));
    const bb = new BollingerBands(20, 2);
    const s = createFeatureState();
    const idx = (n: string): number => FEATURE_NAMES.indexOf(n as (typeof FEATURE_NAMES)[number]);
    for (const c of candles.slice(0, 300)) {
      const r = update(s, c);
      const vr = rsi.add(c.close);
      const va = atr.add(c);
      const vm = macd.add(c.close);
      const vb = bb.add(c.close);
      if (!r.ready) continue;
      expect(r.atr).toBe(va);
      expect(r.vector[idx('rsi_14')]).toBe(Math.fround((vr! - 50) / 50));
      expect(r.vector[idx('macd_hist_norm')]).toBe(Math.fround(vm!.histogram / c.close));
      expect(r.vector[idx('bb_width')]).toBe(Math.fround((vb!.upper - vb!.lower) / vb!.middle));
    }
  });

  it('is ready after WARMUP candles, bounded in size, finite, and refuses out-of-order candles', () => {
    const s = createFeatureState();
    const outs = candles.map((c) => update(s, c));
    expect(outs.findIndex((o) => o.ready)).toBe(WARMUP - 1);
    expect(outs.slice(WARMUP).every((o) => o.vector.every(Number.isFinite) && o.window.every(Number.isFinite))).toBe(true);
    expect(JSON.stringify(s).length).toBeLessThan(4000);
    expect(() => update(s, candles[10]!)).toThrow(/not after/);
  });

  it('uses mark/funding only when given', () => {
    const s = createFeatureState();
    for (const c of candles.slice(0, 100)) update(s, c);
    const c = candles[100]!;
    const r = update(s, c, { markPrice: c.close * 1.0005, fundingRate: 0.0001 });
    expect(r.vector[FEATURE_NAMES.indexOf('funding_bps')]).toBeCloseTo(1, 5);
    expect(r.vector[FEATURE_NAMES.indexOf('mark_premium_bps')]).toBeCloseTo(5, 2);
  });

  it('refuses a state from another spec', () => {
    const s = { ...createFeatureState(), spec: 'other' };
    expect(() => update(s, candles[0]!)).toThrow(/spec/);
  });

  it('has a stable spec identity', () => {
    expect(FEATURE_SPEC.size).toBe(FEATURE_NAMES.length);
    expect(FEATURE_SPEC.windowSize).toBe(64);
    expect(FEATURE_SPEC.hash).toMatch(/^[0-9a-f]{64}$/);
  });
});
