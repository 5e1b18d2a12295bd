import { gridDecimals, gridUnits, type Intent, type RiskMode, type RiskReason, type RiskReasonCode, type TradingState } from '../../../protocols/index.js';

/**
 * One set of limits (what a risk mode maps to, see `modeLimits`). Money numbers are USDT notional;
 * percentages are fractions (0.05 = 5%).
 */
export interface RiskLimits {
  /** Max notional of one position. DOMAIN.md: $1000 in NORMAL. */
  maxPositionNotional: number;
  /** DOMAIN.md: 10x. */
  maxLeverage: number;
  /** DOMAIN.md: 20. Pending (approved, not yet filled) entries count. */
  maxOpenPositions: number;
  /**
   * Total notional of open + pending positions as a multiple of equity. 3× leaves room for the
   * old system's 20 × $1000 on 10k (2×) but stops a leveraged pile-up well before margin calls.
   */
  maxExposureX: number;
  /** Loss since the start of the UTC day, fraction of start-of-day equity. DOMAIN.md: 5%. */
  maxDailyLossPct: number;
  /** Drawdown from the week's peak equity (UTC weeks from Monday). 15%. */
  maxWeeklyDrawdownPct: number;
  /** Fraction of a loss limit at which trading goes REDUCING (exits only). 0.8. */
  reduceAt: number;
  /** Notional of one symbol, fraction of equity. */
  maxSymbolPct: number;
  /** Notional of one correlated cluster (e.g. BTC+ETH), fraction of equity. */
  maxClusterPct: number;
  /** No new entry on a symbol this long after a losing close (stop-out). */
  cooldownMs: number;
  /** Token bucket: refill per second and burst size, on event time. */
  maxOrdersPerSec: number;
  orderBurst: number;
  /** A position without a confirmed stop for longer than this blocks every new entry. 5 s. */
  unprotectedGraceMs: number;
  /** Intents older than this (vs event time) are denied; about two signal intervals. */
  staleIntentMs: number;
  /** A size reduced below this is denied instead (venue min notional). */
  minNotional: number;
  /** Exits only (CRITICAL mode). */
  exitsOnly: boolean;
  /** Entries wait for the venue's equity figure (EQUITY_UNKNOWN) instead of trusting the configured one. @default false */
  requireVenueEquity?: boolean;
}

/** An open position as risk sees it. */
export interface Exposure {
  side: 'LONG' | 'SHORT';
  qty: number;
  notional: number;
  unprotectedSince: number | null;
}

/** Model supervisor statuses that stop new entries. */
export const BLOCKING_MODEL_STATUSES = ['reduce-only', 'halt', 'blocked'] as const;

/** Everything the checks read: plain data (it lives in the machine snapshot). */
export interface RiskView {
  at: number;
  equity: number;
  /** Where the equity figure comes from: the configured assumption or the venue's balance. */
  equitySource?: 'config' | 'venue';
  dailyLossPct: number;
  weeklyDrawdownPct: number;
  tradingState: TradingState;
  mode: RiskMode;
  killSwitch: { on: boolean; reason: string };
  reconciling: boolean;
  model: { status: string; reason: string };
  positions: Record<string, Exposure>;
  /** Approved entries the position actor has not reported yet. */
  pending: Record<string, { notional: number; at: number }>;
  /** symbol → ms until which entries are blocked. */
  cooldowns: Record<string, number>;
  bucket: { tokens: number; at: number };
  /** intentId → intent ts, for DUPLICATE_INTENT. */
  seen: Record<string, number>;
  /** symbol → cluster name; unknown symbols are their own cluster. */
  clusters: Record<string, string>;
}

const r = (code: RiskReasonCode, detail: string, limit?: number, value?: number): RiskReason => ({
  code, detail, ...(limit !== undefined ? { limit } : {}), ...(value !== undefined ? { value } : {}),
});
const usd = (n: number) => n.toFixed(2);
const pct = (n: number) => `${(n * 100).toFixed(2)}%`;

