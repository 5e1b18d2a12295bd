import type { PositionUpdate } from '../../../protocols/index.js';

export const DAY_MS = 86_400_000;

/** UTC day number of a time. */
export const dayOf = (at: number): number => Math.floor(at / DAY_MS);
/** UTC week number, weeks starting Monday 00:00 (day 0 of the epoch was a Thursday). */
export const weekOf = (at: number): number => Math.floor((dayOf(at) + 3) / 7);

/**
 * Equity and loss bookkeeping shared by the risk and CEO brains. Equity = last equity report
 * (`wallet`) + net realized PnL seen since + unrealized PnL of open positions. Net realized of a
 * position = realizedPnl − fees + funding (fees are a cost, funding is signed as received).
 * An equity report resets `realized`; a fill reported both ways around that instant may count
 * twice, which errs on the side of a larger loss.
 */
export interface Ledger {
  wallet: number;
  realized: number;
  unrealized: Record<string, number>;
  /** Per symbol: the current position's identity and the net realized already booked for it. */
  booked: Record<string, { key: string; net: number }>;
  day: number;
  dayStart: number;
  week: number;
  weekPeak: number;
  /** `venue` once an equity report arrived; until then `wallet` is the configured assumption. */
  source?: 'config' | 'venue';
}

export type PositionLike = Pick<PositionUpdate, 'symbol' | 'state' | 'realizedPnl' | 'unrealizedPnl' | 'fees' | 'funding' | 'intentId' | 'openedAt'>;

export function createLedger(equity: number, at: number): Ledger {
  return { wallet: equity, realized: 0, unrealized: {}, booked: {}, day: dayOf(at), dayStart: equity, week: weekOf(at), weekPeak: equity };
}

export function equityOf(l: Ledger): number {
  let u = 0;
  for (const v of Object.values(l.unrealized)) u += v;
  return l.wallet + l.realized + u;
}

const withPeak = (l: Ledger): Ledger => ({ ...l, weekPeak: Math.max(l.weekPeak, equityOf(l)) });

/** Starts a new day / week when `at` crossed the boundary: the new baseline is current equity. */
export function roll(l: Ledger, at: number): { ledger: Ledger; day: boolean; week: boolean } {
  const d = dayOf(at);
  const w = weekOf(at);
  const eq = equityOf(l);
  const day = d > l.day;
  const week = w > l.week;
  return { ledger: { ...l, ...(day ? { day: d, dayStart: eq } : {}), ...(week ? { week: w, weekPeak: eq } : {}) }, day, week };
}

/** Books a position update; returns the net realized PnL it added (0 for a repeat). */
export function applyPosition(l: Ledger, u: PositionLike): { ledger: Ledger; delta: number } {
  const unrealized = { ...l.unrealized };
  if (u.state === 'open' || u.state === 'opening' || u.state === 'reducing') unrealized[u.symbol] = u.unrealizedPnl;
  else delete unrealized[u.symbol];
  // A flat update carries no trade of its own; booking it would undo the last close.
  if (u.state === 'flat') return { ledger: withPeak({ ...l, unrealized }), delta: 0 };
  const key = `${u.intentId ?? 'adopted'}@${u.openedAt ?? 0}`;
  const net = u.realizedPnl - u.fees + u.funding;
  const prev = l.booked[u.symbol];
  const delta = prev && prev.key === key ? net - prev.net : net;
  const booked = { ...l.booked, [u.symbol]: { key, net } };
  return { ledger: withPeak({ ...l, unrealized, booked, realized: l.realized + delta }), delta };
}

/** A fresh account equity figure (margin balance: wallet + unrealized, as the venue reports it). */
export function applyEquity(l: Ledger, equity: number): Ledger {
  let u = 0;
  for (const v of Object.values(l.unrealized)) u += v;
  // The first real figure replaces an assumption: measuring a loss from the configured equity
  // would HALT a smaller account at once (and hide a loss on a larger one), so it is the baseline.
  if (l.source !== 'venue') return { ...l, wallet: equity - u, realized: 0, dayStart: equity, weekPeak: equity, source: 'venue' };
  return withPeak({ ...l, wallet: equity - u, realized: 0 });
}

/** Loss since the start of the day, fraction of start-of-day equity (0 when up). */
export function dailyLoss(l: Ledger): number {
  return l.dayStart > 0 ? Math.max(0, (l.dayStart - equityOf(l)) / l.dayStart) : 0;
}

/** PnL since the start of the day, fraction of start-of-day equity (signed). */
export function dailyPnl(l: Ledger): number {
  return l.dayStart > 0 ? (equityOf(l) - l.dayStart) / l.dayStart : 0;
}

/** Drawdown from the week's peak equity. */
export function weeklyDrawdown(l: Ledger): number {
  return l.weekPeak > 0 ? Math.max(0, (l.weekPeak - equityOf(l)) / l.weekPeak) : 0;
}

/** Operator reset: the loss so far is accepted and becomes the new baseline. */
export function rebase(l: Ledger, scope: 'daily' | 'weekly' | 'halt'): Ledger {
  const eq = equityOf(l);
  return { ...l, ...(scope !== 'weekly' ? { dayStart: eq } : {}), ...(scope !== 'daily' ? { weekPeak: eq } : {}) };
}
