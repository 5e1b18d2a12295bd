import type { JournalEntry } from '../../protocols/index.js';
import { breakdown, dailyReturns, drawdownSeries, equityCurve, exposure, maxDrawdown, sharpe, sortino, summarize, type CurvePoint, type DrawdownPoint, type Summary } from './metrics.js';
import type { Trade } from './shapes.js';
import { reconstructTrades } from './trades.js';

/** What `qt report` computes, and prints as a table, JSON or HTML. */
export interface Report {
  range: { from: string | null; to: string | null };
  initialEquity: number;
  /** Where `initialEquity` came from: given, the risk brain's journaled figure (venue or config), or the fallback. */
  initialEquitySource: 'given' | 'journal:venue' | 'journal:config' | 'default';
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
  /**
   * How signals turned (or did not turn) into intents (`qt.journal.signal`), and intents into
   * orders (`qt.journal.risk`: approvals, denials, and each denial reason — one denial may have several).
   */
  funnel: { signals: number; taken: number; skipped: Record<string, number>; risk: { approved: number; denied: number; reasons: Record<string, number> } };
  equity: CurvePoint[];
  drawdown: DrawdownPoint[];
  /**
   * The account's equity as journaled by its readings (`qt.journal.account`): marked to market, so
   * a position that fell 30 % before it was closed at a small loss shows here and not in `equity`,
   * which moves only at a close. Null when the range has fewer than two readings.
   */
  marked: null | {
    source: string;
    points: CurvePoint[];
    drawdown: DrawdownPoint[];
    maxDrawdown: number;
    maxDrawdownAbs: number;
    peakTs: number | null;
    troughTs: number | null;
  };
  daily: Array<{ day: string; pnl: number; ret: number }>;
  trades: Trade[];
  invalid: Array<{ kind: string; ts: number; reason: string }>;
  openIntents: string[];
}

export interface BuildOptions {
  /** Starting equity; absent: the first figure the risk brain journaled in range, else `fallbackEquity`. */
  initialEquity?: number;
  /** @default 10000 */
  fallbackEquity?: number;
  from?: number;
  to?: number;
}

/**
 * The account's equity as the risk brain last knew it at the start of the entries: the first
 * venue figure it journaled (every verdict and policy entry carries one), else its first figure
 * from config. Entries written before figures carried their source do not count.
 */
export function journaledEquity(entries: readonly JournalEntry[]): { equity: number; source: 'venue' | 'config' } | undefined {
  let fromConfig: { equity: number; source: 'config' } | undefined;
  for (const e of entries) {
    if (e.kind !== 'risk' && e.kind !== 'policy') continue;
    const eq = e.data['equity'];
    if (typeof eq !== 'number' || !(eq > 0) || !Number.isFinite(eq)) continue;
    if (e.data['equitySource'] === 'venue') return { equity: eq, source: 'venue' };
    if (e.data['equitySource'] === 'config') fromConfig ??= { equity: eq, source: 'config' };
  }
  return fromConfig;
}

/**
 * The readings of one account (the venue and asset read most often in range) as an equity curve.
 * Readings whose figure is not a positive number are left out, not drawn as a crash to zero.
 */
export function markedCurve(entries: readonly JournalEntry[]): Report['marked'] {
  const byAccount = new Map<string, CurvePoint[]>();
  for (const e of entries) {
    if (e.kind !== 'account') continue;
    const eq = e.data['equity'];
    if (typeof eq !== 'number' || !(eq > 0) || !Number.isFinite(eq)) continue;
    const key = `${String(e.data['source'] ?? '?')}:${String(e.data['venue'] ?? '?')}:${String(e.data['asset'] ?? '?')}`;
    const list = byAccount.get(key);
    if (list) list.push({ ts: e.ts, equity: eq });
    else byAccount.set(key, [{ ts: e.ts, equity: eq }]);
  }
  const [key, points] = [...byAccount].sort((a, b) => b[1].length - a[1].length)[0] ?? [];
  if (!key || !points || points.length < 2) return null;
  points.sort((a, b) => a.ts - b.ts);
  const dd = maxDrawdown(points);
  return { source: key, points, drawdown: drawdownSeries(points), maxDrawdown: dd.pct, maxDrawdownAbs: dd.abs, peakTs: dd.peakTs, troughTs: dd.troughTs };
}

/** Pure: journal entries → report. Trades count when they closed inside [from, to]. */
export function buildReport(entries: readonly JournalEntry[], o: BuildOptions = {}): Report {
  const inRange = (ts: number) => (o.from === undefined || ts >= o.from) && (o.to === undefined || ts <= o.to);
  const journaled = o.initialEquity === undefined ? journaledEquity(entries.filter((e) => inRange(e.ts))) : undefined;
  const initial = o.initialEquity ?? journaled?.equity ?? o.fallbackEquity ?? 10_000;
  const initialEquitySource: Report['initialEquitySource'] = o.initialEquity !== undefined ? 'given' : journaled ? `journal:${journaled.source}` : 'default';
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
  const funnel: Report['funnel'] = { signals: 0, taken: 0, skipped: {}, risk: { approved: 0, denied: 0, reasons: {} } };
  for (const e of entries) {
    if (!inRange(e.ts)) continue;
    if (e.kind === 'risk') {
      const v = e.data['verdict'] as { decision?: unknown; reasons?: Array<{ code?: unknown }> } | undefined;
      if (v?.decision === 'approve') funnel.risk.approved++;
      else if (v?.decision === 'deny') {
        funnel.risk.denied++;
        for (const r of v.reasons ?? []) if (typeof r.code === 'string') funnel.risk.reasons[r.code] = (funnel.risk.reasons[r.code] ?? 0) + 1;
      }
      continue;
    }
    if (e.kind !== 'signal') continue;
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
    initialEquitySource,
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
    marked: markedCurve(entries.filter((e) => inRange(e.ts))),
    daily,
    trades,
    invalid: rec.invalid,
    openIntents: rec.openIntents,
  };
}
