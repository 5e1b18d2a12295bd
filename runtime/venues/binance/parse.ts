/**
 * Wire → domain conversion (messages.ts → protocols/venue.ts, protocols/market.ts). Pure functions:
 * strings become numbers here and nowhere else.
 */
import type { Candle, Interval, MarkTick, TradeTick } from '../../../protocols/market.js';
import type {
  AccountBalance, AccountUpdateEvent, ExchangeInfo, Fill, FundingPayment, LeverageSetting, VenueOrderStatus, OrderType, OrderUpdateEvent, SymbolRules,
  Ticker24h, TimeInForce, UserStreamEvent, VenueOrder, VenuePosition, WorkingType,
} from '../../../protocols/venue.js';
import type {
  WireBalance, WireExchangeInfo, WireIncome, WsAccountConfigUpdate, WireKlineRow, WireLeverage, WireOrder, WireOrderStatus, WireOrderType, WirePositionMode, WirePositionRisk,
  WireSymbol, WireTicker24h, WsAccountUpdate, WsAggTrade, WsKline, WsMarkPrice, WsOrderTradeUpdate, WsUserPayload,
} from './messages.js';
import { RuntimeError } from '../../errors.js';
import type { PositionMode } from './types.js';

/** Decimal string (or number) → number; absent or blank is 0, garbage is NaN so it shows up in checks. */
export function num(v: string | number | undefined | null): number {
  if (v === undefined || v === null || v === '') return 0;
  return typeof v === 'number' ? v : Number(v);
}

function orderType(t: WireOrderType, orig?: WireOrderType): OrderType {
  const x = orig && orig !== 'LIQUIDATION' ? orig : t;
  if (x === 'STOP') return 'STOP_MARKET';
  if (x === 'TAKE_PROFIT') return 'TAKE_PROFIT_MARKET';
  if (x === 'LIQUIDATION') return 'MARKET';
  return x;
}

function orderStatus(s: WireOrderStatus): VenueOrderStatus {
  return s === 'EXPIRED_IN_MATCH' ? 'EXPIRED' : s;
}

const TIFS: readonly string[] = ['GTC', 'IOC', 'FOK', 'GTX'];
const tif = (f: string | undefined): TimeInForce | undefined => (f && TIFS.includes(f) ? (f as TimeInForce) : undefined);
const working = (w: string | undefined): WorkingType | undefined => (w === 'MARK_PRICE' || w === 'CONTRACT_PRICE' ? w : undefined);

/** REST order (new/query/cancel) → VenueOrder. */
export function parseOrder(w: WireOrder, venue: string): VenueOrder {
  const o: VenueOrder = {
    venue,
    symbol: w.symbol,
    orderId: String(w.orderId),
    clientOrderId: w.clientOrderId,
    side: w.side,
    type: orderType(w.type, w.origType),
    status: orderStatus(w.status),
    qty: num(w.origQty),
    filledQty: num(w.executedQty),
    avgPrice: num(w.avgPrice),
    price: num(w.price),
    stopPrice: num(w.stopPrice),
    reduceOnly: w.reduceOnly,
    closePosition: w.closePosition,
    updateTime: w.updateTime,
  };
  const f = tif(w.timeInForce);
  if (f) o.timeInForce = f;
  const wt = working(w.workingType);
  if (wt) o.workingType = wt;
  if (w.priceRate !== undefined) o.callbackRate = num(w.priceRate);
  if (w.activatePrice !== undefined) o.activationPrice = num(w.activatePrice);
  return o;
}

/** ORDER_TRADE_UPDATE → order event, with the fill when the execution type is TRADE. */
export function parseOrderUpdate(ev: WsOrderTradeUpdate, venue: string): OrderUpdateEvent {
  const b = ev.o;
  const order: VenueOrder = {
    venue,
    symbol: b.s,
    orderId: String(b.i),
    clientOrderId: b.c,
    side: b.S,
    type: orderType(b.o, b.ot),
    status: orderStatus(b.X),
    qty: num(b.q),
    filledQty: num(b.z),
    avgPrice: num(b.ap),
    price: num(b.p),
    stopPrice: num(b.sp),
    reduceOnly: b.R,
    closePosition: b.cp ?? false,
    updateTime: b.T,
  };
  const f = tif(b.f);
  if (f) order.timeInForce = f;
  const wt = working(b.wt);
  if (wt) order.workingType = wt;
  if (b.cr !== undefined) order.callbackRate = num(b.cr);
  if (b.AP !== undefined) order.activationPrice = num(b.AP);
  const out: OrderUpdateEvent = { kind: 'order', ts: ev.E, order };
  if (b.x === 'TRADE') {
    const fill: Fill = {
      venue,
      tradeId: String(b.t),
      orderId: String(b.i),
      clientOrderId: b.c,
      symbol: b.s,
      side: b.S,
      price: num(b.L),
      qty: num(b.l),
      fee: num(b.n),
      feeAsset: b.N ?? 'USDT',
      realizedPnl: num(b.rp),
      ts: b.T,
      maker: b.m,
    };
    out.fill = fill;
  }
  return out;
}

