/**
 * Public market-data REST views (klines, depth, tickers, premium index, aggTrades, funding history).
 * Split from `types.ts` for size; `types.ts` re-exports everything here.
 */

/** Kline row of GET /fapi/v1/klines: [openTime, o, h, l, c, v, closeTime, quoteVol, trades, takerBuyBase, takerBuyQuote, ignore]. */
export type KlineRow = [number, string, string, string, string, string, number, string, number, string, string, string];

export interface DepthView {
  lastUpdateId: number;
  E: number;
  T: number;
  bids: [string, string][];
  asks: [string, string][];
}

export interface BookTickerView {
  symbol: string;
  bidPrice: string;
  bidQty: string;
  askPrice: string;
  askQty: string;
  time: number;
}

/** GET /fapi/v1/premiumIndex row. */
export interface PremiumIndexView {
  symbol: string;
  markPrice: string;
  indexPrice: string;
  estimatedSettlePrice: string;
  lastFundingRate: string;
  interestRate: string;
  nextFundingTime: number;
  time: number;
}

export interface TickerPriceView {
  symbol: string;
  price: string;
  time: number;
}

/** GET /fapi/v1/ticker/24hr row. */
export interface Ticker24hView {
  symbol: string;
  priceChange: string;
  priceChangePercent: string;
  weightedAvgPrice: string;
  lastPrice: string;
  lastQty: string;
  openPrice: string;
  highPrice: string;
  lowPrice: string;
  volume: string;
  quoteVolume: string;
  openTime: number;
  closeTime: number;
  firstId: number;
  lastId: number;
  count: number;
}

/** GET /fapi/v1/aggTrades row. */
export interface AggTradeView {
  a: number;
  p: string;
  q: string;
  f: number;
  l: number;
  T: number;
  m: boolean;
}

/** GET /fapi/v1/fundingRate row. */
export interface FundingRateView {
  symbol: string;
  fundingRate: string;
  fundingTime: number;
  markPrice: string;
}

