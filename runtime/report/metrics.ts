import type { Trade } from './shapes.js';

const DAY = 86_400_000;
const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);
const mean = (xs: readonly number[]) => (xs.length ? sum(xs) / xs.length : 0);

/** mean / sample standard deviation (n − 1); null with fewer than 2 values or no dispersion. */
export function sharpe(xs: readonly number[]): number | null {
  if (xs.length < 2) return null;
  const m = mean(xs);
  const sd = Math.sqrt(sum(xs.map((x) => (x - m) ** 2)) / (xs.length - 1));
  return sd > 0 ? m / sd : null;
}

/** mean / downside deviation, sqrt(Σ min(x, 0)² / n); null when nothing went down. */
export function sortino(xs: readonly number[]): number | null {
  if (xs.length < 1) return null;
  const dd = Math.sqrt(sum(xs.map((x) => Math.min(x, 0) ** 2)) / xs.length);
  return dd > 0 ? mean(xs) / dd : null;
}

/** Aggregates of a set of trades (net of fees and funding). */
export interface Summary {
  trades: number;
  wins: number;
  losses: number;
  /** wins / trades; a break-even trade is not a win. */
  winRate: number | null;
  grossProfit: number;
  grossLoss: number;
  /** grossProfit / grossLoss; null when there is no losing trade. */
  profitFactor: number | null;
  /** Mean net PnL per trade. */
  expectancy: number | null;
  avgWin: number | null;
  avgLoss: number | null;
  net: number;
  fees: number;
  /** Per-trade Sharpe and Sortino of the trade returns (net / notional), not annualized. */
  sharpe: number | null;
  sortino: number | null;
}

export function summarize(trades: readonly Trade[]): Summary {
  const nets = trades.map((t) => t.net);
  const wins = nets.filter((x) => x > 0);
  const losses = nets.filter((x) => x < 0);
  const gp = sum(wins);
  const gl = -sum(losses);
  return {
    trades: trades.length,
    wins: wins.length,
    losses: losses.length,
    winRate: trades.length ? wins.length / trades.length : null,
    grossProfit: gp,
    grossLoss: gl,
    profitFactor: gl > 0 ? gp / gl : null,
    expectancy: trades.length ? mean(nets) : null,
    avgWin: wins.length ? mean(wins) : null,
    avgLoss: losses.length ? -mean(losses) : null,
    net: sum(nets),
    fees: sum(trades.map((t) => t.fees)),
    sharpe: sharpe(trades.map((t) => t.ret)),
    sortino: sortino(trades.map((t) => t.ret)),
  };
}

export interface CurvePoint {
  ts: number;
  equity: number;
}

/** Equity after each close, starting from `initial` at `start` (default: the first open). */
export function equityCurve(trades: readonly Trade[], initial: number, start?: number): CurvePoint[] {
  const sorted = [...trades].sort((a, b) => a.closedAt - b.closedAt);
  const t0 = start ?? (sorted.length ? Math.min(...sorted.map((t) => t.openedAt)) : 0);
  const out: CurvePoint[] = [{ ts: t0, equity: initial }];
  let eq = initial;
  for (const t of sorted) out.push({ ts: t.closedAt, equity: (eq += t.net) });
  return out;
}

export interface DrawdownPoint {
  ts: number;
  /** Fraction below the running peak (≤ 0). */
  dd: number;
  abs: number;
}

export function drawdownSeries(curve: readonly CurvePoint[]): DrawdownPoint[] {
  let peak = -Infinity;
  return curve.map((p) => {
    peak = Math.max(peak, p.equity);
    return { ts: p.ts, dd: peak > 0 ? (p.equity - peak) / peak : 0, abs: p.equity - peak };
  });
}

/** Deepest fall from a running peak, as a (positive) fraction of that peak and in USDT. */
export function maxDrawdown(curve: readonly CurvePoint[]): { pct: number; abs: number; peakTs: number | null; troughTs: number | null } {
  let peak = curve[0];
  let best = { pct: 0, abs: 0, peakTs: null as number | null, troughTs: null as number | null };
  for (const p of curve) {
    if (!peak || p.equity > peak.equity) peak = p;
    const abs = peak.equity - p.equity;
    const pct = peak.equity > 0 ? abs / peak.equity : 0;
    if (pct > best.pct) best = { pct, abs, peakTs: peak.ts, troughTs: p.ts };
  }
  return best;
}

/**
 * Daily returns (UTC days from the first to the last day, idle days included as 0): the day's net
 * PnL over the equity at the start of the day.
 */
export function dailyReturns(trades: readonly Trade[], initial: number, from?: number, to?: number): Array<{ day: string; pnl: number; ret: number }> {
  if (!trades.length && (from === undefined || to === undefined)) return [];
  const closes = trades.map((t) => t.closedAt);
  const d0 = Math.floor((from ?? Math.min(...closes)) / DAY);
  const d1 = Math.floor((to ?? Math.max(...closes)) / DAY);
  const pnl = new Map<number, number>();
  for (const t of trades) pnl.set(Math.floor(t.closedAt / DAY), (pnl.get(Math.floor(t.closedAt / DAY)) ?? 0) + t.net);
  const out: Array<{ day: string; pnl: number; ret: number }> = [];
  let eq = initial;
  for (let d = d0; d <= d1; d++) {
    const p = pnl.get(d) ?? 0;
    out.push({ day: new Date(d * DAY).toISOString().slice(0, 10), pnl: p, ret: eq > 0 ? p / eq : 0 });
    eq += p;
  }
  return out;
}

/** Share of [from, to] during which at least one position was open (union of trade intervals). */
export function exposure(trades: readonly Trade[], from: number, to: number): number {
  if (!(to > from)) return 0;
  const iv = trades.map((t) => [Math.max(from, t.openedAt), Math.min(to, t.closedAt)] as const).filter(([a, b]) => b > a).sort((x, y) => x[0] - y[0]);
  let covered = 0;
  let cur: [number, number] | null = null;
  for (const [a, b] of iv) {
    if (cur && a <= cur[1]) cur[1] = Math.max(cur[1], b);
    else {
      if (cur) covered += cur[1] - cur[0];
      cur = [a, b];
    }
  }
  if (cur) covered += cur[1] - cur[0];
  return covered / (to - from);
}

/** Groups trades by a key, summarized, largest net first. */
export function breakdown(trades: readonly Trade[], key: (t: Trade) => string): Array<{ key: string } & Summary> {
  const groups = new Map<string, Trade[]>();
  for (const t of trades) groups.set(key(t), [...(groups.get(key(t)) ?? []), t]);
  return [...groups].map(([k, ts]) => ({ key: k, ...summarize(ts) })).sort((a, b) => b.net - a.net || a.key.localeCompare(b.key));
}
