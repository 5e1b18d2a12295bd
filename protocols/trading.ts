import { createHash } from 'node:crypto';
import { z } from 'zod';
import { SYMBOL_PATTERN } from './names.js';

const pos = z.number().finite().positive();
const sym = z.string().regex(SYMBOL_PATTERN, 'symbol must be upper-case letters and digits');

// ───────────────────────────── regime ─────────────────────────────

export const REGIMES = ['trend_up', 'trend_down', 'range', 'volatile', 'unknown'] as const;
export type Regime = (typeof REGIMES)[number];

/** Published by the regime actor on `qt.signal.<symbol>.regime` (and `qt.signal.MARKET.regime`). */
export const RegimeUpdateSchema = z.strictObject({
  symbol: z.string(),
  ts: z.number().int(),
  regime: z.enum(REGIMES),
  /** Volatility (ATR / close) and trend strength behind the label. */
  volatility: z.number().nonnegative(),
  trend: z.number().finite(),
});
export type RegimeUpdate = z.infer<typeof RegimeUpdateSchema>;

// ───────────────────────────── intents ─────────────────────────────

/** How a position opened by an intent should be protected and exited (validated again by the exit brain). */
export const ExitTemplateSchema = z.strictObject({
  /** Stop distance as a fraction of entry (0.02 = 2%), or `stopAtr` × ATR when given and ATR is known. */
  stopPct: z.number().positive().max(0.5).default(0.02),
  stopAtr: z.number().positive().max(20).optional(),
  /** Take-profit ladder: distance (fraction of entry, or × ATR) and fraction of the position. */
  takeProfits: z
    .array(z.strictObject({ pct: z.number().positive().max(5).optional(), atr: z.number().positive().max(50).optional(), fraction: z.number().positive().max(1) }))
    .default([
      { pct: 0.0195, fraction: 0.3 },
      { pct: 0.0325, fraction: 0.3 },
      { pct: 0.052, fraction: 0.4 },
    ]),
  /** Trailing stop once the position is this far in profit; callback as a fraction. */
  trailing: z.strictObject({ activatePct: z.number().positive(), callbackPct: z.number().positive().max(0.05) }).default({ activatePct: 0.01, callbackPct: 0.008 }),
  breakevenAfterTp1: z.boolean().default(true),
});
export type ExitTemplate = z.infer<typeof ExitTemplateSchema>;

/** Strategy → risk, on `qt.intent.<symbol>`. The only way a strategy asks for a trade. */
export const IntentSchema = z.strictObject({
  /** Deterministic: `<symbol>:<signal ts>:<side>`; also the root of every client order id. */
  intentId: z.string().min(3).max(80),
  symbol: sym,
  venue: z.string(),
  ts: z.number().int().nonnegative(),
  kind: z.enum(['entry', 'exit']),
  side: z.enum(['BUY', 'SELL']),
  confidence: z.number().min(0).max(1),
  /** Model version(s) or `fallback:<rule>`. */
  attribution: z.string().min(1),
  /** Reference price (last close) and proposed size. */
  price: pos,
  qty: pos,
  notional: pos,
  leverage: z.number().int().min(1).max(125),
  regime: z.enum(REGIMES).optional(),
  atr: z.number().nonnegative().optional(),
  exit: ExitTemplateSchema.prefault({}),
});
export type Intent = z.infer<typeof IntentSchema>;

// ───────────────────────────── risk ─────────────────────────────

export const RISK_REASONS = [
  'INVALID_INTENT', 'UNKNOWN_SYMBOL', 'DUPLICATE_INTENT', 'STALE_INTENT',
  'KILL_SWITCH', 'TRADING_HALTED', 'TRADING_REDUCING', 'RECONCILING', 'UNPROTECTED_POSITION',
  'MAX_POSITION_NOTIONAL', 'MAX_LEVERAGE', 'MAX_OPEN_POSITIONS', 'MAX_TOTAL_EXPOSURE',
  'MAX_DAILY_LOSS', 'MAX_WEEKLY_DRAWDOWN', 'SYMBOL_CONCENTRATION', 'CLUSTER_CONCENTRATION',
  'COOLDOWN', 'ORDER_RATE', 'ALREADY_IN_POSITION', 'MODEL_SUPERVISOR', 'EQUITY_UNKNOWN',
] as const;
export type RiskReasonCode = (typeof RISK_REASONS)[number];

