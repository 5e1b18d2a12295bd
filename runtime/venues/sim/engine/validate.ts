/**
 * Stateless validation of POST /fapi/v1/order parameters against the symbol's filters. The order of the
 * checks follows what Binance reports first (mandatory → enum → precision → grid → bounds), so a request
 * with several faults gets the same code it would get from Binance.
 */
import { E, type SimVenueError } from './errors.js';
import { decimalsIn, onGrid, parseBool, parseNum, roundTo } from './num.js';
import type { NewOrderInput, OrderSide, OrderType, SymbolSpec, TimeInForce, WorkingType } from './types.js';

const SIDES: readonly string[] = ['BUY', 'SELL'];
const TYPES: readonly string[] = ['MARKET', 'LIMIT', 'STOP_MARKET', 'TAKE_PROFIT_MARKET', 'TRAILING_STOP_MARKET'];
const TIFS: readonly string[] = ['GTC', 'IOC', 'FOK', 'GTX'];
const WORKING: readonly string[] = ['MARK_PRICE', 'CONTRACT_PRICE'];
const CLIENT_ID = /^[.A-Z:/a-z0-9_-]{1,36}$/;

/** A request that passed every stateless check; numbers are grid-exact. */
export interface ParsedOrder {
  symbol: string;
  side: OrderSide;
  type: OrderType;
  tif: TimeInForce;
  /** 0 when closePosition. */
  qty: number;
  price: number;
  stopPrice: number;
  activationPrice: number;
  callbackRate: number;
  workingType: WorkingType;
  reduceOnly: boolean;
  closePosition: boolean;
  priceProtect: boolean;
  clientOrderId: string | undefined;
}

/** Validates a price-like parameter (price, stopPrice, activationPrice) against PRICE_FILTER. */
function checkPrice(raw: NewOrderInput['price'], name: string, s: SymbolSpec, le0: () => SimVenueError): number {
  const p = parseNum(raw);
  if (!p || Number.isNaN(p.value)) throw E.mandatory(name);
  if (p.value <= 0) throw le0();
  if (decimalsIn(p.text) > s.pricePrecision) throw E.precision();
  if (!onGrid(p.value, s.tickSize)) throw E.tick();
  if (p.value < s.minPrice) throw E.priceLtMin();
  if (p.value > s.maxPrice) throw name === 'stopPrice' ? E.stopGtMax() : E.priceGtMax();
  return roundTo(p.value, s.pricePrecision);
}

function checkQty(raw: NewOrderInput['quantity'], type: OrderType, s: SymbolSpec): number {
  const q = parseNum(raw);
  if (!q || Number.isNaN(q.value)) throw E.mandatory('quantity');
  if (q.value <= 0) throw E.qtyLeZero();
  if (decimalsIn(q.text) > s.quantityPrecision) throw E.precision();
  const market = type !== 'LIMIT';
  const step = market ? s.marketStepSize : s.stepSize;
  const filter = market ? 'MARKET_LOT_SIZE' : 'LOT_SIZE';
  if (!onGrid(q.value, step)) throw E.filter(filter);
  const min = market ? s.marketMinQty : s.minQty;
  const max = market ? s.marketMaxQty : s.maxQty;
  if (q.value < min - 1e-12 || q.value > max + 1e-12) throw E.filter(filter);
  return roundTo(q.value, s.quantityPrecision);
}

/**
 * Parses and validates one order request.
 * @param lookup resolves a symbol to its spec, or undefined (→ -1121).
 */
export function parseOrder(input: NewOrderInput, lookup: (symbol: string) => SymbolSpec | undefined): ParsedOrder {
  if (!input.symbol) throw E.mandatory('symbol');
  const s = lookup(input.symbol);
  if (!s) throw E.badSymbol();
  if (!input.side) throw E.mandatory('side');
  if (!SIDES.includes(input.side)) throw E.invalidSide();
  if (!input.type) throw E.mandatory('type');
  if (!TYPES.includes(input.type)) throw E.invalidType();
  const type = input.type as OrderType;
  if (input.positionSide !== undefined && input.positionSide !== '' && input.positionSide !== 'BOTH') throw E.positionSide();
  const cid = input.newClientOrderId;
  if (cid !== undefined && cid !== '') {
    if (cid.length > 36 || !CLIENT_ID.test(cid)) throw E.clientIdLen();
  }
  const closePosition = parseBool(input.closePosition) ?? false;
  const reduceOnlyRaw = parseBool(input.reduceOnly);
  if (input.reduceOnly !== undefined && String(input.reduceOnly) !== '' && reduceOnlyRaw === undefined) throw E.invalidParam('reduceOnly');
  const conditional = type === 'STOP_MARKET' || type === 'TAKE_PROFIT_MARKET' || type === 'TRAILING_STOP_MARKET';
  if (closePosition) {
    if (type !== 'STOP_MARKET' && type !== 'TAKE_PROFIT_MARKET') throw E.closePositionType(type);
    if (parseNum(input.quantity) !== undefined) throw E.closePositionQty();
    if (reduceOnlyRaw !== undefined) throw E.notRequired('reduceOnly');
  }
  const qty = closePosition ? 0 : checkQty(input.quantity, type, s);

  let tif: TimeInForce = 'GTC';
  let price = 0;
  if (type === 'LIMIT') {
    if (!input.timeInForce) throw E.mandatory('timeInForce');
    if (!TIFS.includes(input.timeInForce)) throw E.invalidTif();
    tif = input.timeInForce as TimeInForce;
    price = checkPrice(input.price, 'price', s, E.priceLeZero);
  } else if (input.timeInForce !== undefined && input.timeInForce !== '' && !TIFS.includes(input.timeInForce)) {
    throw E.invalidTif();
  }

  let stopPrice = 0;
  if (type === 'STOP_MARKET' || type === 'TAKE_PROFIT_MARKET') stopPrice = checkPrice(input.stopPrice, 'stopPrice', s, E.stopLeZero);

  let activationPrice = 0;
  let callbackRate = 0;
  if (type === 'TRAILING_STOP_MARKET') {
    const cb = parseNum(input.callbackRate);
    if (!cb || Number.isNaN(cb.value)) throw E.mandatory('callbackRate');
    // Binance accepts 0.1–5 with one decimal.
    if (cb.value < 0.1 || cb.value > 5 || decimalsIn(cb.text) > 1) throw E.invalidParam('callbackRate');
    callbackRate = roundTo(cb.value, 1);
    if (parseNum(input.activationPrice) !== undefined) activationPrice = checkPrice(input.activationPrice, 'activationPrice', s, E.activation);
  }

  const wt = input.workingType === undefined || input.workingType === '' ? 'CONTRACT_PRICE' : input.workingType;
  if (!WORKING.includes(wt)) throw E.workingType(wt);

  return {
    symbol: s.symbol,
    side: input.side as OrderSide,
    type,
    tif: conditional || type === 'MARKET' ? 'GTC' : tif,
    qty,
    price,
    stopPrice,
    activationPrice,
    callbackRate,
    workingType: wt as WorkingType,
    reduceOnly: closePosition ? true : (reduceOnlyRaw ?? false),
    closePosition,
    priceProtect: parseBool(input.priceProtect) ?? false,
    clientOrderId: cid === '' ? undefined : cid,
  };
}
