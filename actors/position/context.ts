import type { ExitPlan, OrderLeg, OrderStatus, PositionState, Timers } from '../../protocols/index.js';
import type { PlanRules } from '../brains/exit/index.js';
import type { IntentExit } from './inputs.js';

/** Why (the last part of) a position left. */
/** `reconciled`: the venue's position moved without a fill reaching us, and reconciliation booked it. */
export type ExitReason = 'sl' | 'tp1' | 'tp2' | 'tp3' | 'trail' | 'manual' | 'liquidation' | 'reconciled';

/** The venue-side stop we placed last. */
export interface StopLeg {
  id: string;
  n: number;
  price: number;
  qty: number;
  /** What set its price: the plan, the move to breakeven after TP1, or trailing. */
  kind: 'plan' | 'breakeven' | 'trail';
  status: OrderStatus | 'sent';
  /** The venue accepted it (or it already triggered/filled). */
  confirmed: boolean;
  /** When it was confirmed. */
  sinceTs: number | null;
}

export interface TpLeg {
  leg: 'tp1' | 'tp2' | 'tp3';
  id: string;
  price: number;
  qty: number;
  status: OrderStatus | 'sent';
}

/** What we have applied of one order, so repeated or trade-less fill reports are applied once. */
export interface OrderTrack {
  leg: OrderLeg;
  filled: number;
  notional: number;
  status: OrderStatus;
  trades: string[];
}

export interface PositionContext {
  symbol: string;
  venue: string;
  phase: PositionState;
  rules: PlanRules | null;
  /** The plan was rounded to rules guessed from prices; re-plan when the real ones arrive. */
  rulesGuessed: boolean;
  side: 'LONG' | 'SHORT' | null;
  qty: number;
  avgEntry: number;
  mark: number;
  markTs: number;
  /** Entry size and fees so far, for the fee-aware breakeven. */
  entryQty: number;
  entryFees: number;
  realizedPnl: number;
  fees: number;
  funding: number;
  /** Venue time of the last funding payment booked: a re-sent one is not booked twice. */
  fundingTs?: number | null;
  intentId: string | null;
  attribution: string;
  openedAt: number | null;
  /** Entry orders of this position not yet terminal: while any is working we are `opening`. */
  entryOpen: string[];
  plan: ExitPlan | null;
  planSource: 'intent' | 'default' | null;
  stop: StopLeg | null;
  /** A confirmed stop kept working until its replacement is confirmed (make before break). */
  prevStop: StopLeg | null;
  /** A stop move the venue refused: not retried at the same price. */
  refusedMove: number | null;
  tps: TpLeg[];
  tp1Done: boolean;
  trail: { active: boolean; best: number };
  flatten: { id: string; reason: string } | null;
  unprotectedSince: number | null;
  protectAttempts: number;
  /** Exits of this position, for the journal. */
  exits: Array<{ reason: ExitReason; qty: number; price: number; pnl: number; fee: number; ts: number }>;
  /** Next re-placement number per leg, for the intent in `legIntent`. */
  legN: Partial<Record<OrderLeg, number>>;
  legIntent: string | null;
  orders: Record<string, OrderTrack>;
  /** Insertion order of `orders`, to bound it. */
  orderIds: string[];
  intents: IntentExit[];
  timers: Timers;
  /** Output counter for deterministic PositionUpdate msgIds. */
  seq: number;
  lastPublishAt: number;
  closes: number;
}

/** A fresh, flat context; `keep` carries what outlives a position. */
export function flatContext(symbol: string, venue: string, keep: Partial<PositionContext> = {}): PositionContext {
  return {
    symbol, venue, phase: 'flat', rules: null, rulesGuessed: false,
    side: null, qty: 0, avgEntry: 0, mark: 0, markTs: 0, entryQty: 0, entryFees: 0,
    realizedPnl: 0, fees: 0, funding: 0, intentId: null, attribution: '', openedAt: null, entryOpen: [],
    plan: null, planSource: null, stop: null, prevStop: null, refusedMove: null, tps: [], tp1Done: false,
    trail: { active: false, best: 0 }, flatten: null, unprotectedSince: null, protectAttempts: 0, exits: [],
    legN: {}, legIntent: null, orders: {}, orderIds: [], intents: [], timers: {}, seq: 0, lastPublishAt: 0, closes: 0,
    ...keep,
  };
}

/** Back to flat after a close, keeping rules, marks, order history and counters. */
export function resetToFlat(c: PositionContext): PositionContext {
  const { symbol, venue, rules, rulesGuessed, mark, markTs, legN, legIntent, orders, orderIds, intents, seq, lastPublishAt, closes } = c;
  return flatContext(symbol, venue, { rules, rulesGuessed, mark, markTs, legN, legIntent, orders, orderIds, intents, seq, lastPublishAt, closes: closes + 1 });
}

/** Quantities as sums of fills: trims float dust (0.1 + 0.2) without touching real digits. */
export function clean(x: number): number {
  return Math.abs(x) < 1e-12 ? 0 : Number(x.toPrecision(12));
}

export const PROTECT_MS = 5_000;
export const TERMINAL: ReadonlyArray<OrderStatus | 'sent'> = ['filled', 'canceled', 'rejected', 'expired', 'denied'];
