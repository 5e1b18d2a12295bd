import { describe, expect, it } from 'vitest';
import type { RiskReasonCode } from '../../../protocols/index.js';
import { evaluate, scaleQty, type RiskView } from './limits.js';
import { lossLevel, modeLimits, stricterMode, tradingStateOf } from './modes.js';
import { TEST_LIMITS as L, testIntent } from './testing.js';

const AT = Date.UTC(2024, 2, 6, 12);
const view = (o: Partial<RiskView> = {}): RiskView => ({
  at: AT, equity: 10_000, dailyLossPct: 0, weeklyDrawdownPct: 0, tradingState: 'ACTIVE', mode: 'NORMAL',
  killSwitch: { on: false, reason: '' }, reconciling: false, model: { status: 'ok', reason: '' }, positions: {}, pending: {},
  cooldowns: {}, bucket: { tokens: 10, at: AT }, seen: {}, clusters: { BTCUSDT: 'majors', ETHUSDT: 'majors' }, ...o,
});
const long = (notional: number, unprotectedSince: number | null = null) => ({ side: 'LONG' as const, qty: notional / 100, notional, unprotectedSince });
const codes = (r: { reasons: Array<{ code: RiskReasonCode }> }) => r.reasons.map((x) => x.code);

describe('risk limits', () => {
  it('approves a clean intent unchanged', () => {
    const r = evaluate(testIntent('BTCUSDT', AT), view(), L);
    expect(r).toMatchObject({ decision: 'approve', qty: 1.5, notional: 150, reduced: false, reasons: [] });
  });

  const denials: Array<[RiskReasonCode, Partial<RiskView>, Partial<Parameters<typeof testIntent>[2]>?, typeof L?]> = [
    ['KILL_SWITCH', { killSwitch: { on: true, reason: 'ops' } }],
    ['RECONCILING', { reconciling: true }],
    ['TRADING_HALTED', { tradingState: 'HALTED' }],
    ['TRADING_REDUCING', { tradingState: 'REDUCING' }],
    ['TRADING_REDUCING', { mode: 'CRITICAL' }, {}, modeLimits('CRITICAL', L)],
    ['MODEL_SUPERVISOR', { model: { status: 'halt', reason: '99% SELL bias' } }],
    ['STALE_INTENT', {}, { ts: AT - 120_001 }],
    ['DUPLICATE_INTENT', { seen: { [`BTCUSDT:${AT}:BUY`]: AT } }],
    ['UNPROTECTED_POSITION', { positions: { SOLUSDT: long(100, AT - 5_001) } }],
    ['ALREADY_IN_POSITION', { positions: { BTCUSDT: long(100) } }],
    ['ALREADY_IN_POSITION', { pending: { BTCUSDT: { notional: 100, at: AT } } }],
    ['COOLDOWN', { cooldowns: { BTCUSDT: AT + 60_000 } }],
    ['MAX_OPEN_POSITIONS', { positions: Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`S${i}USDT`, long(10)])) }],
    ['MAX_LEVERAGE', {}, { leverage: 11 }],
    ['MAX_DAILY_LOSS', { dailyLossPct: 0.05 }],
    ['MAX_WEEKLY_DRAWDOWN', { weeklyDrawdownPct: 0.15 }],
    ['ORDER_RATE', { bucket: { tokens: 0.5, at: AT } }],
    // Caps deny only when what fits is below the venue minimum.
    ['SYMBOL_CONCENTRATION', { equity: 20 }],
    ['CLUSTER_CONCENTRATION', { positions: { ETHUSDT: long(3_999) } }],
    ['MAX_TOTAL_EXPOSURE', { positions: Object.fromEntries(Array.from({ length: 15 }, (_, i) => [`S${i}USDT`, long(1_999.9)])) }],
  ];
  it.each(denials)('denies with %s', (code, v, intent = {}, limits = L) => {
    const r = evaluate(testIntent('BTCUSDT', AT, intent), view(v), limits);
    expect(r.decision).toBe('deny');
    expect(codes(r)).toContain(code);
    const reason = r.reasons.find((x) => x.code === code)!;
    expect(reason.detail.length).toBeGreaterThan(5);
  });

  it('carries the numbers in limit and value', () => {
    const r = evaluate(testIntent('BTCUSDT', AT, { leverage: 25 }), view({ dailyLossPct: 0.06 }), L);
    expect(r.reasons.find((x) => x.code === 'MAX_LEVERAGE')).toMatchObject({ limit: 10, value: 25 });
    expect(r.reasons.find((x) => x.code === 'MAX_DAILY_LOSS')).toMatchObject({ limit: 0.05, value: 0.06 });
  });

  it('allows an unprotected position inside the 5 s grace', () => {
    expect(evaluate(testIntent('BTCUSDT', AT), view({ positions: { SOLUSDT: long(100, AT - 4_000) } }), L).decision).toBe('approve');
  });

  it('reduces the size to the tightest cap instead of denying, and says so', () => {
    const r = evaluate(testIntent('BTCUSDT', AT, { notional: 1_500, qty: 15 }), view(), L);
    expect(r).toMatchObject({ decision: 'approve', qty: 10, notional: 1_000, reduced: true });
    expect(r.reasons[0]).toMatchObject({ code: 'MAX_POSITION_NOTIONAL', limit: 1_000, value: 1_500 });
    expect(r.reasons[0]!.detail).toMatch(/^reduced: /);
    const c = evaluate(testIntent('BTCUSDT', AT, { notional: 900, qty: 9 }), view({ positions: { ETHUSDT: long(3_500) } }), L);
    expect(c).toMatchObject({ decision: 'approve', qty: 5, reduced: true });
    expect(codes(c)).toEqual(['CLUSTER_CONCENTRATION']);
  });

  it('lets exits through REDUCING, HALTED, CRITICAL and a reconciliation but not the kill switch; an exit needs an opposite position', () => {
    const exit = testIntent('BTCUSDT', AT, { kind: 'exit', side: 'SELL', qty: 3, notional: 300 });
    const pos = { BTCUSDT: long(200) };
    for (const v of [{ tradingState: 'REDUCING' as const }, { tradingState: 'HALTED' as const }, { reconciling: true }]) {
      expect(evaluate(exit, view({ ...v, positions: pos }), L)).toMatchObject({ decision: 'approve', qty: 2, reduced: true });
    }
    expect(evaluate(exit, view({ positions: pos }), modeLimits('CRITICAL', L)).decision).toBe('approve');
    expect(codes(evaluate(exit, view({ positions: pos, killSwitch: { on: true, reason: '' } }), L))).toEqual(['KILL_SWITCH']);
    expect(codes(evaluate(exit, view(), L))).toEqual(['INVALID_INTENT']);
  });

  it('floors reduced quantities to the strategy precision', () => {
    expect(scaleQty(0.123, 0.5)).toBe(0.061);
    expect(scaleQty(15, 2 / 3)).toBe(10);
    // Exponent forms keep their precision (the old split('.') read 1.23e-7 as 5 decimals and gave 0).
    expect(scaleQty(1.23e-7, 1)).toBe(1.23e-7);
  });
});