/** Cluster of a symbol: configured, else the symbol itself. */
export const clusterOf = (symbol: string, clusters: Record<string, string>): string => clusters[symbol] ?? symbol;

/** Gates that stop any strategy order, exits included: the operator wins. */
export function checkGlobal(v: RiskView): RiskReason[] {
  const out: RiskReason[] = [];
  if (v.killSwitch.on) out.push(r('KILL_SWITCH', `kill switch on: ${v.killSwitch.reason || 'no reason given'}`));
  return out;
}

/** Gates on new exposure: trading state, risk mode, model supervisor. */
export function checkEntryGates(v: RiskView, limits: RiskLimits): RiskReason[] {
  const out: RiskReason[] = [];
  // Exits pass: they are reduce-only, so a position reconciliation is still correcting cannot be overshot.
  if (v.reconciling) out.push(r('RECONCILING', 'reconciliation in progress: positions not trusted for new entries'));
  // Under the kill switch HALTED is its doing, and KILL_SWITCH already says so.
  if (v.tradingState === 'HALTED' && !v.killSwitch.on) out.push(r('TRADING_HALTED', 'trading HALTED: nothing new until an operator reset or the next day/week'));
  if (v.tradingState === 'REDUCING') out.push(r('TRADING_REDUCING', 'trading REDUCING: exits only'));
  if (limits.exitsOnly) out.push(r('TRADING_REDUCING', `risk mode ${v.mode}: exits only`));
  // Sizes and loss limits are fractions of equity: an assumed figure can be off by 10× on a real account.
  if (limits.requireVenueEquity && v.equitySource !== 'venue') out.push(r('EQUITY_UNKNOWN', `no account equity from the venue yet (assuming ${usd(v.equity)} USDT from config)`));
  if ((BLOCKING_MODEL_STATUSES as readonly string[]).includes(v.model.status)) {
    out.push(r('MODEL_SUPERVISOR', `model supervisor ${v.model.status}: ${v.model.reason || 'no reason given'}`));
  }
  return out;
}

/** STALE_INTENT and DUPLICATE_INTENT. Future-dated intents (clock skew > 5 s) count as stale. */
export function checkFreshness(intent: Intent, v: RiskView, limits: RiskLimits): RiskReason[] {
  const out: RiskReason[] = [];
  const age = v.at - intent.ts;
  if (age > limits.staleIntentMs) out.push(r('STALE_INTENT', `intent is ${age} ms old > ${limits.staleIntentMs} ms`, limits.staleIntentMs, age));
  if (age < -5_000) out.push(r('STALE_INTENT', `intent is ${-age} ms in the future`, 5_000, age));
  if (v.seen[intent.intentId] !== undefined) out.push(r('DUPLICATE_INTENT', `intent ${intent.intentId} already decided`));
  return out;
}

/** Any position unprotected for longer than the grace blocks new entries everywhere. */
export function checkUnprotected(v: RiskView, limits: RiskLimits): RiskReason[] {
  const out: RiskReason[] = [];
  for (const [sym, p] of Object.entries(v.positions)) {
    if (p.unprotectedSince === null) continue;
    const age = v.at - p.unprotectedSince;
    if (age > limits.unprotectedGraceMs) out.push(r('UNPROTECTED_POSITION', `${sym} has had no confirmed stop for ${age} ms > ${limits.unprotectedGraceMs} ms`, limits.unprotectedGraceMs, age));
  }
  return out;
}

/** ALREADY_IN_POSITION (open or pending) and COOLDOWN after a stop-out. */
export function checkSymbol(intent: Intent, v: RiskView): RiskReason[] {
  const out: RiskReason[] = [];
  const p = v.positions[intent.symbol];
  if (p) out.push(r('ALREADY_IN_POSITION', `${intent.symbol} already ${p.side} ${p.qty} (notional ${usd(p.notional)})`, undefined, p.notional));
  else if (v.pending[intent.symbol]) out.push(r('ALREADY_IN_POSITION', `${intent.symbol} has an approved entry not yet filled`));
  const until = v.cooldowns[intent.symbol];
  if (until !== undefined && v.at < until) out.push(r('COOLDOWN', `${intent.symbol} in cooldown after a stop-out for another ${until - v.at} ms`, until, v.at));
  return out;
}