export const TRADING_STATES = ['ACTIVE', 'REDUCING', 'HALTED'] as const;
export type TradingState = (typeof TRADING_STATES)[number];
export const RISK_MODES = ['SAFE', 'NORMAL', 'AGGRESSIVE', 'CRITICAL'] as const;
export type RiskMode = (typeof RISK_MODES)[number];

export interface RiskReason {
  code: RiskReasonCode;
  /** Human text with the numbers, e.g. "notional 1200 > max 1000". */
  detail: string;
  limit?: number;
  value?: number;
}

/** Risk's answer, journaled on `qt.journal.risk`. */
export interface RiskVerdict {
  intentId: string;
  symbol: string;
  ts: number;
  decision: 'approve' | 'deny';
  reasons: RiskReason[];
  mode: RiskMode;
  tradingState: TradingState;
  /** Size after risk (may be reduced), and the entry order it sent. */
  qty?: number;
  clientOrderId?: string;
  attribution: string;
}

// ───────────────────────────── orders ─────────────────────────────

/** NautilusTrader's OrderStatus (DESIGN.md section 5). */
export const ORDER_STATUSES = [
  'initialized', 'denied', 'submitted', 'accepted', 'rejected', 'canceled', 'expired', 'triggered',
  'pending_update', 'pending_cancel', 'partially_filled', 'filled',
] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export const ORDER_LEGS = ['entry', 'sl', 'tp1', 'tp2', 'tp3', 'trail', 'exit', 'flatten', 'adopt-sl'] as const;
export type OrderLeg = (typeof ORDER_LEGS)[number];

/**
 * Deterministic client order id from intent and leg: the venue's `newClientOrderId` and the
 * `Nats-Msg-Id` of the submit command, so a retry or restart can never duplicate an order.
 * Binance allows ≤ 36 chars of `[.A-Z:/a-z0-9_-]`; `n` distinguishes re-placements (e.g. a moved stop).
 */
export function clientOrderId(intentId: string, leg: OrderLeg, n = 0): string {
  const h = createHash('sha256').update(intentId).digest('base64url').replace(/[^A-Za-z0-9]/g, '').slice(0, 18);
  return `qt${h}-${leg}${n ? `-${n}` : ''}`;
}

export const OrderCommandSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('submit'),
    clientOrderId: z.string().regex(/^[.A-Za-z:/0-9_-]{1,36}$/),
    intentId: z.string(),
    leg: z.enum(ORDER_LEGS),
    symbol: sym,
    side: z.enum(['BUY', 'SELL']),
    orderType: z.enum(['MARKET', 'LIMIT', 'STOP_MARKET', 'TAKE_PROFIT_MARKET', 'TRAILING_STOP_MARKET']),
    qty: pos.optional(),
    price: pos.optional(),
    stopPrice: pos.optional(),
    reduceOnly: z.boolean().default(false),
    closePosition: z.boolean().optional(),
    timeInForce: z.enum(['GTC', 'IOC', 'FOK', 'GTX']).optional(),
    callbackRate: z.number().min(0.1).max(5).optional(),
    activationPrice: pos.optional(),
    /** Price a conditional order triggers on; protective legs use MARK_PRICE. */
    workingType: z.enum(['MARK_PRICE', 'CONTRACT_PRICE']).optional(),
    attribution: z.string(),
    ts: z.number().int(),
  }),
  z.strictObject({ type: z.literal('cancel'), clientOrderId: z.string(), symbol: sym, reason: z.string(), ts: z.number().int() }),
]);
export type OrderCommand = z.infer<typeof OrderCommandSchema>;
export type SubmitCommand = Extract<OrderCommand, { type: 'submit' }>;

