import type { JournalEntry } from '../../protocols/index.js';
import { breakdown, dailyReturns, drawdownSeries, equityCurve, exposure, maxDrawdown, sharpe, sortino, summarize, type CurvePoint, type DrawdownPoint, type Summary } from './metrics.js';
import type { Trade } from './shapes.js';
import { reconstructTrades } from './trades.js';

/** What `qt report` computes, and prints as a table, JSON or HTML. */
export interface Report {
  range: { from: string | null; to: string | null };
  initialEquity: number;
  summary: Summary & {
    /** Daily Sharpe and Sortino, annualized with √365 (crypto trades every day). */
    dailySharpe: number | null;
    dailySortino: number | null;
    maxDrawdown: number;
    maxDrawdownAbs: number;
    /** Share of the range with at least one open position. */
    exposure: number;
    finalEquity: number;
    returnPct: number;
  };
  bySymbol: Array<{ key: string } & Summary>;
  byAttribution: Array<{ key: string } & Summary>;
  byExitReason: Array<{ key: string } & Summary>;
  /** How signals turned (or did not turn) into intents, from `qt.journal.signal`. */
  funnel: { signals: number; taken: number; skipped: Record<string, number> };
  equity: CurvePoint[];
  drawdown: DrawdownPoint[];
  daily: Array<{ day: string; pnl: number; ret: number }>;
  trades: Trade[];
  invalid: Array<{ kind: string; ts: number; reason: string }>;
  openIntents: string[];
}

export interface BuildOptions {
  /** @default 10000 */
  initialEquity?: number;
  from?: number;
  to?: number;
}

/** Pure: journal entries → report. Trades count when they closed inside [from, to]. */
export function buildReport(entries: readonly JournalEntry[], o: BuildOptions = {}): Report {
  const initial = o.initialEquity ?? 10_000;
  const rec = reconstructTrades(entries);
  const trades = rec.trades.filter((t) => (o.from === undefined || t.closedAt >= o.from) && (o.to === undefined || t.closedAt <= o.to));
  const s = summarize(trades);
  const start = o.from ?? (trades.length ? Math.min(...trades.map((t) => t.openedAt)) : undefined);
  const end = o.to ?? (trades.length ? Math.max(...trades.map((t) => t.closedAt)) : undefined);
  const curve = equityCurve(trades, initial, start);
  const dd = maxDrawdown(curve);
  const daily = dailyReturns(trades, initial, o.from, o.to);
  const rets = daily.map((d) => d.ret);
  const annual = (x: number | null) => (x === null ? null : x * Math.sqrt(365));
  const funnel = { signals: 0, taken: 0, skipped: {} as Record<string, number> };
  for (const e of entries) {
    if (e.kind !== 'signal' || (o.from !== undefined && e.ts < o.from) || (o.to !== undefined && e.ts > o.to)) continue;
    const reason = typeof e.data.reason === 'string' ? e.data.reason : undefined;
    if (reason === 'DUPLICATE') continue;
    funnel.signals++;
    if (e.data.decision === 'taken') funnel.taken++;
    else funnel.skipped[reason ?? 'unknown'] = (funnel.skipped[reason ?? 'unknown'] ?? 0) + 1;
  }
  const finalEquity = curve.at(-1)!.equity;
  return {
    range: { from: o.from !== undefined ? new Date(o.from).toISOString() : null, to: o.to !== undefined ? new Date(o.to).toISOString() : null },
    initialEquity: initial,
    summary: {
      ...s, dailySharpe: annual(sharpe(rets)), dailySortino: annual(sortino(rets)), maxDrawdown: dd.pct, maxDrawdownAbs: dd.abs,
      exposure: start !== undefined && end !== undefined ? exposure(trades, start, end) : 0, finalEquity, returnPct: (finalEquity - initial) / initial,
    },
    bySymbol: breakdown(trades, (t) => t.symbol),
    byAttribution: breakdown(trades, (t) => t.attribution),
    byExitReason: breakdown(trades, (t) => t.exitReason),
    funnel,
    equity: curve,
    drawdown: drawdownSeries(curve),
    daily,
    trades,
    invalid: rec.invalid,
    openIntents: rec.openIntents,
  };
}