/** MAX_OPEN_POSITIONS and MAX_LEVERAGE. */
export function checkCounts(intent: Intent, v: RiskView, limits: RiskLimits): RiskReason[] {
  const out: RiskReason[] = [];
  const open = Object.keys(v.positions).length + Object.keys(v.pending).filter((s) => !v.positions[s]).length;
  if (open >= limits.maxOpenPositions) out.push(r('MAX_OPEN_POSITIONS', `${open} open/pending positions ≥ max ${limits.maxOpenPositions}`, limits.maxOpenPositions, open));
  if (intent.leverage > limits.maxLeverage) out.push(r('MAX_LEVERAGE', `leverage ${intent.leverage}x > max ${limits.maxLeverage}x`, limits.maxLeverage, intent.leverage));
  return out;
}

/** MAX_DAILY_LOSS and MAX_WEEKLY_DRAWDOWN at or past the full limit. */
export function checkLoss(v: RiskView, limits: RiskLimits): RiskReason[] {
  const out: RiskReason[] = [];
  if (v.dailyLossPct >= limits.maxDailyLossPct) out.push(r('MAX_DAILY_LOSS', `daily loss ${pct(v.dailyLossPct)} ≥ max ${pct(limits.maxDailyLossPct)}`, limits.maxDailyLossPct, v.dailyLossPct));
  if (v.weeklyDrawdownPct >= limits.maxWeeklyDrawdownPct) out.push(r('MAX_WEEKLY_DRAWDOWN', `weekly drawdown ${pct(v.weeklyDrawdownPct)} ≥ max ${pct(limits.maxWeeklyDrawdownPct)}`, limits.maxWeeklyDrawdownPct, v.weeklyDrawdownPct));
  return out;
}

function exposureOf(v: RiskView): { total: number; bySymbol: Record<string, number>; byCluster: Record<string, number> } {
  const bySymbol: Record<string, number> = {};
  for (const [s, p] of Object.entries(v.positions)) bySymbol[s] = p.notional;
  for (const [s, p] of Object.entries(v.pending)) bySymbol[s] = Math.max(bySymbol[s] ?? 0, p.notional);
  const byCluster: Record<string, number> = {};
  let total = 0;
  for (const [s, n] of Object.entries(bySymbol)) {
    const c = clusterOf(s, v.clusters);
    byCluster[c] = (byCluster[c] ?? 0) + n;
    total += n;
  }
  return { total, bySymbol, byCluster };
}

/**
 * Size caps: position notional, symbol and cluster concentration, total exposure. Returns the
 * notional that fits (≤ the asked one) and a reason per binding cap; the caller reduces the
 * size, or denies when what fits is below `minNotional`.
 */
export function fitSize(intent: Intent, v: RiskView, limits: RiskLimits): { notional: number; reasons: RiskReason[] } {
  const ex = exposureOf(v);
  const cluster = clusterOf(intent.symbol, v.clusters);
  const caps: Array<[RiskReasonCode, number, string]> = [
    ['MAX_POSITION_NOTIONAL', limits.maxPositionNotional, `position notional cap ${usd(limits.maxPositionNotional)}`],
    ['SYMBOL_CONCENTRATION', limits.maxSymbolPct * v.equity - (ex.bySymbol[intent.symbol] ?? 0), `${intent.symbol} cap ${pct(limits.maxSymbolPct)} of equity ${usd(v.equity)}`],
    ['CLUSTER_CONCENTRATION', limits.maxClusterPct * v.equity - (ex.byCluster[cluster] ?? 0), `cluster ${cluster} at ${usd(ex.byCluster[cluster] ?? 0)}, cap ${pct(limits.maxClusterPct)} of equity ${usd(v.equity)}`],
    ['MAX_TOTAL_EXPOSURE', limits.maxExposureX * v.equity - ex.total, `total exposure ${usd(ex.total)}, cap ${limits.maxExposureX}× equity ${usd(v.equity)}`],
  ];
  let notional = intent.notional;
  const reasons: RiskReason[] = [];
  for (const [code, room, what] of caps) {
    if (intent.notional <= room) continue;
    const fits = Math.max(0, room);
    reasons.push(r(code, `notional ${usd(intent.notional)} > room ${usd(fits)} (${what})`, fits, intent.notional));
    notional = Math.min(notional, fits);
  }
  return { notional, reasons };
}

