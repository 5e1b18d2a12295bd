/**
 * The public surface of the Binance USD-M adapter. Everything behind it (ccxt, opossum, sockets)
 * stays internal to this folder.
 */
import type { Candle, Interval, MarkTick, TradeTick } from '../../../protocols/market.js';
import type {
  AccountBalance, ExchangeInfo, FundingPayment, LeverageSetting, OrderRequest, SymbolRules, Ticker24h, UserStreamEvent, VenueOrder, VenuePosition,
} from '../../../protocols/venue.js';
import type { BreakerEvent, BreakerName, BreakerSnapshot } from './breakers.js';
import type { WeightState } from './budget.js';
import type { BinanceMode } from './options.js';
import type { Subscription } from './stream-hub.js';
import type { ResyncSnapshot } from './user-stream.js';

/** The account's position mode: one-way (positionSide BOTH) or hedge (LONG and SHORT per symbol). */
export type PositionMode = 'one-way' | 'hedge';

/** Breakers and request budget, for metrics and `qt status`. */
export interface VenueHealth {
  breakers: Record<BreakerName, BreakerSnapshot>;
  weight: WeightState;
  /** Opens of the market-data socket so far (1 = never reconnected). */
  marketSocketOpens: number;
}

/** A Binance USD-M futures venue (or the simulator behind the same wire protocol). */
export interface BinanceVenue {
  /** Name used in domain events ('sim', 'binance'). */
  readonly venue: string;
  readonly mode: BinanceMode;

  /** Reference data; cached after the first call unless `refresh`. */
  exchangeInfo(opts?: { refresh?: boolean }): Promise<ExchangeInfo>;
  /** Rules of one symbol; throws OrderRefusedError(UNKNOWN_SYMBOL) for a symbol the venue does not list. */
  rules(symbol: string): Promise<SymbolRules>;
  /** Tradable symbols. */
  markets(): Promise<SymbolRules[]>;
  /** 24h statistics of every symbol. */
  ticker24h(): Promise<Ticker24h[]>;
  /** Current mark price and funding (REST). */
  markPrice(symbol: string): Promise<MarkTick>;
  /** Candles with openTime in [from, to] (to absent: up to now), paginated; the newest may still be open. */
  klines(symbol: string, interval: Interval, from: number, to?: number): Promise<Candle[]>;

  /**
   * Validates, rounds and places an order, returning the venue's settled view. Ambiguous outcomes
   * (timeout, 5xx, network) are resolved by querying the clientOrderId; the result is UNKNOWN only
   * when the query budget ran out. Throws OrderRefusedError (nothing sent), RateLimitedError or
   * CircuitOpenError (not executed); never throws on ambiguity.
   */
  placeOrder(req: OrderRequest): Promise<VenueOrder>;
  /** Cancels; returns the order's resulting state (FILLED if it filled first), undefined if unknown to the venue. */
  cancelOrder(symbol: string, clientOrderId: string): Promise<VenueOrder | undefined>;
  /** The venue's record, or undefined when it has none (-2013). */
  getOrder(symbol: string, clientOrderId: string): Promise<VenueOrder | undefined>;
  openOrders(symbol?: string): Promise<VenueOrder[]>;
  /** Non-flat positions; with `symbol`, that symbol's row even when flat. */
  positions(symbol?: string): Promise<VenuePosition[]>;
  balances(): Promise<AccountBalance[]>;
  /** Funding payments since `startTime` (ms), oldest first, at most `limit` (≤ 1000) of them. */
  fundingPayments(startTime: number, limit?: number): Promise<FundingPayment[]>;
  /** Sets a symbol's leverage (idempotent); a definite refusal throws VenueRejectError. */
  setLeverage(symbol: string, leverage: number): Promise<LeverageSetting>;
  /** The account's position mode (GET /fapi/v1/positionSide/dual). */
  positionMode(): Promise<PositionMode>;
  /** Whether the account pays fees in BNB (GET /fapi/v1/feeBurn). */
  feeBurn(): Promise<boolean>;
  /** Whether the account is in multi-assets margin mode (GET /fapi/v1/multiAssetsMargin). */
  multiAssetsMargin(): Promise<boolean>;

  /** Closed candles only, gap-free and de-duplicated per (symbol, interval), REST-backfilled after gaps. */
  subscribeCandles(symbols: string[], intervals: Interval[], onCandle: (c: Candle) => void): Subscription;
  /** Mark price every second per symbol; also keeps the mark cache that order checks read. */
  subscribeMarks(symbols: string[], onMark: (m: MarkTick) => void): Subscription;
  subscribeTrades(symbols: string[], onTrade: (t: TradeTick) => void): Subscription;
  /**
   * User data stream with listenKey keep-alive and renewal. `onResync` receives a REST snapshot
   * after every reconnect or key renewal, when stream events may have been missed.
   */
  userStream(onEvent: (e: UserStreamEvent) => void, onResync: (s: ResyncSnapshot) => void): Subscription;

  breakerState(): VenueHealth;
  /** Breaker state changes; returns the unsubscribe function. */
  onBreakerEvent(listener: (e: BreakerEvent) => void): () => void;
  /** Closes sockets, listenKeys and breaker timers. */
  close(): Promise<void>;
}