function position(venue: string, symbol: string, amount: number, entry: number, upnl: number, mt: string, ts: number): VenuePosition {
  return {
    venue,
    symbol,
    side: amount > 0 ? 'LONG' : amount < 0 ? 'SHORT' : 'FLAT',
    qty: Math.abs(amount),
    amount,
    entryPrice: entry,
    unrealizedPnl: upnl,
    marginType: mt === 'isolated' ? 'isolated' : 'cross',
    updateTime: ts,
  };
}

/** ACCOUNT_UPDATE → account event. */
export function parseAccountUpdate(ev: WsAccountUpdate, venue: string): AccountUpdateEvent {
  return {
    kind: 'account',
    ts: ev.E,
    reason: ev.a.m,
    balances: ev.a.B.map((b) => ({ venue, asset: b.a, walletBalance: num(b.wb), crossWalletBalance: num(b.cw), updateTime: ev.T })),
    positions: ev.a.P.map((p) => position(venue, p.s, num(p.pa), num(p.ep), num(p.up), p.mt, ev.T)),
  };
}

/** Any user-stream payload → domain event; undefined for payloads we do not act on. */
export function parseUserPayload(p: WsUserPayload, venue: string): UserStreamEvent | undefined {
  switch (p.e) {
    case 'ORDER_TRADE_UPDATE':
      return parseOrderUpdate(p as WsOrderTradeUpdate, venue);
    case 'ACCOUNT_UPDATE':
      return parseAccountUpdate(p as WsAccountUpdate, venue);
    case 'ACCOUNT_CONFIG_UPDATE': {
      const c = p as WsAccountConfigUpdate;
      // Only a symbol's leverage is acted on; the multi-assets switch (`ai`) is not.
      return c.ac?.s ? { kind: 'accountConfig', ts: num(c.E), symbol: c.ac.s, leverage: num(c.ac.l) } : undefined;
    }
    case 'listenKeyExpired':
      return { kind: 'listenKeyExpired', ts: num((p as { E: number | string }).E) };
    default:
      return undefined;
  }
}

/** positionRisk row → position. */
export function parsePosition(w: WirePositionRisk, venue: string): VenuePosition {
  const p = position(venue, w.symbol, num(w.positionAmt), num(w.entryPrice), num(w.unRealizedProfit), w.marginType, w.updateTime);
  p.markPrice = num(w.markPrice);
  p.liquidationPrice = num(w.liquidationPrice);
  if (w.leverage !== undefined) p.leverage = num(w.leverage);
  return p;
}

/** income row (FUNDING_FEE) → funding payment. */
export function parseFunding(w: WireIncome, venue: string): FundingPayment {
  return { venue, symbol: w.symbol, amount: num(w.income), asset: w.asset, time: Number(w.time), tranId: String(w.tranId) };
}

/** balance row → balance. */
export function parseBalance(w: WireBalance, venue: string): AccountBalance {
  return {
    venue,
    asset: w.asset,
    walletBalance: num(w.balance),
    availableBalance: num(w.availableBalance),
    crossWalletBalance: num(w.crossWalletBalance),
    unrealizedPnl: num(w.crossUnPnl),
    updateTime: w.updateTime,
  };
}

export function parseLeverage(w: WireLeverage): LeverageSetting {
  return { symbol: w.symbol, leverage: num(w.leverage), maxNotional: num(w.maxNotionalValue) };
}

/**
 * Position mode of the account. An answer that is neither true nor false proves nothing, so it
 * throws rather than default to the mode we would like to see.
 */
