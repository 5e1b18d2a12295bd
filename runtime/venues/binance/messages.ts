/**
 * Binance USD-M futures wire shapes, exactly as the venue sends them (decimal strings, one-letter
 * stream keys). Nothing outside this folder sees these; `parse.ts` turns them into domain types.
 */

export type WireSide = 'BUY' | 'SELL';
export type WireOrderType = 'MARKET' | 'LIMIT' | 'STOP_MARKET' | 'TAKE_PROFIT_MARKET' | 'TRAILING_STOP_MARKET' | 'STOP' | 'TAKE_PROFIT' | 'LIQUIDATION';
export type WireOrderStatus = 'NEW' | 'PARTIALLY_FILLED' | 'FILLED' | 'CANCELED' | 'REJECTED' | 'EXPIRED' | 'EXPIRED_IN_MATCH';

/** `{code, msg}` error body. */
export interface WireError {
  code: number;
  msg: string;
}

/** POST/GET/DELETE /fapi/v1/order and rows of openOrders/allOrders. */
export interface WireOrder {
  orderId: number | string;
  symbol: string;
  status: WireOrderStatus;
  clientOrderId: string;
  price: string;
  avgPrice: string;
  origQty: string;
  executedQty: string;
  cumQuote?: string;
  timeInForce: string;
  type: WireOrderType;
  origType?: WireOrderType;
  reduceOnly: boolean;
  closePosition: boolean;
  side: WireSide;
  positionSide?: string;
  stopPrice: string;
  workingType?: string;
  activatePrice?: string;
  priceRate?: string;
  time?: number;
  updateTime: number;
}

export interface WireFilter {
  filterType: string;
  [k: string]: string | number;
}

/** One symbol of GET /fapi/v1/exchangeInfo. */
export interface WireSymbol {
  symbol: string;
  status: string;
  contractType?: string;
  baseAsset: string;
  quoteAsset: string;
  pricePrecision: number;
  quantityPrecision: number;
  filters: WireFilter[];
}

export interface WireExchangeInfo {
  serverTime: number;
  rateLimits: Array<{ rateLimitType: string; interval: string; intervalNum: number; limit: number }>;
  symbols: WireSymbol[];
}

/** GET /fapi/v2/positionRisk row. */
export interface WirePositionRisk {
  symbol: string;
  positionAmt: string;
  entryPrice: string;
  markPrice: string;
  unRealizedProfit: string;
  liquidationPrice: string;
  leverage?: string;
  marginType: 'cross' | 'isolated' | string;
  updateTime: number;
}

/** GET /fapi/v2/balance row. */
export interface WireBalance {
  asset: string;
  balance: string;
  crossWalletBalance: string;
  crossUnPnl: string;
  availableBalance: string;
  updateTime: number;
}

/** GET /fapi/v1/income row. */
export interface WireIncome {
  symbol: string;
  incomeType: string;
  income: string;
  asset: string;
  time: number;
  tranId: number | string;
}

/** POST /fapi/v1/leverage. */
/** GET /fapi/v1/positionSide/dual. */
export interface WirePositionMode {
  /** true: hedge mode (LONG/SHORT positions per symbol); false: one-way (BOTH). */
  dualSidePosition: boolean;
}

export interface WireLeverage {
  leverage: number;
  maxNotionalValue: string;
  symbol: string;
}

/** GET /fapi/v1/klines row: [openTime, o, h, l, c, v, closeTime, quoteVol, trades, takerBuyBase, takerBuyQuote, ignore]. */
export type WireKlineRow = [number, string, string, string, string, string, number, string, number, string, string, string];

/** GET /fapi/v1/ticker/24hr row. */
export interface WireTicker24h {
  symbol: string;
  lastPrice: string;
  openPrice: string;
  highPrice: string;
  lowPrice: string;
  priceChangePercent: string;
  volume: string;
  quoteVolume: string;
  closeTime: number;
}

/** GET /fapi/v1/premiumIndex (one symbol). */
export interface WirePremiumIndex {
  symbol: string;
  markPrice: string;
  indexPrice: string;
  lastFundingRate: string;
  nextFundingTime: number;
  time: number;
}

// ------------------------------------------------------------------------- WebSocket payloads

export interface WsKline {
  e: 'kline';
  E: number;
  s: string;
  k: { t: number; T: number; s: string; i: string; o: string; c: string; h: string; l: string; v: string; n: number; x: boolean; q: string };
}
export interface WsAggTrade { e: 'aggTrade'; E: number; s: string; a: number; p: string; q: string; T: number; m: boolean }
export interface WsMarkPrice { e: 'markPriceUpdate'; E: number; s: string; p: string; i: string; r: string; T: number }
export interface WsBookTicker { e: 'bookTicker'; u: number; E: number; T: number; s: string; b: string; B: string; a: string; A: string }

/** `o` of ORDER_TRADE_UPDATE. */
export interface WsOrderBody {
  s: string; c: string; S: WireSide; o: WireOrderType; f: string; q: string; p: string; ap: string; sp: string;
  x: string; X: WireOrderStatus; i: number; l: string; z: string; L: string; N?: string; n?: string; T: number; t: number;
  m: boolean; R: boolean; wt?: string; ot?: WireOrderType; cp?: boolean; AP?: string; cr?: string; rp?: string;
}
export interface WsOrderTradeUpdate { e: 'ORDER_TRADE_UPDATE'; E: number; T: number; o: WsOrderBody }
export interface WsAccountUpdate {
  e: 'ACCOUNT_UPDATE';
  E: number;
  T: number;
  a: {
    m: string;
    B: Array<{ a: string; wb: string; cw: string; bc?: string }>;
    P: Array<{ s: string; pa: string; ep: string; up: string; mt: string; ps?: string }>;
  };
}
export interface WsListenKeyExpired { e: 'listenKeyExpired'; E: number | string; listenKey?: string }

/** Payloads of the user data stream we act on (others are ignored). */
/** ACCOUNT_CONFIG_UPDATE: `ac` for a symbol's leverage, `ai` for the multi-assets mode. */
export interface WsAccountConfigUpdate {
  e: 'ACCOUNT_CONFIG_UPDATE';
  E: number;
  T: number;
  ac?: { s: string; l: number | string };
  ai?: { j: boolean };
}

export type WsUserPayload = WsOrderTradeUpdate | WsAccountUpdate | WsAccountConfigUpdate | WsListenKeyExpired | { e: string };

/** Envelope of the combined stream endpoint (`/stream?streams=`). */
export interface WsCombined<T = unknown> {
  stream: string;
  data: T;
}
