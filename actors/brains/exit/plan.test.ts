import { describe, expect, it } from 'vitest';
import { ExitTemplateSchema, type ExitPlan, type ExitTemplate } from '../../../protocols/index.js';
import { buildExitPlan, checkPlan, moveStop, roundTick, shrinkLegs, stepsDown, stepsExact, type PlanRules } from './index.js';

const DEFAULT = ExitTemplateSchema.parse({});
const RULES: PlanRules = { tickSize: 0.1, stepSize: 0.001, minQty: 0.001, minNotional: 5 };

/** Seeded PRNG (mulberry32) so a failing property replays exactly. */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** On the grid up to float error (which grows with the number of grid units). */
const onGrid = (x: number, size: number) => Math.abs(x / size - Math.round(x / size)) < 1e-6 * Math.max(1, x / size / 1e6);

function expectSafe(p: ExitPlan) {
  const long = p.side === 'LONG';
  expect(Number.isFinite(p.stop) && p.stop > 0).toBe(true);
  expect(long ? p.stop < p.entry : p.stop > p.entry).toBe(true);
  expect(onGrid(p.stop, p.tickSize)).toBe(true);
  let sum = 0;
  for (const tp of p.takeProfits) {
    expect(Number.isFinite(tp.price) && tp.price > 0 && tp.qty > 0).toBe(true);
    expect(long ? tp.price > p.entry : tp.price < p.entry).toBe(true);
    expect(onGrid(tp.price, p.tickSize)).toBe(true);
    expect(onGrid(tp.qty, p.stepSize)).toBe(true);
    sum += stepsExact(tp.qty, p.stepSize)!;
  }
  if (p.takeProfits.length) expect(sum).toBe(stepsExact(p.qty, p.stepSize));
  expect(checkPlan(p)).toBeNull();
}

