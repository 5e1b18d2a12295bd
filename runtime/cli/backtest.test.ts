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
