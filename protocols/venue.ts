/**
 * Venue domain types: what order, position and account actors see of an exchange, independent of
 * its wire format (Binance raw shapes live in `runtime/venues/binance/messages.ts`). Data only.
 */
import { z } from 'zod';
import { SYMBOL_PATTERN } from './names.js';

export const ORDER_SIDES = ['BUY', 'SELL'] as const;
export type OrderSide = (typeof ORDER_SIDES)[number];

export const ORDER_TYPES = ['MARKET', 'LIMIT', 'STOP_MARKET', 'TAKE_PROFIT_MARKET', 'TRAILING_STOP_MARKET'] as const;
export type OrderType = (typeof ORDER_TYPES)[number];

/** Types that rest un-triggered until a price crosses `stopPrice` / `activationPrice`. */
export const CONDITIONAL_TYPES: readonly OrderType[] = ['STOP_MARKET', 'TAKE_PROFIT_MARKET', 'TRAILING_STOP_MARKET'];

export const TIME_IN_FORCE = ['GTC', 'IOC', 'FOK', 'GTX'] as const;
export type TimeInForce = (typeof TIME_IN_FORCE)[number];

/** Price a conditional order triggers on. */
export const WORKING_TYPES = ['MARK_PRICE', 'CONTRACT_PRICE'] as const;
export type WorkingType = (typeof WORKING_TYPES)[number];

/**
 * Venue order statuses plus `UNKNOWN`: the request left us but its outcome is not proven yet
 * (timeout, 5xx, network error). An UNKNOWN order is in flight, never rejected by assumption.
 */
export const VENUE_ORDER_STATUSES = ['NEW', 'PARTIALLY_FILLED', 'FILLED', 'CANCELED', 'REJECTED', 'EXPIRED', 'UNKNOWN'] as const;
export type VenueOrderStatus = (typeof VENUE_ORDER_STATUSES)[number];

/** Statuses after which nothing more happens to an order. */
export const TERMINAL_STATUSES: readonly VenueOrderStatus[] = ['FILLED', 'CANCELED', 'REJECTED', 'EXPIRED'];

/** Binance's client order id alphabet and length; the id is derived by the caller from intent + leg. */
export const CLIENT_ORDER_ID = /^[.A-Z:/a-z0-9_-]{1,36}$/;

const positiveNum = z.number().finite().positive();

/** An order to place. Numbers are intentions: the adapter rounds them to the venue's grid. */
export const OrderRequestSchema = z.strictObject({
  symbol: z.string().regex(SYMBOL_PATTERN),
  side: z.enum(ORDER_SIDES),
  type: z.enum(ORDER_TYPES),
  /** Contracts (base asset). Absent only with `closePosition`. */
  qty: positiveNum.optional(),
  /** LIMIT only. */
  price: positiveNum.optional(),
  /** STOP_MARKET / TAKE_PROFIT_MARKET trigger. */
  stopPrice: positiveNum.optional(),
  reduceOnly: z.boolean().optional(),
  /** STOP_MARKET / TAKE_PROFIT_MARKET: close the whole position on trigger (no qty). */
  closePosition: z.boolean().optional(),
  /** LIMIT only. @default 'GTC' ('GTX' when postOnly) */
  timeInForce: z.enum(TIME_IN_FORCE).optional(),
  /** LIMIT only: maker or nothing (sent as timeInForce GTX). */
  postOnly: z.boolean().optional(),
  /** TRAILING_STOP_MARKET: percent, 0.1–5. */
  callbackRate: z.number().finite().min(0.1).max(5).optional(),
  /** TRAILING_STOP_MARKET: price at which trailing starts. */
  activationPrice: positiveNum.optional(),
  /** Conditional orders only. @default 'MARK_PRICE' (what the local side checks compare against) */
  workingType: z.enum(WORKING_TYPES).optional(),
  /** Deterministic id (intent + leg): the idempotency key across retries and restarts. */
  clientOrderId: z.string().regex(CLIENT_ORDER_ID, 'clientOrderId: 1-36 of [.A-Za-z0-9:/_-]'),
});
export type OrderRequest = z.infer<typeof OrderRequestSchema>;

/** Why the venue (or the adapter, before sending) turned an order down. */
export interface OrderReject {
  source: 'venue' | 'local';
  /** Venue error code (e.g. -2019), or 0 for local refusals. */
  code: number;
  reason: string;
}

