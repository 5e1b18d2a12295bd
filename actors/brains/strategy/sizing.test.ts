import { describe, expect, it } from 'vitest';
import { ExitTemplateSchema } from '../../../protocols/index.js';
import { gate } from './decide.js';
import { exitTemplate, floorSig, sizeIntent, stopDistance, type SizingParams } from './sizing.js';

const P: SizingParams = {
  riskPerTrade: 0.005, stopPct: 0.012, stopAtr: 2, volatileStopAtr: 3, maxSymbolFraction: 0.25, maxTotalFraction: 1.5, minNotional: 5,
  tpFractions: [0.3, 0.3, 0.4], trailActivatePct: 0.01,
};
const base = { equity: 10_000, price: 100, atr: 1, confidence: 0.8, regime: 'range' as const, symbolExposure: 0, totalExposure: 0 };

describe('sizing (hand-computed)', () => {
  it('stop distance is the wider of the floor and the regime ATR multiple', () => {
    expect(stopDistance(P, 100, 1, 'range')).toBeCloseTo(0.02); // 2 × 1 / 100
    expect(stopDistance(P, 100, 1, 'volatile')).toBeCloseTo(0.03); // 3 × 1 / 100
    expect(stopDistance(P, 100, 0.2, 'trend_up')).toBe(0.012); // 0.004 < floor
    expect(stopDistance(P, 100, undefined, 'range')).toBe(0.012);
  });

  it('notional = equity × risk / stop × confidence: scales with confidence, inversely with ATR', () => {
    // 10000 × 0.005 / 0.02 = 2500; × 0.8 = 2000 → 20 @ 100.
    expect(sizeIntent(P, base)).toMatchObject({ ok: true, qty: 20, notional: 2000, capped: 'none' });
    expect(sizeIntent(P, { ...base, confidence: 0.4 })).toMatchObject({ ok: true, qty: 10, notional: 1000 });
    // ATR doubled: stop 0.04 → 1250 × 0.8 = 1000.
    expect(sizeIntent(P, { ...base, atr: 2 })).toMatchObject({ ok: true, qty: 10, notional: 1000 });
    // Volatile: stop 0.03 → 1666.67 × 0.8 = 1333.33 → qty floored to 6 significant digits.
    expect(sizeIntent(P, { ...base, regime: 'volatile' })).toMatchObject({ ok: true, qty: 13.3333, notional: 1333.33 });
  });

  it('caps per symbol and in total, counting open + pending; skips below the minimum', () => {
    // No ATR: stop 0.012 → 3333.33 > symbol cap 2500.
    expect(sizeIntent(P, { ...base, atr: undefined })).toMatchObject({ ok: true, qty: 25, notional: 2500, capped: 'symbol' });
    expect(sizeIntent(P, { ...base, symbolExposure: 1500 })).toMatchObject({ ok: true, notional: 1000, capped: 'symbol' });
    expect(sizeIntent(P, { ...base, totalExposure: 14_900 })).toMatchObject({ ok: true, qty: 1, notional: 100, capped: 'total' });
    expect(sizeIntent(P, { ...base, symbolExposure: 2_498 })).toMatchObject({ ok: false, reason: 'SYMBOL_CAP' });
    expect(sizeIntent(P, { ...base, totalExposure: 15_000 })).toMatchObject({ ok: false, reason: 'TOTAL_CAP' });
    expect(sizeIntent(P, { ...base, equity: 10, confidence: 1 })).toMatchObject({ ok: false, reason: 'BELOW_MIN_NOTIONAL' });
    expect(sizeIntent(P, { ...base, equity: 0 })).toMatchObject({ ok: false, reason: 'NO_EQUITY' });
  });

  it('rounds down, never up', () => {
    expect(floorSig(123.456789, 6)).toBe(123.456);
    expect(floorSig(0.3, 6)).toBe(0.3);
    expect(floorSig(0.000123456789, 3)).toBe(0.000123);
    expect(floorSig(0)).toBe(0);
  });

  it('exit template: stop = the sizing distance, levels in R by regime, the spec\'s 30/30/40 shares and +1 % trailing by default, valid per the schema', () => {
    const t = exitTemplate('volatile', 0.03, P);
    expect(t.stopPct).toBe(0.03);
    expect(t.takeProfits.map((x) => x.pct)).toEqual([0.03, 0.06, 0.09]);
    expect(t.takeProfits.map((x) => x.fraction)).toEqual([0.3, 0.3, 0.4]);
    expect(t.trailing).toEqual({ activatePct: 0.01, callbackPct: 0.015 });
    expect(ExitTemplateSchema.parse(t)).toEqual(t);
    const trend = exitTemplate('trend_up', 0.02, { tpFractions: [0.5, 0.25, 0.25], trailActivatePct: 0.015 });
    expect(trend.takeProfits.map((x) => [x.pct, x.fraction])).toEqual([[0.03, 0.5], [0.05, 0.25], [0.08, 0.25]]);
    expect(trend.trailing.activatePct).toBe(0.015);
  });
});

describe('gate', () => {
  const g = { minConfidence: 0.6, againstTrend: 'skip' as const };
  it('HOLD, low confidence and against-trend are skipped with a reason', () => {
    expect(gate({ side: 'HOLD', confidence: 0.9 }, undefined, undefined, g)).toMatchObject({ take: false, reason: 'HOLD' });
    expect(gate({ side: 'BUY', confidence: 0.59 }, undefined, undefined, g)).toMatchObject({ take: false, reason: 'LOW_CONFIDENCE' });
    expect(gate({ side: 'BUY', confidence: 0.9 }, 'trend_down', 'trend_up', g)).toMatchObject({ take: false, reason: 'AGAINST_REGIME', regimeSource: 'symbol' });
    // Unknown symbol regime: the market's decides.
    expect(gate({ side: 'SELL', confidence: 0.9 }, 'unknown', 'trend_up', g)).toMatchObject({ take: false, reason: 'AGAINST_REGIME', regimeSource: 'market' });
    expect(gate({ side: 'SELL', confidence: 0.9 }, 'range', 'trend_up', g)).toMatchObject({ take: true, regime: 'range' });
    expect(gate({ side: 'BUY', confidence: 0.9 }, 'trend_down', undefined, { ...g, againstTrend: 'allow' })).toMatchObject({ take: true });
  });
});