/** Token bucket on event time: refills `maxOrdersPerSec` per second up to `orderBurst`. */
export function refill(bucket: { tokens: number; at: number }, at: number, limits: RiskLimits): { tokens: number; at: number } {
  const dt = Math.max(0, at - bucket.at) / 1000;
  return { tokens: Math.min(limits.orderBurst, bucket.tokens + dt * limits.maxOrdersPerSec), at: Math.max(at, bucket.at) };
}

export function checkRate(v: RiskView, limits: RiskLimits): RiskReason[] {
  const b = refill(v.bucket, v.at, limits);
  return b.tokens < 1 ? [r('ORDER_RATE', `order rate above ${limits.maxOrdersPerSec}/s (burst ${limits.orderBurst})`, limits.maxOrdersPerSec, b.tokens)] : [];
}

/** Floors `qty` to the precision the strategy used (it rounded to the venue step). */
export function scaleQty(qty: number, factor: number): number {
  const unit = 10 ** Math.min(12, gridDecimals(qty));
  return gridUnits(qty * factor * unit, 1, 'down') / unit;
}

export interface Evaluation {
  decision: 'approve' | 'deny';
  /** Denial reasons, or on approval the caps that reduced the size. */
  reasons: RiskReason[];
  qty: number;
  notional: number;
  reduced: boolean;
}

/**
 * The whole decision for one intent. Every failing check is reported, not just the first, so
 * the journal shows all that stood in the way. Exits are only stopped by the kill switch,
 * reconciliation, staleness and duplicates: blocking a way out adds risk.
 */
export function evaluate(intent: Intent, v: RiskView, limits: RiskLimits): Evaluation {
  const deny = (reasons: RiskReason[]): Evaluation => ({ decision: 'deny', reasons, qty: 0, notional: 0, reduced: false });
  const base = [...checkGlobal(v), ...checkFreshness(intent, v, limits)];
  if (intent.kind === 'exit') {
    const p = v.positions[intent.symbol];
    const closes = p && ((p.side === 'LONG' && intent.side === 'SELL') || (p.side === 'SHORT' && intent.side === 'BUY'));
    if (!closes) base.push(r('INVALID_INTENT', `exit ${intent.side} but ${intent.symbol} is ${p ? p.side : 'flat'}`));
    const rate = checkRate(v, limits);
    if (base.length || rate.length) return deny([...base, ...rate]);
    const qty = Math.min(intent.qty, p!.qty);
    return { decision: 'approve', reasons: [], qty, notional: qty * intent.price, reduced: qty < intent.qty };
  }
  const reasons = [
    ...base, ...checkEntryGates(v, limits), ...checkLoss(v, limits), ...checkUnprotected(v, limits),
    ...checkSymbol(intent, v), ...checkCounts(intent, v, limits),
  ];
  const fit = fitSize(intent, v, limits);
  if (fit.notional < limits.minNotional) reasons.push(...fit.reasons);
  reasons.push(...checkRate(v, limits));
  if (reasons.length) return deny(reasons);
  if (!fit.reasons.length) return { decision: 'approve', reasons: [], qty: intent.qty, notional: intent.notional, reduced: false };
  const qty = scaleQty(intent.qty, fit.notional / intent.notional);
  const notional = qty * intent.price;
  if (!(qty > 0) || notional < limits.minNotional) return deny(fit.reasons);
  return { decision: 'approve', reasons: fit.reasons.map((x) => ({ ...x, detail: `reduced: ${x.detail}` })), qty, notional, reduced: true };
}