/** The venue's view of one order. */
export interface VenueOrder {
  venue: string;
  symbol: string;
  /** Absent while UNKNOWN and for orders the venue never accepted. */
  orderId?: string;
  clientOrderId: string;
  side: OrderSide;
  type: OrderType;
  status: VenueOrderStatus;
  /** Original quantity (0 with closePosition). */
  qty: number;
  filledQty: number;
  /** Average fill price, 0 before any fill. */
  avgPrice: number;
  /** LIMIT price, 0 otherwise. */
  price: number;
  /** Trigger price, 0 when none. */
  stopPrice: number;
  reduceOnly: boolean;
  closePosition: boolean;
  timeInForce?: TimeInForce;
  workingType?: WorkingType;
  callbackRate?: number;
  activationPrice?: number;
  /** Venue time of the last change, or our clock when UNKNOWN. */
  updateTime: number;
  /** Present when status is REJECTED. */
  reject?: OrderReject;
}

/** One execution. `tradeId` + `symbol` identify it; replays must dedup on it. */
export interface Fill {
  venue: string;
  tradeId: string;
  orderId: string;
  clientOrderId: string;
  symbol: string;
  side: OrderSide;
  price: number;
  qty: number;
  fee: number;
  feeAsset: string;
  realizedPnl: number;
  ts: number;
  maker: boolean;
}

export type PositionSide = 'LONG' | 'SHORT' | 'FLAT';

/** One-way mode position of a symbol. */
export interface VenuePosition {
  venue: string;
  symbol: string;
  side: PositionSide;
  /** Absolute size in contracts. */
  qty: number;
  /** Signed size: positive long, negative short. */
  amount: number;
  entryPrice: number;
  markPrice?: number;
  unrealizedPnl: number;
  leverage?: number;
  liquidationPrice?: number;
  marginType: 'cross' | 'isolated';
  updateTime: number;
}

/** A funding payment on a position (income type FUNDING_FEE): signed, received > 0. */
export interface FundingPayment {
  venue: string;
  symbol: string;
  amount: number;
  asset: string;
  time: number;
  /** The venue's transaction id: unique per payment. */
  tranId: string;
}

/** A margin asset balance. */
export interface AccountBalance {
  venue: string;
  asset: string;
  walletBalance: number;
  /** Absent in ACCOUNT_UPDATE events, which only carry wallet figures. */
  availableBalance?: number;
  crossWalletBalance?: number;
  unrealizedPnl?: number;
  updateTime: number;
}

/** Trading rules of a symbol, from the venue's filters. */
export interface SymbolRules {
  symbol: string;
  baseAsset: string;
  quoteAsset: string;
  status: string;
  tickSize: number;
  minPrice: number;
  maxPrice: number;
  /** LOT_SIZE (LIMIT orders). */
  stepSize: number;
  minQty: number;
  maxQty: number;
  /** MARKET_LOT_SIZE (market and conditional orders). */
  marketStepSize: number;
  marketMinQty: number;
  marketMaxQty: number;
  minNotional: number;
  pricePrecision: number;
  qtyPrecision: number;
}

/** Exchange-wide reference data. */
export interface ExchangeInfo {
  venue: string;
  serverTime: number;
  /** REQUEST_WEIGHT per minute, the budget the adapter paces against. */
  weightPerMinute: number;
  symbols: SymbolRules[];
}

/** 24h rolling statistics of a symbol (universe selection by volume). */
export interface Ticker24h {
  venue: string;
  symbol: string;
  lastPrice: number;
  openPrice: number;
  highPrice: number;
  lowPrice: number;
  priceChangePercent: number;
  volume: number;
  quoteVolume: number;
  closeTime: number;
}

/** Result of a leverage change. */
export interface LeverageSetting {
  symbol: string;
  leverage: number;
  maxNotional: number;
}

/** Order update from the user stream; `fill` is present when this update is an execution. */
export interface OrderUpdateEvent {
  kind: 'order';
  ts: number;
  order: VenueOrder;
  fill?: Fill;
}

/** Balance/position changes from the user stream. */
export interface AccountUpdateEvent {
  kind: 'account';
  ts: number;
  reason: string;
  balances: AccountBalance[];
  positions: VenuePosition[];
}

/** ACCOUNT_CONFIG_UPDATE for a symbol's leverage (changed by anyone: us, another client, the web UI). */
export interface AccountConfigEvent {
  kind: 'accountConfig';
  ts: number;
  symbol: string;
  leverage: number;
}

/** The stream key expired: events may have been missed until renewal; a resync follows. */
export interface ListenKeyExpiredEvent {
  kind: 'listenKeyExpired';
  ts: number;
}

/** Domain events of the user data stream. */
export type UserStreamEvent = OrderUpdateEvent | AccountUpdateEvent | AccountConfigEvent | ListenKeyExpiredEvent;