describe('buildExitPlan', () => {
  it('applies the DOMAIN.md defaults to a long: SL 2%, TPs 1.95/3.25/5.20% at 30/30/40%, trail after +1%', () => {
    const r = buildExitPlan({ symbol: 'BTCUSDT', side: 'LONG', entry: 100, qty: 1, template: DEFAULT, rules: RULES });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.plan.stop).toBe(98);
    expect(r.plan.takeProfits).toEqual([
      { price: 102, qty: 0.3, fraction: 0.3 }, // 101.95 rounds up, away from the entry
      { price: 103.3, qty: 0.3, fraction: 0.3 },
      { price: 105.2, qty: 0.4, fraction: 0.4 },
    ]);
    expect(r.plan.trailing).toEqual({ activatePrice: 101, callbackPct: 0.008 });
    expect(r.plan.breakevenAfterTp1).toBe(true);
  });

  it('mirrors for a short and rounds every level away from the entry', () => {
    const r = buildExitPlan({ symbol: 'BTCUSDT', side: 'SHORT', entry: 100.05, qty: 0.7, template: DEFAULT, rules: RULES });
    if (!r.ok) throw new Error(r.reason);
    expect(r.plan.stop).toBe(102.1); // 102.051 rounds up
    expect(r.plan.takeProfits.map((t) => t.price)).toEqual([98, 96.7, 94.8]); // 98.09975 rounds down;
    expect(r.plan.takeProfits.map((t) => t.qty)).toEqual([0.21, 0.21, 0.28]);
    expectSafe(r.plan);
  });

  it('uses ATR distances when the template asks for them', () => {
    const template: ExitTemplate = { ...DEFAULT, stopAtr: 1.5, takeProfits: [{ atr: 1, fraction: 0.5 }, { atr: 3, fraction: 0.5 }] };
    const r = buildExitPlan({ symbol: 'X', side: 'LONG', entry: 200, qty: 2, atr: 2, template, rules: RULES });
    if (!r.ok) throw new Error(r.reason);
    expect(r.plan.stop).toBe(197);
    expect(r.plan.takeProfits).toEqual([{ price: 202, qty: 1, fraction: 0.5 }, { price: 206, qty: 1, fraction: 0.5 }]);
  });

  it('rounds leg quantities down to step with the remainder in the last leg', () => {
    const r = buildExitPlan({ symbol: 'X', side: 'LONG', entry: 100, qty: 0.107, template: DEFAULT, rules: { ...RULES, minNotional: 0 } });
    if (!r.ok) throw new Error(r.reason);
    expect(r.plan.takeProfits.map((t) => t.qty)).toEqual([0.032, 0.032, 0.043]);
    expectSafe(r.plan);
  });

  it('merges legs below minNotional / minQty into the next one', () => {
    // tp1 0.03 × 102 = 3.06 USDT < 5 merges into tp2 (0.06 → 6.2 USDT); tp3 0.04 × 105.2 < 5 folds back into it.
    const r = buildExitPlan({ symbol: 'X', side: 'LONG', entry: 100, qty: 0.1, template: DEFAULT, rules: RULES });
    if (!r.ok) throw new Error(r.reason);
    expect(r.plan.takeProfits.map((t) => [t.price, t.qty])).toEqual([[103.3, 0.1]]);
    const mid = buildExitPlan({ symbol: 'X', side: 'LONG', entry: 100, qty: 0.2, template: DEFAULT, rules: { ...RULES, minNotional: 7 } });
    if (!mid.ok) throw new Error(mid.reason);
    expect(mid.plan.takeProfits.map((t) => [t.price, t.qty])).toEqual([[103.3, 0.12], [105.2, 0.08]]);
    expectSafe(r.plan);
    const big = buildExitPlan({ symbol: 'X', side: 'LONG', entry: 100, qty: 3, template: DEFAULT, rules: { ...RULES, minQty: 1 } });
    if (!big.ok) throw new Error(big.reason);
    expect(big.plan.takeProfits.map((t) => t.qty)).toEqual([1.8, 1.2]); // 0.9 < minQty merged into tp2
    const tiny = buildExitPlan({ symbol: 'X', side: 'LONG', entry: 100, qty: 0.04, template: DEFAULT, rules: RULES });
    if (!tiny.ok) throw new Error(tiny.reason);
    expect(tiny.plan.takeProfits).toEqual([]); // too small for any leg: the stop still covers it
    expect(tiny.plan.stop).toBe(98);
  });

  it('the -4006 story: bad entries and bad ATRs are refused with a reason, never turned into levels', () => {
    const base = { symbol: 'X', side: 'LONG' as const, qty: 1, template: DEFAULT, rules: RULES };
    for (const entry of [0, -5, Number.NaN, Number.POSITIVE_INFINITY]) {
      const r = buildExitPlan({ ...base, entry });
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.reason).toMatch(/entry price/);
    }
    const atrTpl = { ...DEFAULT, stopAtr: 2 };
    for (const atr of [Number.NaN, -1, 0, Number.POSITIVE_INFINITY]) {
      const r = buildExitPlan({ ...base, entry: 100, atr, template: atrTpl });
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.reason).toMatch(/ATR/);
    }
    // A huge ATR puts a long's stop below zero: that is exactly what the venue answered -4006 to.
    const neg = buildExitPlan({ ...base, entry: 100, atr: 80, template: atrTpl });
    expect(neg).toMatchObject({ ok: false, reason: expect.stringMatching(/stop .* ≤ 0.*-4006/) });
    // A short's far target below zero is refused too.
    const shortTp = buildExitPlan({ ...base, side: 'SHORT', entry: 100, template: { ...DEFAULT, takeProfits: [{ pct: 1.5, fraction: 1 }] } });
    expect(shortTp).toMatchObject({ ok: false, reason: expect.stringMatching(/tp1 price .* ≤ 0/) });
    expect(buildExitPlan({ ...base, entry: 100, qty: 0 }).ok).toBe(false);
    expect(buildExitPlan({ ...base, entry: 100, rules: { ...RULES, tickSize: 0 } }).ok).toBe(false);
    expect(buildExitPlan({ ...base, entry: 100, qty: 0.0005 }).ok).toBe(false); // off the step grid
    expect(buildExitPlan({ ...base, entry: 100, template: { ...DEFAULT, stopPct: -0.02 } })).toMatchObject({ ok: false, reason: expect.stringMatching(/template/) });
  });

  it('a level already on the grid stays there at any number of grid units (float noise is relative)', () => {
    expect(roundTick(1_680_000.4, 0.1, 'down')).toBe(1_680_000.4);
    expect(roundTick(1_680.0086, 0.0001, 'up')).toBe(1_680.0086);
    expect(roundTick(1_680_000.41, 0.1, 'up')).toBe(1_680_000.5);
    expect(stepsDown(16_800.009, 0.001)).toBe(16_800_009);
    expect(stepsDown(16_800.0089, 0.001)).toBe(16_800_008);
  });

  it('a distance below one tick still yields a level strictly on its side', () => {
    const r = buildExitPlan({ symbol: 'X', side: 'LONG', entry: 100, qty: 1, atr: 1e-9, template: { ...DEFAULT, stopAtr: 1, takeProfits: [{ atr: 1, fraction: 1 }] }, rules: RULES });
    if (!r.ok) throw new Error(r.reason);
    expect(r.plan.stop).toBe(99.9);
    expect(r.plan.takeProfits[0]!.price).toBe(100.1);
  });

  it('property: over 4000 seeded random entries/ATRs/templates, no plan has a wrong-side or non-positive level', () => {
    const rand = rng(42);
    const ticks = [0.00001, 0.0001, 0.01, 0.1, 0.5, 1, 10];
    const steps = [0.001, 0.01, 0.1, 1];
    let ok = 0;
    for (let i = 0; i < 4000; i++) {
      const side = rand() < 0.5 ? 'LONG' : 'SHORT';
      const tickSize = ticks[Math.floor(rand() * ticks.length)]!;
      const stepSize = steps[Math.floor(rand() * steps.length)]!;
      const entry = 10 ** (rand() * 9 - 4); // 0.0001 … 100000, often coarser than the tick
      const qty = Math.max(1, Math.floor(rand() * 5000)) * stepSize;
      const atr = rand() < 0.1 ? [Number.NaN, 0, -1][Math.floor(rand() * 3)] : entry * rand() * 0.3;
      const nTp = 1 + Math.floor(rand() * 3);
      const tps = Array.from({ length: nTp }, () => (rand() < 0.5 ? { pct: rand() * 0.3 + 1e-6, fraction: rand() * 0.6 + 0.01 } : { atr: rand() * 10 + 0.01, pct: 0.01, fraction: rand() * 0.6 + 0.01 }));
      const template: ExitTemplate = { ...DEFAULT, stopPct: rand() * 0.5 + 1e-6, ...(rand() < 0.5 ? { stopAtr: rand() * 20 + 0.01 } : {}), takeProfits: tps };
      const rules = { tickSize, stepSize, minQty: rand() < 0.3 ? stepSize * 10 : 0, minNotional: rand() < 0.3 ? 5 : 0 };
      const r = buildExitPlan({ symbol: 'P', side, entry, qty, atr, template, rules });
      if (!r.ok) {
        expect(r.reason.length).toBeGreaterThan(5);
        continue;
      }
      ok++;
      expectSafe(r.plan);
      expect(Math.abs(r.plan.qty - qty)).toBeLessThan(stepSize / 1e6);
    }
    // The rest were refused, mostly entries far finer than the tick (a level would round to ≤ 0).
    expect(ok).toBeGreaterThan(1500);
  });
});

