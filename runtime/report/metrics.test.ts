import { describe, expect, it } from 'vitest';
import type { JournalEntry } from '../../protocols/index.js';
import { buildReport } from './build.js';
import { drawdownSeries, equityCurve, exposure, maxDrawdown, sharpe, sortino, summarize } from './metrics.js';
import { reconstructTrades } from './trades.js';
import { D1, D2, D3, FOUR, H } from './fixture.js';

describe('report metrics (hand-computed)', () => {
  it('win rate, profit factor, expectancy, per-trade Sharpe and Sortino', () => {
    const { trades } = reconstructTrades(FOUR);
    const s = summarize(trades);
    expect(s).toMatchObject({ trades: 4, wins: 2, losses: 2, winRate: 0.5, grossProfit: 300, grossLoss: 150, profitFactor: 2, expectancy: 37.5, avgWin: 150, avgLoss: 75, net: 150, fees: 8 });
    // returns 0.1, −0.05, 0.2, −0.1: mean 0.0375, sample sd 0.137689, downside dev sqrt(0.0125 / 4)
    expect(s.sharpe).toBeCloseTo(0.272352, 5);
    expect(s.sortino).toBeCloseTo(0.670820, 5);
    expect(sharpe([1])).toBeNull();
    expect(sharpe([1, 1])).toBeNull();
    expect(sortino([1, 2])).toBeNull();
  });

  it('equity curve, drawdown series and max drawdown', () => {
    const { trades } = reconstructTrades(FOUR);
    const curve = equityCurve(trades, 10_000);
    expect(curve.map((p) => p.equity)).toEqual([10_000, 10_100, 10_050, 10_250, 10_150]);
    expect(maxDrawdown(curve)).toEqual({ pct: 100 / 10_250, abs: 100, peakTs: D2 + 4 * H, troughTs: D3 + 12 * H });
    expect(drawdownSeries(curve).map((p) => p.abs)).toEqual([0, 0, -50, 0, -100]);
  });

  it('exposure is the union of open intervals over the range', () => {
    const { trades } = reconstructTrades(FOUR);
    expect(exposure(trades, D1, D3 + 12 * H)).toBeCloseTo(8 / 60, 10);
    // Overlapping positions count once.
    expect(exposure([{ ...trades[0]!, openedAt: 0, closedAt: 10 }, { ...trades[1]!, openedAt: 5, closedAt: 15 }], 0, 20)).toBe(0.75);
  });

  it('the whole report: daily Sharpe/Sortino, breakdowns, funnel', () => {
    const signal = (decision: string, reason?: string): JournalEntry => ({ kind: 'signal', ts: D1, summary: '', data: { decision, ...(reason ? { reason } : {}) } });
    const r = buildReport([...FOUR, signal('taken'), signal('skipped', 'HOLD'), signal('skipped', 'HOLD'), signal('skipped', 'DUPLICATE')], { initialEquity: 10_000 });
    // daily returns 50/10000, 200/10050, −100/10250, annualized with √365
    expect(r.summary.dailySharpe).toBeCloseTo(6.504056, 4);
    expect(r.summary.dailySortino).toBeCloseTo(17.122286, 4);
    expect(r.daily.map((d) => d.pnl)).toEqual([50, 200, -100]);
    expect(r.summary).toMatchObject({ maxDrawdown: 100 / 10_250, finalEquity: 10_150, returnPct: 0.015 });
    expect(r.summary.exposure).toBeCloseTo(8 / 60, 10);
    expect(r.bySymbol.map((g) => [g.key, g.trades, g.net, g.winRate, g.profitFactor])).toEqual([['BTCUSDT', 2, 300, 1, null], ['ETHUSDT', 2, -150, 0, 0]]);
    expect(r.byAttribution.map((g) => [g.key, g.trades, g.net])).toEqual([['ensemble:v1', 3, 200], ['fallback:momentum', 1, -50]]);
    expect(r.byExitReason.map((g) => [g.key, g.trades, g.net])).toEqual([['tp3', 1, 200], ['tp1', 1, 100], ['sl', 2, -150]]);
    expect(r.funnel).toEqual({ signals: 3, taken: 1, skipped: { HOLD: 2 }, risk: { approved: 0, denied: 0, reasons: {} } });
    // A range keeps only the trades closed inside it.
    expect(buildReport(FOUR, { from: D2, to: D3 }).summary.trades).toBe(1);
  });

  it('counts risk verdicts and their reasons, and starts from the equity the risk brain journaled (the venue figure first)', () => {
    const verdict = (ts: number, decision: string, codes: string[], equity: number, equitySource?: string): JournalEntry => ({
      kind: 'risk', ts, summary: '', data: { verdict: { decision, reasons: codes.map((code) => ({ code, detail: '' })) }, equity, ...(equitySource ? { equitySource } : {}) },
    });
    const entries = [
      verdict(D1, 'deny', ['EQUITY_UNKNOWN'], 10_000, 'config'),
      { kind: 'policy', ts: D1 + 1, summary: 'account equity from the venue', data: { equity: 2_000, equitySource: 'venue' } } satisfies JournalEntry,
      verdict(D1 + 2, 'approve', [], 2_000, 'venue'),
      verdict(D1 + 3, 'deny', ['ORDER_RATE', 'ALREADY_IN_POSITION'], 2_000, 'venue'),
      verdict(D2 + 1, 'deny', ['ORDER_RATE'], 2_100, 'venue'),
      ...FOUR,
    ];
    const r = buildReport(entries);
    expect(r.funnel.risk).toEqual({ approved: 1, denied: 3, reasons: { EQUITY_UNKNOWN: 1, ORDER_RATE: 2, ALREADY_IN_POSITION: 1 } });
    expect([r.initialEquity, r.initialEquitySource]).toEqual([2_000, 'journal:venue']);
    expect(r.summary.finalEquity).toBe(2_150);
    // From a later date: the first figure inside the range.
    expect(buildReport(entries, { from: D2 })).toMatchObject({ initialEquity: 2_100, initialEquitySource: 'journal:venue' });
    // A given figure wins; entries without a source (older journals) fall back.
    expect(buildReport(entries, { initialEquity: 5_000 })).toMatchObject({ initialEquity: 5_000, initialEquitySource: 'given' });
    expect(buildReport([verdict(D1, 'approve', [], 7_000)], { fallbackEquity: 3_000 })).toMatchObject({ initialEquity: 3_000, initialEquitySource: 'default' });
    expect(buildReport([verdict(D1, 'approve', [], 7_000, 'config')])).toMatchObject({ initialEquity: 7_000, initialEquitySource: 'journal:config' });
  });

  it('rebuilds a trade from fills when there is no pnl line; ignores duplicates and malformed lines', () => {
    const fill = (leg: string, side: 'BUY' | 'SELL', qty: number, price: number, ts: number): JournalEntry => ({
      kind: 'fill', ts, symbol: 'SOLUSDT', intentId: 'SOLUSDT:1:BUY', attribution: 'fallback:rsi', summary: '', data: { leg, side, qty, price, fee: 0.05 },
    });
    const r = reconstructTrades([
      fill('entry', 'BUY', 1, 100, 1), fill('tp1', 'SELL', 0.5, 110, 2), fill('sl', 'SELL', 0.5, 90, 3),
      { kind: 'exit', ts: 3, symbol: 'SOLUSDT', intentId: 'SOLUSDT:1:BUY', summary: '', data: { reason: 'sl' } },
      { ...fill('entry', 'SELL', 2, 50, 4), intentId: 'SOLUSDT:4:SELL' },
      FOUR[0]!, FOUR[0]!,
      { kind: 'pnl', ts: 5, symbol: 'XUSDT', summary: '', data: { side: 'LONG', qty: -1 } },
      // The orders actor's fill lines have no side: it comes from the intent id.
      { ...fill('entry', 'SELL', 1, 50, 6), intentId: 'DOTUSDT:6:SELL', symbol: 'DOTUSDT', data: { leg: 'entry', qty: 1, price: 50, fee: 0 } },
      { ...fill('sl', 'BUY', 1, 55, 7), intentId: 'DOTUSDT:6:SELL', symbol: 'DOTUSDT', data: { leg: 'sl', qty: 1, price: 55, fee: 0 } },
    ]);
    expect(r.trades).toHaveLength(3);
    expect(r.trades.find((t) => t.symbol === 'DOTUSDT')).toMatchObject({ side: 'SHORT', gross: -5, net: -5, exitReason: 'sl' });
    const sol = r.trades.find((t) => t.symbol === 'SOLUSDT')!;
    expect(sol).toMatchObject({ side: 'LONG', qty: 1, entry: 100, exit: 100, gross: 0, exitReason: 'sl', attribution: 'fallback:rsi', openedAt: 1, closedAt: 3, source: 'fills' });
    expect(sol.fees).toBeCloseTo(0.15);
    expect(sol.net).toBeCloseTo(-0.15);
    expect(r.openIntents).toEqual(['SOLUSDT:4:SELL']);
    expect(r.invalid).toHaveLength(1);
  });
});
