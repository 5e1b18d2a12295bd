/**
 * POST /fapi/v1/order: stateful checks (after the stateless `parseOrder`), then routing. Checks run in
 * the order Binance applies them so multi-fault requests get Binance's code.
 */
import type { Core } from './core.js';
import { E, SimVenueError } from './errors.js';
import { increasingQty, summary } from './margin.js';
import { roundTo } from './num.js';
import { remaining, toView, type Order } from './order.js';
import type { NewOrderInput, OrderView, SymbolSpec } from './types.js';
import { parseOrder, type ParsedOrder } from './validate.js';

/** Price a conditional order watches, or 0 when there is no market data yet. */
export function watchedPrice(core: Core, symbol: string, workingType: 'MARK_PRICE' | 'CONTRACT_PRICE'): number {
  const m = core.market(symbol);
  return workingType === 'MARK_PRICE' ? m.markOrLast() : m.last;
}

/** Whether a STOP/TP at `stop` fires at price `px` (Binance's trigger rule). */
export function stopFires(type: 'STOP_MARKET' | 'TAKE_PROFIT_MARKET', side: 'BUY' | 'SELL', stop: number, px: number): boolean {
  const up = (type === 'STOP_MARKET') === (side === 'BUY');
  return up ? px >= stop : px <= stop;
}

function checkMinNotional(core: Core, p: ParsedOrder, s: SymbolSpec): void {
  if (p.reduceOnly || p.closePosition) return;
  const m = core.market(p.symbol);
  const ref = p.type === 'LIMIT' ? p.price : p.stopPrice > 0 ? p.stopPrice : p.activationPrice > 0 ? p.activationPrice : m.last || m.mark;
  if (ref > 0 && p.qty * ref < s.minNotional - 1e-9) throw E.minNotional(String(s.minNotional));
}

function checkTrigger(core: Core, p: ParsedOrder): void {
  const px = watchedPrice(core, p.symbol, p.workingType);
  if (px <= 0) return;
  if (p.type === 'STOP_MARKET' || p.type === 'TAKE_PROFIT_MARKET') {
    if (stopFires(p.type, p.side, p.stopPrice, px)) throw E.wouldTrigger();
  } else if (p.type === 'TRAILING_STOP_MARKET' && p.activationPrice > 0) {
    // BUY activates on the way down, SELL on the way up; an activation already passed fires at once.
    if (p.side === 'BUY' ? p.activationPrice >= px : p.activationPrice <= px) throw E.wouldTrigger();
  }
}

/** Margin needed to open `inc` at `price`, with Binance's open-loss term for orders worse than mark. */
function marginNeeded(core: Core, p: ParsedOrder, inc: number, price: number, fee: number): number {
  const lev = core.ledger.pos(p.symbol).leverage;
  const mark = core.market(p.symbol).markOrLast() || price;
  const openLoss = p.side === 'BUY' ? Math.max(0, price - mark) * inc : Math.max(0, mark - price) * inc;
  return (inc * price) / lev + openLoss + p.qty * price * fee;
}

/** Validates, registers and routes one order. Throws SimVenueError (recorded in `rejects`). */
export function placeOrder(core: Core, input: NewOrderInput): OrderView {
  try {
    const p = parseOrder(input, (sym) => core.specs.get(sym));
    const s = core.spec(p.symbol);
    if (p.clientOrderId !== undefined && core.clientIds.get(p.symbol)?.has(p.clientOrderId)) throw E.duplicateClientId();
    if (core.openOf(p.symbol).length >= s.maxNumOrders) throw E.maxOpenOrders();
    const m = core.market(p.symbol);
    const book = core.book(p.symbol);
    if (p.type === 'LIMIT' && m.markOrLast() > 0) {
      const mark = m.markOrLast();
      if (p.price > mark * s.multiplierUp) throw E.priceUp();
      if (p.price < mark * s.multiplierDown) throw E.priceDown();
    }
    checkMinNotional(core, p, s);
    const amt = core.ledger.pos(p.symbol).amt;
    if (p.reduceOnly && !p.closePosition && (amt === 0 || (p.side === 'BUY') === amt > 0)) throw E.reduceOnly();
    checkTrigger(core, p);
    if (p.type === 'MARKET' && !book.ready) throw new SimVenueError(-1112, 'No orders on book for symbol.');
    if (p.type === 'LIMIT' && p.tif === 'GTX' && book.crosses(p.side, p.price)) throw E.postOnly();
    const inc = p.reduceOnly ? 0 : increasingQty(amt, p.side, p.qty);
    if (inc > 0 && (p.type === 'MARKET' || p.type === 'LIMIT')) {
      const fills = book.quote(p.side, p.qty, p.type === 'LIMIT' ? p.price : undefined);
      const q = fills.reduce((a, f) => a + f.qty, 0);
      const avg = q > 0 ? fills.reduce((a, f) => a + f.qty * f.price, 0) / q : p.price;
      const px = p.type === 'LIMIT' ? Math.max(p.price, p.side === 'SELL' ? avg : 0) : avg;
      const fee = p.type === 'MARKET' ? core.cfg.takerFee : core.cfg.makerFee;
      if (marginNeeded(core, p, inc, px, fee) > summary(core).available + 1e-9) throw E.marginInsufficient();
    }
    const o = core.newOrder(p, core.clock.now());
    route(core, o, s, inc);
    return toView(o, s);
  } catch (e) {
    if (e instanceof SimVenueError) core.rejects.push({ time: core.clock.now(), input: { ...input }, code: e.code, msg: e.msg });
    throw e;
  }
}

/** Sends an accepted order to its path: take now, rest, or wait for a trigger. */
function route(core: Core, o: Order, s: SymbolSpec, inc: number): void {
  const book = core.book(o.symbol);
  if (o.type === 'MARKET') {
    takeFromBook(core, o, undefined);
    if (o.status !== 'FILLED') core.finish(o, 'EXPIRED');
    return;
  }
  if (o.type === 'LIMIT') {
    if (o.tif === 'FOK') {
      const want = core.executable(o, o.qty);
      const avail = book.quote(o.side, want, o.price).reduce((a, f) => a + f.qty, 0);
      if (want < o.qty || avail + 1e-12 < want) return core.finish(o, 'EXPIRED');
    }
    takeFromBook(core, o, o.price);
    if (o.status === 'FILLED') return;
    if (o.tif === 'IOC' || o.tif === 'FOK') return core.finish(o, 'EXPIRED');
    if (o.reduceOnly && core.executable(o, 1) === 0) return core.finish(o, 'EXPIRED');
    // Reserve margin only for the part of the resting quantity that adds exposure.
    const rem = remaining(o, s);
    if (rem > 0 && inc > 0) o.imPerQty = (Math.min(inc, rem) / rem) * (o.price / core.ledger.pos(o.symbol).leverage);
    return;
  }
  if (o.type === 'TRAILING_STOP_MARKET') {
    const px = watchedPrice(core, o.symbol, o.workingType);
    if (o.activationPrice === 0) {
      // No activation price: Binance activates at once from the current price.
      o.activationPrice = roundTo(px, s.pricePrecision);
      o.trailActive = px > 0;
      o.trailExtreme = px;
    }
  }
}

/** Takes liquidity for `o` as taker, bounded by `limit`, honouring reduce-only. */
export function takeFromBook(core: Core, o: Order, limit: number | undefined): void {
  const s = core.spec(o.symbol);
  const want = core.executable(o, remaining(o, s));
  if (want <= 0) return;
  for (const f of core.book(o.symbol).take(o.side, want, limit)) core.fill(o, f.qty, f.price, { maker: false });
}
