/** The engine's mutable order record and its two wire projections (REST view, user-stream body). */
import { fmt, fmtUsd, roundTo } from './num.js';
import type {
  ExecutionType, OrderSide, VenueOrderStatus, OrderTradeUpdateBody, OrderType, OrderView, SymbolSpec, TimeInForce, WorkingType,
} from './types.js';

/** Internal order. Quantities/prices are grid-snapped numbers; `qty` is 0 for closePosition until it triggers. */
export interface Order {
  orderId: number;
  symbol: string;
  clientOrderId: string;
  side: OrderSide;
  type: OrderType;
  tif: TimeInForce;
  qty: number;
  price: number;
  stopPrice: number;
  activationPrice: number;
  callbackRate: number;
  workingType: WorkingType;
  reduceOnly: boolean;
  closePosition: boolean;
  priceProtect: boolean;
  status: VenueOrderStatus;
  executedQty: number;
  cumQuote: number;
  time: number;
  updateTime: number;
  /** Trailing stop: activated, and the best price seen since (highest for SELL, lowest for BUY). */
  trailActive: boolean;
  trailExtreme: number;
  /** Conditional order fired and is now executing as a market order. */
  triggered: boolean;
  /** Initial margin reserved per unit of unfilled quantity (LIMIT orders that add exposure). */
  imPerQty: number;
  isLiquidation: boolean;
}

export const isConditional = (t: OrderType): boolean =>
  t === 'STOP_MARKET' || t === 'TAKE_PROFIT_MARKET' || t === 'TRAILING_STOP_MARKET';

export const isOpen = (o: Order): boolean => o.status === 'NEW' || o.status === 'PARTIALLY_FILLED';

export const remaining = (o: Order, s: SymbolSpec): number => roundTo(o.qty - o.executedQty, s.quantityPrecision);

/** avgPrice carries a few more decimals than the tick, as Binance's does. */
const avgDecimals = (s: SymbolSpec): number => Math.min(10, s.pricePrecision + 4);

export function avgPrice(o: Order): number {
  return o.executedQty > 0 ? o.cumQuote / o.executedQty : 0;
}

/** GET /fapi/v1/order shape. */
export function toView(o: Order, s: SymbolSpec): OrderView {
  const v: OrderView = {
    orderId: o.orderId,
    symbol: o.symbol,
    status: o.status,
    clientOrderId: o.clientOrderId,
    price: fmt(o.price, s.pricePrecision),
    avgPrice: fmt(avgPrice(o), avgDecimals(s)),
    origQty: fmt(o.qty, s.quantityPrecision),
    executedQty: fmt(o.executedQty, s.quantityPrecision),
    cumQty: fmt(o.executedQty, s.quantityPrecision),
    cumQuote: fmtUsd(o.cumQuote),
    timeInForce: o.tif,
    type: o.type,
    reduceOnly: o.reduceOnly,
    closePosition: o.closePosition,
    side: o.side,
    positionSide: 'BOTH',
    stopPrice: fmt(o.stopPrice, s.pricePrecision),
    workingType: o.workingType,
    priceProtect: o.priceProtect,
    origType: o.type,
    priceMatch: 'NONE',
    selfTradePreventionMode: 'NONE',
    goodTillDate: 0,
    time: o.time,
    updateTime: o.updateTime,
  };
  if (o.type === 'TRAILING_STOP_MARKET') {
    v.activatePrice = fmt(o.activationPrice, s.pricePrecision);
    v.priceRate = String(o.callbackRate);
  }
  return v;
}

/** Details of the last execution, for the `l`, `L`, `n`, `t`, `m`, `rp` fields. */
export interface ExecDetail {
  x: ExecutionType;
  lastQty?: number;
  lastPrice?: number;
  commission?: number;
  tradeId?: number;
  maker?: boolean;
  realizedPnl?: number;
}

/** `o` of ORDER_TRADE_UPDATE. A triggered conditional order reports `o: MARKET`, `ot: <original>`. */
export function toEventBody(o: Order, s: SymbolSpec, d: ExecDetail, time: number): OrderTradeUpdateBody {
  const body: OrderTradeUpdateBody = {
    s: o.symbol,
    c: o.clientOrderId,
    S: o.side,
    o: o.isLiquidation ? 'LIQUIDATION' : o.triggered ? 'MARKET' : o.type,
    f: o.tif,
    q: fmt(o.qty, s.quantityPrecision),
    p: fmt(o.price, s.pricePrecision),
    ap: fmt(avgPrice(o), avgDecimals(s)),
    sp: fmt(o.stopPrice, s.pricePrecision),
    x: d.x,
    X: o.status,
    i: o.orderId,
    l: fmt(d.lastQty ?? 0, s.quantityPrecision),
    z: fmt(o.executedQty, s.quantityPrecision),
    L: fmt(d.lastPrice ?? 0, s.pricePrecision),
    N: 'USDT',
    n: fmtUsd(d.commission ?? 0),
    T: time,
    t: d.tradeId ?? 0,
    b: '0',
    a: '0',
    m: d.maker ?? false,
    R: o.reduceOnly,
    wt: o.workingType,
    ot: o.type,
    ps: 'BOTH',
    cp: o.closePosition,
    pP: o.priceProtect,
    si: 0,
    ss: 0,
    rp: fmtUsd(d.realizedPnl ?? 0),
    V: 'NONE',
    pm: 'NONE',
    gtd: 0,
  };
  if (o.type === 'TRAILING_STOP_MARKET') {
    body.AP = fmt(o.activationPrice, s.pricePrecision);
    body.cr = String(o.callbackRate);
  }
  return body;
}