describe('moveStop and shrinkLegs', () => {
  const long = (buildExitPlan({ symbol: 'X', side: 'LONG', entry: 100, qty: 1, template: DEFAULT, rules: RULES }) as { plan: ExitPlan }).plan;
  const short = (buildExitPlan({ symbol: 'X', side: 'SHORT', entry: 100, qty: 1, template: DEFAULT, rules: RULES }) as { plan: ExitPlan }).plan;

  it('only tightens, stays on the safe side of the mark, and rounds away from it', () => {
    expect(moveStop(long, 99.37, 'LONG', 0.1, 101)).toMatchObject({ ok: true, plan: { stop: 99.3 } });
    expect(moveStop(long, 100.5, 'LONG', 0.1, 101)).toMatchObject({ ok: true, plan: { stop: 100.5 } }); // past entry: fine (trailing)
    expect(moveStop(long, 97, 'LONG', 0.1, 101)).toMatchObject({ ok: false, reason: expect.stringMatching(/not tighten/) });
    expect(moveStop(long, 101, 'LONG', 0.1, 101)).toMatchObject({ ok: false, reason: expect.stringMatching(/past the mark/) });
    expect(moveStop(long, Number.NaN, 'LONG', 0.1)).toMatchObject({ ok: false });
    expect(moveStop(long, 99, 'SHORT', 0.1)).toMatchObject({ ok: false });
    expect(moveStop(short, 100.63, 'SHORT', 0.1, 99)).toMatchObject({ ok: true, plan: { stop: 100.7 } });
    expect(moveStop(short, 103, 'SHORT', 0.1, 99)).toMatchObject({ ok: false, reason: expect.stringMatching(/not tighten/) });
    expect(moveStop(short, 98.9, 'SHORT', 0.1, 99)).toMatchObject({ ok: false, reason: expect.stringMatching(/past the mark/) });
  });

  it('property: a moved stop is never looser and never past the mark', () => {
    const rand = rng(7);
    for (let i = 0; i < 2000; i++) {
      const p = rand() < 0.5 ? long : short;
      const mark = 90 + rand() * 20;
      const target = 80 + rand() * 40;
      const r = moveStop(p, target, p.side, 0.1, mark);
      if (!r.ok) continue;
      if (p.side === 'LONG') expect(r.plan.stop > p.stop && r.plan.stop < mark).toBe(true);
      else expect(r.plan.stop < p.stop && r.plan.stop > mark).toBe(true);
    }
  });

  it('drops a filled TP leg, shrinks a partial one, and takes other exits from the farthest leg', () => {
    const a = shrinkLegs(long, { tp: 0 })!;
    expect(a.qty).toBe(0.7);
    expect(a.takeProfits.map((t) => t.qty)).toEqual([0.3, 0.4]);
    const b = shrinkLegs(long, { tp: 0, qty: 0.1 })!;
    expect(b.takeProfits.map((t) => t.qty)).toEqual([0.2, 0.3, 0.4]);
    expect(b.qty).toBe(0.9);
    const c = shrinkLegs(long, { qty: 0.5 })!;
    expect(c.takeProfits.map((t) => t.qty)).toEqual([0.3, 0.2]);
    expect(c.qty).toBe(0.5);
    expect(shrinkLegs(long, { qty: 1 })).toBeNull();
    for (const p of [a, b, c]) expect(checkPlan(p)).toBeNull();
  });
});
