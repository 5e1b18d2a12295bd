/**
 * What market data does to orders: resting LIMIT orders fill from trade prints, conditional orders fire
 * on the contract or mark price, and margin is checked for liquidation. Orders are visited in orderId
 * order, so the outcome is a pure function of the input sequence.
 */
import type { Core } from './core.js';
import { increasingQty, summary } from './margin.js';
import { snapDown } from './num.js';
import { isOpen, remaining, type Order } from './order.js';
import { stopFires, takeFromBook } from './placement.js';
import type { WorkingType } from './types.js';

/** A trade print: refresh liquidity, fill resting limits, fire CONTRACT_PRICE triggers. */
export function onTradePrint(core: Core, symbol: string, price: number, qty: number): void {
  core.book(symbol).refreshFromTrade(price);
  const list = core.openOf(symbol);
  if (list.length === 0) return;
  matchResting(core, symbol, price, qty);
  checkConditionals(core, symbol, 'CONTRACT_PRICE', price);
}

/** A mark price update: fire MARK_PRICE triggers. */
export function onMarkPrice(core: Core, symbol: string, mark: number): void {
  if (core.openOf(symbol).length > 0) checkConditionals(core, symbol, 'MARK_PRICE', mark);
}

/**
 * Fills resting LIMIT orders from one print. A print *through* our price offers `throughParticipation` of
 * its size, a print *at* our price only `touchParticipation` (we are somewhere in the queue). Our fill is
 * at our limit price, as a maker.
 */
function matchResting(core: Core, symbol: string, price: number, qty: number): void {
  const s = core.spec(symbol);
  const { throughParticipation, touchParticipation } = core.cfg.fills;
  const limits = core.openOf(symbol).filter((o) => o.type === 'LIMIT');
  if (limits.length === 0) return;
  for (const side of ['BUY', 'SELL'] as const) {
    let through = qty * throughParticipation;
    let touch = qty * touchParticipation;
    const mine = limits
      .filter((o) => o.side === side && (side === 'BUY' ? o.price >= price : o.price <= price))
      .sort((a, b) => (side === 'BUY' ? b.price - a.price : a.price - b.price) || a.orderId - b.orderId);
    for (const o of mine) {
      if (!isOpen(o)) continue;
      const isThrough = o.price !== price;
      const pool = isThrough ? through : touch;
      const f = snapDown(Math.min(core.executable(o, remaining(o, s)), pool), s.stepSize);
      if (f <= 0) {
        if (o.reduceOnly && core.executable(o, 1) === 0) core.finish(o, 'EXPIRED');
        continue;
      }
      if (isThrough) through -= f;
      else touch -= f;
      core.fill(o, f, o.price, { maker: true });
    }
  }
}

function checkConditionals(core: Core, symbol: string, wt: WorkingType, px: number): void {
  const due: Order[] = [];
  for (const o of core.openOf(symbol)) {
    if (o.workingType !== wt || o.triggered) continue;
    if (o.type === 'STOP_MARKET' || o.type === 'TAKE_PROFIT_MARKET') {
      if (stopFires(o.type, o.side, o.stopPrice, px)) due.push(o);
    } else if (o.type === 'TRAILING_STOP_MARKET' && trail(o, px)) {
      due.push(o);
    }
  }
  for (const o of due) trigger(core, o);
}

/**
 * Trailing stop state machine. SELL: activates once price ≥ activationPrice, tracks the high, fires when
 * price ≤ high × (1 − rate). BUY mirrors it on the low.
 */
function trail(o: Order, px: number): boolean {
  const k = o.callbackRate / 100;
  if (!o.trailActive) {
    if (o.side === 'SELL' ? px >= o.activationPrice : px <= o.activationPrice) {
      o.trailActive = true;
      o.trailExtreme = px;
    }
    return false;
  }
  if (o.side === 'SELL') {
    o.trailExtreme = Math.max(o.trailExtreme, px);
    return px <= o.trailExtreme * (1 - k);
  }
  o.trailExtreme = Math.min(o.trailExtreme, px);
  return px >= o.trailExtreme * (1 + k);
}

/** A fired conditional order becomes a market order; it expires if it has nothing to do or no margin. */
function trigger(core: Core, o: Order): void {
  if (!isOpen(o)) return;
  const s = core.spec(o.symbol);
  const amt = core.ledger.pos(o.symbol).amt;
  o.triggered = true;
  if (o.closePosition) {
    const opposite = o.side === 'SELL' ? amt > 0 : amt < 0;
    o.qty = opposite ? Math.abs(amt) : 0;
  }
  if (o.qty <= 0 || core.executable(o, o.qty) <= 0) return core.finish(o, 'EXPIRED');
  const inc = o.reduceOnly ? 0 : increasingQty(amt, o.side, o.qty);
  if (inc > 0) {
    const book = core.book(o.symbol);
    const px = o.side === 'BUY' ? book.ask : book.bid;
    const need = (inc * px) / core.ledger.pos(o.symbol).leverage + o.qty * px * core.cfg.takerFee;
    if (need > summary(core).available + 1e-9) return core.finish(o, 'EXPIRED');
  }
  takeFromBook(core, o, undefined);
  if (isOpen(o) && remaining(o, s) > 0) core.finish(o, 'EXPIRED');
}
