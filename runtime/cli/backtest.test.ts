import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config/index.js';
import { runBacktest } from './backtest.js';

describe('qt backtest', () => {
  it('runs the live actor definitions against the in-process engine: trades with stops, a report, and the same result on every run', async () => {
    const cfg = loadConfig({ env: {}, overrides: { strategy: { minConfidence: 0.51 } } });
    const a = await runBacktest({ cfg, data: 'synthetic', symbols: 5, candles: 1000, seed: 5 });
    const b = await runBacktest({ cfg, data: 'synthetic', symbols: 5, candles: 1000, seed: 5 });
    expect(a.candleEvents).toBeGreaterThanOrEqual(5 * 1000);
    expect(b.candleEvents).toBe(a.candleEvents);
    expect(a.report.summary.trades).toBeGreaterThan(0);
    expect(a.bus.deadLettered).toBe(0);
    // Deterministic: seed + simulated clock ⇒ identical journal and report.
    expect(b.report.summary).toEqual(a.report.summary);
    expect(b.journal.map((j) => `${j.kind}:${j.ts}:${j.summary}`)).toEqual(a.journal.map((j) => `${j.kind}:${j.ts}:${j.summary}`));
    // Every closed trade is explained by its intent and risk approval, and had a stop leg.
    const pnl = a.journal.filter((j) => j.kind === 'pnl');
    for (const p of pnl) {
      expect(a.journal.some((j) => j.kind === 'risk' && j.intentId === p.intentId && /APPROVE/.test(j.summary))).toBe(true);
    }
    const sl = a.journal.filter((j) => j.kind === 'order' && /-sl/.test(j.clientOrderId ?? ''));
    expect(sl.length).toBeGreaterThan(0);
  }, 120_000);

  it('hosts the CEO brain: losses move risk\'s mode as on a live node, journaled; positions still open at the end are listed', async () => {
    // Loss limits so tight that the first losing trades use up most of them.
    const cfg = loadConfig({ env: {}, overrides: { strategy: { minConfidence: 0.51 }, risk: { maxDailyLossPct: 0.002, maxWeeklyDrawdownPct: 0.004 } } });
    const r = await runBacktest({ cfg, data: 'synthetic', symbols: 5, candles: 1000, seed: 5 });
    const ceo = r.journal.filter((j) => j.kind === 'policy' && j.data['source'] === 'ceo');
    expect(ceo.length).toBeGreaterThan(0);
    expect(ceo[0]!.summary).toMatch(/^CEO risk mode NORMAL → (SAFE|CRITICAL): loss limits \d+% used/);
    const verdicts = r.journal.filter((j) => j.kind === 'risk').map((j) => j.data['verdict'] as { mode: string });
    expect(verdicts.some((v) => v.mode !== 'NORMAL')).toBe(true);
    for (const p of r.openAtEnd) expect(p.qty > 0 && Number.isFinite(p.unrealizedPnl) && p.mark > 0).toBe(true);
    expect(new Set(r.openAtEnd.map((p) => p.symbol)).size).toBe(r.openAtEnd.length);
    // The engine's account, read each simulated minute, is the report's marked-to-market curve;
    // its last reading carries the unrealized PnL of exactly the positions left open.
    const readings = r.journal.filter((j) => j.kind === 'account');
    expect(r.report.marked!.points).toHaveLength(readings.length);
    expect(readings.every((j, i) => i === 0 || j.ts - readings[i - 1]!.ts === 60_000)).toBe(true);
    expect(readings.at(-1)!.data['unrealized']).toBeCloseTo(r.openAtEnd.reduce((a, p) => a + p.unrealizedPnl, 0), 1);
    expect(r.report.marked!.maxDrawdown).toBeGreaterThan(0);
  }, 120_000);

  it('with --signals ai the shipped ONNX ensemble decides, batched per candle close, every signal attributed to its members', async () => {
    const cfg = loadConfig({ env: {} });
    const { FIXTURE_BTC_1M } = await import('../../models/data/index.js');
    const r = await runBacktest({ cfg, data: FIXTURE_BTC_1M, signals: 'ai', to: Date.UTC(2023, 6, 19) });
    expect(r.signalSource).toBe('ai');
    expect(r.inferenceBatches).toBeGreaterThan(100);
    const sig = r.journal.filter((j) => j.kind === 'signal');
    expect(sig.length).toBeGreaterThan(100);
    expect(sig.every((j) => /^ensemble:/.test(j.attribution ?? ''))).toBe(true);
    const again = await runBacktest({ cfg, data: FIXTURE_BTC_1M, signals: 'ai', to: Date.UTC(2023, 6, 19) });
    expect(again.journal.map((j) => j.summary)).toEqual(r.journal.map((j) => j.summary));
  }, 120_000);
});