describe('risk modes and trading states', () => {
  it('maps modes onto limits; loss limits are never loosened', () => {
    expect(modeLimits('NORMAL', L)).toEqual(L);
    expect(modeLimits('SAFE', L)).toMatchObject({ maxPositionNotional: 500, maxLeverage: 3, maxOpenPositions: 10, maxDailyLossPct: 0.03, exitsOnly: false });
    expect(modeLimits('AGGRESSIVE', L)).toMatchObject({ maxPositionNotional: 1_500, maxLeverage: 15, maxDailyLossPct: 0.05, maxWeeklyDrawdownPct: 0.15 });
    expect(modeLimits('CRITICAL', L).exitsOnly).toBe(true);
    expect(stricterMode('AGGRESSIVE', 'SAFE')).toBe('SAFE');
    expect(stricterMode('SAFE', 'AGGRESSIVE')).toBe('SAFE');
    expect(stricterMode('NORMAL', null)).toBe('NORMAL');
  });

  it('REDUCING at 80% of a loss limit, HALTED at it; the worse of daily and weekly wins', () => {
    expect(lossLevel(0.039, 0.05, 0.8)).toBe(0);
    expect(lossLevel(0.04, 0.05, 0.8)).toBe(1);
    expect(lossLevel(0.05, 0.05, 0.8)).toBe(2);
    expect(tradingStateOf(0, 0)).toBe('ACTIVE');
    expect(tradingStateOf(1, 0)).toBe('REDUCING');
    expect(tradingStateOf(1, 2)).toBe('HALTED');
  });
});