/** What the venue said about an order (executor REST answers, user stream, status queries, reconciliation). */
export const VenueReportSchema = z.strictObject({
  type: z.literal('report'),
  source: z.enum(['rest', 'stream', 'query', 'reconcile']),
  clientOrderId: z.string(),
  symbol: sym,
  /** Venue status, plus UNKNOWN (ambiguous, still in flight) and NOT_FOUND (venue proved absence). */
  status: z.enum(['NEW', 'PARTIALLY_FILLED', 'FILLED', 'CANCELED', 'REJECTED', 'EXPIRED', 'UNKNOWN', 'NOT_FOUND']),
  orderId: z.union([z.string(), z.number()]).optional(),
  executedQty: z.number().nonnegative().default(0),
  avgPrice: z.number().nonnegative().default(0),
  /** A trade, when this report carries one. Duplicate trade ids are ignored. */
  fill: z
    .strictObject({ tradeId: z.union([z.string(), z.number()]), price: pos, qty: pos, fee: z.number().default(0), feeAsset: z.string().default('USDT'), realizedPnl: z.number().default(0), maker: z.boolean().default(false), ts: z.number().int() })
    .optional(),
  triggered: z.boolean().optional(),
  reason: z.string().optional(),
  /** Venue error code of a rejection (e.g. -2021), 0 for local refusals. */
  code: z.number().optional(),
  /** Why the adapter refused the order before sending it (`RefusalReason`, e.g. WRONG_SIDE). */
  refusal: z.string().max(40).optional(),
  ts: z.number().int(),
});
export type VenueReport = z.infer<typeof VenueReportSchema>;

/** The orders actor's account of an order, on `qt.order.<symbol>.event`. */
export interface OrderEvent {
  clientOrderId: string;
  intentId: string;
  leg: OrderLeg;
  symbol: string;
  side: 'BUY' | 'SELL';
  status: OrderStatus;
  prev: OrderStatus | null;
  qty: number;
  filledQty: number;
  avgPrice: number;
  fill?: NonNullable<VenueReport['fill']>;
  reason?: string;
  /** A rejection's venue error code (0: refused locally), so readers act on it without parsing `reason`. */
  code?: number;
  /** A local refusal's kind (`RefusalReason`, e.g. WRONG_SIDE). */
  refusal?: string;
  attribution: string;
  ts: number;
}

// ───────────────────────────── positions ─────────────────────────────

export const POSITION_STATES = ['flat', 'opening', 'open', 'reducing', 'closed'] as const;
export type PositionState = (typeof POSITION_STATES)[number];

/** A position actor's state after each change, on `qt.position.<symbol>.<state>`. */
export interface PositionUpdate {
  symbol: string;
  state: PositionState;
  side: 'LONG' | 'SHORT' | null;
  qty: number;
  avgEntry: number;
  markPrice: number;
  realizedPnl: number;
  unrealizedPnl: number;
  fees: number;
  funding: number;
  /** Venue-side stop: confirmed once the venue accepted it. */
  stop: { clientOrderId: string; price: number; confirmed: boolean; sinceTs: number | null } | null;
  /** Since when the position has been open without a confirmed stop (null = protected or flat). */
  unprotectedSince: number | null;
  attribution: string;
  intentId: string | null;
  openedAt: number | null;
  ts: number;
}

/** A validated exit plan: every level positive, on the correct side, rounded to tick. */
export interface ExitPlan {
  symbol: string;
  side: 'LONG' | 'SHORT';
  entry: number;
  qty: number;
  stop: number;
  takeProfits: Array<{ price: number; qty: number; fraction: number }>;
  trailing: { activatePrice: number; callbackPct: number };
  breakevenAfterTp1: boolean;
  tickSize: number;
  stepSize: number;
}

// ───────────────────────────── journal ─────────────────────────────

export const JOURNAL_KINDS = ['signal', 'intent', 'risk', 'order', 'fill', 'exit', 'position', 'pnl', 'reconcile', 'policy', 'model', 'alert', 'account'] as const;
export type JournalKind = (typeof JOURNAL_KINDS)[number];

/** One line of the journal, on `qt.journal.<kind>`: every decision with its reasons and attribution. */
export interface JournalEntry {
  kind: JournalKind;
  ts: number;
  symbol?: string;
  intentId?: string;
  clientOrderId?: string;
  /** Model version(s) or `fallback:<rule>`. */
  attribution?: string;
  summary: string;
  data: Record<string, unknown>;
}

// ───────────────────────────── policy ─────────────────────────────

/** Keys in KV `qt_policy`. */
export const POLICY_KEYS = {
  killSwitch: 'kill_switch',
  riskMode: 'risk_mode',
  reconciling: 'reconciling',
  champion: 'models.champion',
  challenger: 'models.challenger',
  shadow: 'models.shadow',
} as const;
