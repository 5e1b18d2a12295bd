/**
 * Public API of the simulator's matching engine (Binance USD-M futures, one-way mode).
 *
 * Views returned to callers are **Binance wire-shaped** (decimal strings, Binance field names), so the
 * loopback REST/WS server can serialise them as they are. Inputs are loose on purpose (strings or numbers,
 * every field optional) because the server passes query parameters straight through and the engine owns
 * validation, which is how it can answer with Binance's own error codes (-1102, -1111, -4164, ...).
 *
 * Stability: this file is the contract with `runtime/venues/sim/server/`; add fields, never rename.
 */
import type { Clock } from '../../../clock/index.js';

export type OrderSide = 'BUY' | 'SELL';
export type OrderType = 'MARKET' | 'LIMIT' | 'STOP_MARKET' | 'TAKE_PROFIT_MARKET' | 'TRAILING_STOP_MARKET';
/** GTX is Binance's post-only. */
export type TimeInForce = 'GTC' | 'IOC' | 'FOK' | 'GTX';
export type WorkingType = 'MARK_PRICE' | 'CONTRACT_PRICE';
export type VenueOrderStatus = 'NEW' | 'PARTIALLY_FILLED' | 'FILLED' | 'CANCELED' | 'REJECTED' | 'EXPIRED';
/** Execution type `x` of ORDER_TRADE_UPDATE. */
export type ExecutionType = 'NEW' | 'CANCELED' | 'CALCULATED' | 'EXPIRED' | 'TRADE';
/** Request-side margin type (POST /fapi/v1/marginType). Position views use lowercase `cross`/`isolated` like Binance. */
export type MarginType = 'CROSSED' | 'ISOLATED';
type NumLike = string | number;
type BoolLike = boolean | 'true' | 'false';

/** Parameters of POST /fapi/v1/order, as Binance names them. The engine validates everything. */
export interface NewOrderInput {
  symbol?: string;
  side?: OrderSide | (string & {});
  type?: OrderType | (string & {});
  /** Required for LIMIT; ignored otherwise. */
  timeInForce?: TimeInForce | (string & {});
  quantity?: NumLike;
  price?: NumLike;
  stopPrice?: NumLike;
  /** TRAILING_STOP_MARKET: defaults to the current price of `workingType`. */
  activationPrice?: NumLike;
  /** TRAILING_STOP_MARKET: percent, 0.1–5. */
  callbackRate?: NumLike;
  reduceOnly?: BoolLike;
  /** STOP_MARKET / TAKE_PROFIT_MARKET only; closes the whole position at trigger, quantity must be absent. */
  closePosition?: BoolLike;
  /** @default 'CONTRACT_PRICE' */
  workingType?: WorkingType | (string & {});
  priceProtect?: BoolLike;
  /** Max 36 chars. Must be unique across open AND historical orders of the symbol (stricter than Binance). */
  newClientOrderId?: string;
  /** Only 'BOTH' (one-way mode) is accepted. */
  positionSide?: string;
  newOrderRespType?: 'ACK' | 'RESULT' | (string & {});
}

/** Identify an order by `orderId` or `origClientOrderId` (Binance: one of them is mandatory, -1102). */
export interface OrderRef {
  orderId?: NumLike;
  origClientOrderId?: string;
}

/** GET /fapi/v1/order response shape. */
export interface OrderView {
  orderId: number;
  symbol: string;
  status: VenueOrderStatus;
  clientOrderId: string;
  price: string;
  avgPrice: string;
  origQty: string;
  executedQty: string;
  cumQty: string;
  cumQuote: string;
  timeInForce: TimeInForce;
  type: OrderType;
  reduceOnly: boolean;
  closePosition: boolean;
  side: OrderSide;
  positionSide: 'BOTH';
  stopPrice: string;
  workingType: WorkingType;
  priceProtect: boolean;
  origType: OrderType;
  priceMatch: 'NONE';
  selfTradePreventionMode: 'NONE';
  goodTillDate: number;
  time: number;
  updateTime: number;
  /** TRAILING_STOP_MARKET only. */
  activatePrice?: string;
  /** TRAILING_STOP_MARKET only (callbackRate). */
  priceRate?: string;
}