export function parsePositionMode(w: WirePositionMode): PositionMode {
  const v: unknown = (w as { dualSidePosition?: unknown } | null)?.dualSidePosition;
  if (v === true || v === 'true') return 'hedge';
  if (v === false || v === 'false') return 'one-way';
  throw new RuntimeError(`unreadable positionSide/dual answer: ${JSON.stringify(w).slice(0, 200)}`, { retryable: true });
}

/** exchangeInfo symbol → rules; missing filters give permissive defaults (0 / Infinity). */
export function parseSymbolRules(s: WireSymbol): SymbolRules {
  const f = (type: string): Record<string, string | number> => s.filters.find((x) => x.filterType === type) ?? { filterType: type };
  const price = f('PRICE_FILTER');
  const lot = f('LOT_SIZE');
  const mkt = f('MARKET_LOT_SIZE');
  const notional = f('MIN_NOTIONAL');
  const stepSize = num(lot['stepSize']);
  return {
    symbol: s.symbol,
    baseAsset: s.baseAsset,
    quoteAsset: s.quoteAsset,
    status: s.status,
    tickSize: num(price['tickSize']),
    minPrice: num(price['minPrice']),
    maxPrice: num(price['maxPrice']) || Number.POSITIVE_INFINITY,
    stepSize,
    minQty: num(lot['minQty']),
    maxQty: num(lot['maxQty']) || Number.POSITIVE_INFINITY,
    marketStepSize: num(mkt['stepSize']) || stepSize,
    marketMinQty: num(mkt['minQty']) || num(lot['minQty']),
    marketMaxQty: num(mkt['maxQty']) || num(lot['maxQty']) || Number.POSITIVE_INFINITY,
    minNotional: num(notional['notional'] ?? notional['minNotional']),
    pricePrecision: s.pricePrecision,
    qtyPrecision: s.quantityPrecision,
  };
}

export function parseExchangeInfo(w: WireExchangeInfo, venue: string): ExchangeInfo {
  const weight = w.rateLimits.find((r) => r.rateLimitType === 'REQUEST_WEIGHT' && r.interval === 'MINUTE');
  return {
    venue,
    serverTime: w.serverTime,
    weightPerMinute: weight ? weight.limit / Math.max(1, weight.intervalNum) : 2400,
    symbols: w.symbols.map(parseSymbolRules),
  };
}

export function parseTicker24h(w: WireTicker24h, venue: string): Ticker24h {
  return {
    venue,
    symbol: w.symbol,
    lastPrice: num(w.lastPrice),
    openPrice: num(w.openPrice),
    highPrice: num(w.highPrice),
    lowPrice: num(w.lowPrice),
    priceChangePercent: num(w.priceChangePercent),
    volume: num(w.volume),
    quoteVolume: num(w.quoteVolume),
    closeTime: w.closeTime,
  };
}

/** REST kline row → candle. */
export function parseKlineRow(r: WireKlineRow, symbol: string, interval: Interval, venue: string): Candle {
  return {
    venue, symbol, interval, openTime: r[0], closeTime: r[6],
    open: num(r[1]), high: num(r[2]), low: num(r[3]), close: num(r[4]), volume: num(r[5]), quoteVolume: num(r[7]), trades: r[8],
  };
}

/** kline stream payload → candle plus whether it is closed. */
export function parseWsKline(ev: WsKline, venue: string): { candle: Candle; closed: boolean } {
  const k = ev.k;
  const candle: Candle = {
    venue, symbol: ev.s, interval: k.i as Interval, openTime: k.t, closeTime: k.T,
    open: num(k.o), high: num(k.h), low: num(k.l), close: num(k.c), volume: num(k.v), quoteVolume: num(k.q), trades: k.n,
  };
  return { candle, closed: k.x };
}

export function parseAggTrade(ev: WsAggTrade, venue: string): TradeTick {
  return { venue, symbol: ev.s, ts: ev.T, price: num(ev.p), qty: num(ev.q), buyerMaker: ev.m, id: ev.a };
}

export function parseMarkPrice(ev: WsMarkPrice, venue: string): MarkTick {
  const t: MarkTick = { venue, symbol: ev.s, ts: ev.E, markPrice: num(ev.p), fundingRate: num(ev.r) };
  if (ev.i !== undefined && num(ev.i) > 0) t.indexPrice = num(ev.i);
  if (ev.T) t.nextFundingTime = ev.T;
  return t;
}