/** GET /fapi/v1/userTrades row. */
export interface UserTradeView {
  symbol: string;
  id: number;
  orderId: number;
  side: OrderSide;
  price: string;
  qty: string;
  realizedPnl: string;
  quoteQty: string;
  commission: string;
  commissionAsset: 'USDT';
  time: number;
  positionSide: 'BOTH';
  buyer: boolean;
  maker: boolean;
}

export type IncomeType = 'TRANSFER' | 'REALIZED_PNL' | 'FUNDING_FEE' | 'COMMISSION' | 'INSURANCE_CLEAR';

/** GET /fapi/v1/income row. */
export interface IncomeView {
  symbol: string;
  incomeType: IncomeType;
  income: string;
  asset: 'USDT';
  info: string;
  time: number;
  tranId: number;
  tradeId: string;
}

/** GET /fapi/v2/positionRisk row (one-way mode, so positionSide is always BOTH). */
export interface PositionView {
  symbol: string;
  positionAmt: string;
  entryPrice: string;
  breakEvenPrice: string;
  markPrice: string;
  unRealizedProfit: string;
  liquidationPrice: string;
  leverage: string;
  maxNotionalValue: string;
  marginType: 'cross' | 'isolated';
  isolatedMargin: string;
  isAutoAddMargin: 'false';
  positionSide: 'BOTH';
  notional: string;
  isolatedWallet: string;
  updateTime: number;
}

/** Asset row of GET /fapi/v2/account (USDT only). */
export interface AccountAssetView {
  asset: 'USDT';
  walletBalance: string;
  unrealizedProfit: string;
  marginBalance: string;
  maintMargin: string;
  initialMargin: string;
  positionInitialMargin: string;
  openOrderInitialMargin: string;
  crossWalletBalance: string;
  crossUnPnl: string;
  availableBalance: string;
  maxWithdrawAvailable: string;
  marginAvailable: boolean;
  updateTime: number;
}

/** Position row of GET /fapi/v2/account. */
export interface AccountPositionView {
  symbol: string;
  initialMargin: string;
  maintMargin: string;
  unrealizedProfit: string;
  positionInitialMargin: string;
  openOrderInitialMargin: string;
  leverage: string;
  isolated: boolean;
  entryPrice: string;
  maxNotional: string;
  positionSide: 'BOTH';
  positionAmt: string;
  notional: string;
  isolatedWallet: string;
  updateTime: number;
}

/** GET /fapi/v2/account response. */
export interface AccountView {
  feeTier: number;
  canTrade: boolean;
  canDeposit: boolean;
  canWithdraw: boolean;
  updateTime: number;
  totalInitialMargin: string;
  totalMaintMargin: string;
  totalWalletBalance: string;
  totalUnrealizedProfit: string;
  totalMarginBalance: string;
  totalPositionInitialMargin: string;
  totalOpenOrderInitialMargin: string;
  totalCrossWalletBalance: string;
  totalCrossUnPnl: string;
  availableBalance: string;
  maxWithdrawAvailable: string;
  assets: AccountAssetView[];
  positions: AccountPositionView[];
}

/** GET /fapi/v2/balance row. */
export interface BalanceView {
  accountAlias: string;
  asset: 'USDT';
  balance: string;
  crossWalletBalance: string;
  crossUnPnl: string;
  availableBalance: string;
  maxWithdrawAvailable: string;
  marginAvailable: boolean;
  updateTime: number;
}

/** POST /fapi/v1/leverage response. */
export interface LeverageView {
  leverage: number;
  maxNotionalValue: string;
  symbol: string;
}

/** Static trading rules of one symbol (numbers; the engine derives exchangeInfo strings from them). */
export interface SymbolSpec {
  symbol: string;
  baseAsset: string;
  quoteAsset: 'USDT';
  pricePrecision: number;
  quantityPrecision: number;
  tickSize: number;
  minPrice: number;
  maxPrice: number;
  stepSize: number;
  minQty: number;
  maxQty: number;
  marketStepSize: number;
  marketMinQty: number;
  marketMaxQty: number;
  /** MIN_NOTIONAL.notional (USDT). @default 5 (100 for BTCUSDT/ETHUSDT on Binance; we use 5 everywhere unless set) */
  minNotional: number;
  /** PERCENT_PRICE filter: limit price must lie in [mark*multiplierDown, mark*multiplierUp]. */
  multiplierUp: number;
  multiplierDown: number;
  multiplierDecimal: number;
  /** Maintenance margin rate of the first bracket (single bracket model). */
  maintMarginRate: number;
  /** @default 125 */
  maxLeverage: number;
  /** Max open orders per symbol (MAX_NUM_ORDERS). @default 200 */
  maxNumOrders: number;
}

/** A Binance exchange filter as it appears in exchangeInfo. */
export type SymbolFilterView = { filterType: string } & Record<string, string | number>;

/** GET /fapi/v1/exchangeInfo response (subset that clients read). */
export interface ExchangeInfoView {
  timezone: 'UTC';
  serverTime: number;
  futuresType: 'U_MARGINED';
  rateLimits: Array<{ rateLimitType: string; interval: string; intervalNum: number; limit: number }>;
  exchangeFilters: never[];
  assets: Array<{ asset: string; marginAvailable: boolean; autoAssetExchange: string }>;
  symbols: Array<{
    symbol: string;
    pair: string;
    contractType: 'PERPETUAL';
    deliveryDate: number;
    onboardDate: number;
    status: 'TRADING';
    maintMarginPercent: string;
    requiredMarginPercent: string;
    baseAsset: string;
    quoteAsset: string;
    marginAsset: string;
    pricePrecision: number;
    quantityPrecision: number;
    baseAssetPrecision: number;
    quotePrecision: number;
    underlyingType: 'COIN';
    triggerProtect: string;
    liquidationFee: string;
    marketTakeBound: string;
    filters: SymbolFilterView[];
    orderTypes: OrderType[];
    timeInForce: TimeInForce[];
  }>;
}

export type * from './market-views.js';
import type {
  AggTradeView, BookTickerView, DepthView, FundingRateView, KlineRow, PremiumIndexView, Ticker24hView, TickerPriceView,
} from './market-views.js';

// ---------------------------------------------------------------- market input (domain, numbers)

/**
 * What the market-data layer feeds into the engine (`engine.ingest`). Numbers, not strings: these stay
 * in-process. The engine turns them into wire-shaped market events for subscribers.
 */
export type MarketUpdate =
  | { kind: 'trade'; symbol: string; time: number; price: number; qty: number; isBuyerMaker: boolean }
  | { kind: 'mark'; symbol: string; time: number; markPrice: number; indexPrice: number; fundingRate: number; nextFundingTime: number }
  | { kind: 'book'; symbol: string; time: number; bid: number; ask: number; bidQty: number; askQty: number }
  | { kind: 'kline'; symbol: string; kline: Kline1m; closed: boolean };

/** A 1m candle in numbers (also the unit of candle replay). */
export interface Kline1m {
  openTime: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  quoteVolume: number;
  trades: number;
  takerBuyVolume: number;
}

// ---------------------------------------------------------------- events (Binance wire shape): see events.ts
export type * from './events.js';
import type { MarketEvent, UserEvent } from './events.js';

// ---------------------------------------------------------------- history (for invariant checks)

/** A rejected placement attempt: Binance does not store these, we keep them for audits and tests. */
export interface RejectRecord { time: number; input: NewOrderInput; code: number; msg: string }

/** Everything that happened, in order. Views are snapshots in their final state. */
export interface EngineHistory {
  /** Every accepted order (all statuses), including liquidation orders (clientOrderId `autoclose-…`). */
  orders: OrderView[];
  trades: UserTradeView[];
  income: IncomeView[];
  rejects: RejectRecord[];
  /** orderIds of liquidation orders. */
  liquidations: number[];
}

// ---------------------------------------------------------------- options and the engine

/** Synthetic liquidity around the last price. */
export interface BookOptions {
  /** Half-spread in ticks (best bid = last - half, best ask = last + half). @default 1 */
  halfSpreadTicks?: number;
  /** Number of levels per side. @default 20 */
  levels?: number;
  /** Distance between levels in basis points of price (at least 1 tick). @default 1 */
  levelStepBps?: number;
  /** Notional (USDT) at the best level; deeper levels grow linearly. @default 50_000 */
  topLevelNotional?: number;
  /** Growth of level size per level (size_i = top * (1 + growth * i)). @default 0.25 */
  levelGrowth?: number;
}

/** How resting orders fill on trade prints. */
export interface FillOptions {
  /** Share of a print's quantity available to our resting orders when the print trades *through* our price. @default 1 */
  throughParticipation?: number;
  /** Share of a print's quantity available when it trades exactly *at* our price (queue position). @default 0.3 */
  touchParticipation?: number;
}

/** Options of `createSimEngine`. Unknown keys are rejected. */
export interface SimEngineOptions {
  clock: Clock;
  /** Symbol rules; missing fields get defaults derived from `tickSize`. */
  symbols: Array<Partial<SymbolSpec> & { symbol: string; tickSize: number; stepSize: number }>;
  /** Seed of every random choice the engine makes. @default 1 */
  seed?: number;
  /** USDT wallet at start. @default 10_000 */
  initialBalance?: number;
  /** @default 0.0002 */
  makerFee?: number;
  /** @default 0.0005 */
  takerFee?: number;
  /** Leverage of a symbol before setLeverage. @default 20 */
  defaultLeverage?: number;
  /** @default 'CROSSED' */
  defaultMarginType?: MarginType;
  /** Funding settles every this many ms, aligned to UTC midnight. @default 28_800_000 */
  fundingIntervalMs?: number;
  /** 1m klines kept per symbol for REST klines. @default 1500 */
  klineHistory?: number;
  book?: BookOptions;
  fills?: FillOptions;
}

/**
 * The matching engine. Every method is synchronous and deterministic given the seed, the clock and the
 * sequence of calls. Failures throw `SimVenueError` (see `errors.ts`) carrying Binance `{code, msg}` and HTTP 400.
 */
export interface SimEngine {
  readonly clock: Clock;

  // trading (signed endpoints)
  placeOrder(input: NewOrderInput): OrderView;
  cancelOrder(symbol: string, ref: OrderRef): OrderView;
  cancelAllOrders(symbol: string): OrderView[];
  getOrder(symbol: string, ref: OrderRef): OrderView;
  openOrders(symbol?: string): OrderView[];
  allOrders(symbol: string, q?: { orderId?: number; startTime?: number; endTime?: number; limit?: number }): OrderView[];
  userTrades(symbol: string, q?: { startTime?: number; endTime?: number; fromId?: number; limit?: number }): UserTradeView[];
  income(q?: { symbol?: string; incomeType?: IncomeType; startTime?: number; endTime?: number; limit?: number }): IncomeView[];
  positions(symbol?: string): PositionView[];
  account(): AccountView;
  balance(): BalanceView[];
  setLeverage(symbol: string, leverage: NumLike): LeverageView;
  setMarginType(symbol: string, marginType: string): void;

  // reference and market data (public endpoints)
  exchangeInfo(): ExchangeInfoView;
  spec(symbol: string): SymbolSpec;
  symbols(): string[];
  ingest(update: MarketUpdate): void;
  klines(symbol: string, interval: string, q?: { startTime?: number; endTime?: number; limit?: number }): KlineRow[];
  depth(symbol: string, limit?: number): DepthView;
  bookTicker(symbol: string): BookTickerView;
  tickerPrice(symbol: string): TickerPriceView;
  premiumIndex(symbol: string): PremiumIndexView;
  ticker24hr(symbol: string): Ticker24hView;
  aggTrades(symbol: string, q?: { limit?: number }): AggTradeView[];
  fundingRates(symbol: string, q?: { limit?: number }): FundingRateView[];

  // streams and audit
  subscribeUser(listener: (ev: UserEvent) => void): () => void;
  subscribeMarket(listener: (ev: MarketEvent) => void): () => void;
  history(): EngineHistory;
  /** Cancels the funding timer; the engine stays readable. */
  close(): void;
}
