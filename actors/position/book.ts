import type { OrderEvent, OrderLeg } from '../../protocols/index.js';
import { shrinkLegs } from '../brains/exit/index.js';
import { clean, type ExitReason, type PositionContext } from './context.js';
import { alert, journal, publish, type Outs } from './outputs.js';
import { cancelAll, desiredStop, markUnprotected, placeStop, protect, resizeTps } from './protect.js';

/** One execution to apply: a trade, or a trade-less fill inferred from an order's cumulative qty. */
export interface Exec {
  leg: OrderLeg;
  side: 'BUY' | 'SELL';
  qty: number;
  price: number;
  fee: number;
  ev: OrderEvent;
}

/** Legs that are reduce-only on the venue: they can never open or grow a position. */
const REDUCE_ONLY: ReadonlySet<OrderLeg> = new Set(['sl', 'tp1', 'tp2', 'tp3', 'trail', 'exit', 'flatten', 'adopt-sl']);

/**
 * Applies an execution. The venue is in one-way mode, so the fill's side against the position's
 * decides: the same side (or no position) grows it, the other side reduces it. The leg only names
 * the exit reason.
 */
export function applyExec(c: PositionContext, at: number, outs: Outs, x: Exec): void {
  // A print is the freshest price we have until the next mark tick.
  c.mark = x.price;
  const fillDir = x.side === 'BUY' ? 1 : -1;
  const posDir = c.side === 'LONG' ? 1 : c.side === 'SHORT' ? -1 : 0;
  if (c.qty === 0 || fillDir === posDir) {
    if (c.qty === 0 && REDUCE_ONLY.has(x.leg)) {
      alert(outs, c, at, `fill on reduce-only leg ${x.leg} (${x.ev.clientOrderId}) with no position: ignored; reconciliation decides`, { qty: x.qty, price: x.price });
      return;
    }
    increase(c, at, outs, x);
  } else {
    reduce(c, at, outs, x);
  }
}

function increase(c: PositionContext, at: number, outs: Outs, x: Exec): void {
  const first = c.qty === 0;
  const qty = clean(c.qty + x.qty);
  c.avgEntry = first ? x.price : (c.avgEntry * c.qty + x.price * x.qty) / qty;
  c.qty = qty;
  c.fees += x.fee;
  c.realizedPnl -= x.fee;
  c.entryQty = clean(c.entryQty + x.qty);
  c.entryFees += x.fee;
  if (first) {
    c.side = x.side === 'BUY' ? 'LONG' : 'SHORT';
    c.openedAt = at;
    c.intentId = x.ev.intentId;
    c.attribution = x.ev.attribution;
    markUnprotected(c, at);
  }
  protect(c, at, outs);
  if (first) {
    const p = c.plan;
    journal(outs, c, at, {
      kind: 'position', clientOrderId: x.ev.clientOrderId,
      summary: `${c.side} ${c.qty} ${c.symbol} opened @ ${c.avgEntry}; stop ${p?.stop ?? 'NONE'}, targets ${p?.takeProfits.map((t) => t.price).join('/') || 'none'}`,
      data: { plan: p, planSource: c.planSource },
    });
  }
}

function exitReason(c: PositionContext, x: Exec): ExitReason {
  if (x.leg === 'sl' || x.leg === 'adopt-sl') return c.stop?.id === x.ev.clientOrderId && c.stop.kind === 'trail' ? 'trail' : 'sl';
  if (x.leg === 'tp1' || x.leg === 'tp2' || x.leg === 'tp3') return x.leg;
  if (x.leg === 'trail') return 'trail';
  if (/^autoclose|^adl_autoclose/i.test(x.ev.clientOrderId) || /liquidat/i.test(x.ev.reason ?? '')) return 'liquidation';
  return 'manual';
}

function reduce(c: PositionContext, at: number, outs: Outs, x: Exec): void {
  const q = Math.min(x.qty, c.qty);
  if (x.qty - q > 1e-12) alert(outs, c, at, `fill of ${x.qty} on ${x.ev.clientOrderId} exceeds the position ${c.qty}: the excess is left to reconciliation`, { excess: clean(x.qty - q) });
  const dir = c.side === 'LONG' ? 1 : -1;
  const pnl = (x.price - c.avgEntry) * q * dir;
  const reason = exitReason(c, x);
  c.realizedPnl += pnl - x.fee;
  c.fees += x.fee;
  c.qty = clean(c.qty - q);
  c.exits.push({ reason, qty: q, price: x.price, pnl, fee: x.fee, ts: at });
  if (c.exits.length > 50) c.exits.splice(0, c.exits.length - 50);
  if (c.qty === 0) return close(c, at, outs, reason);
  if (c.phase !== 'opening') c.phase = 'reducing';
  const tpIdx = c.tps.findIndex((t) => t.id === x.ev.clientOrderId);
  if (c.plan) {
    c.plan = (tpIdx >= 0 ? shrinkLegs(c.plan, { tp: tpIdx, qty: q }) : shrinkLegs(c.plan, { qty: q })) ?? c.plan;
    if (tpIdx < 0) resizeTps(c, at, outs);
  }
  if (tpIdx >= 0) {
    const t = c.tps[tpIdx]!;
    t.qty = clean(t.qty - q);
    if (x.ev.status === 'filled' || t.qty <= 0) {
      c.tps.splice(tpIdx, 1);
      if (c.plan && c.plan.takeProfits[tpIdx]?.price === t.price) c.plan = shrinkLegs(c.plan, { tp: tpIdx }) ?? c.plan;
      if (t.leg === 'tp1') c.tp1Done = true;
    }
  }
  // The stop follows the size; after TP1 it also moves to breakeven when the mark allows.
  if (c.stop && x.ev.clientOrderId !== c.stop.id) {
    const d = desiredStop(c);
    placeStop(c, at, outs, d?.price ?? c.stop.price, c.qty, d?.kind ?? c.stop.kind);
  }
}

/**
 * Books `qty` of the position as gone at the last price we know, with no fee: the venue's own exit
 * (liquidation, ADL, a close by hand) never reached us as a fill, so its price is an estimate — but
 * leaving the loss out of the realised PnL would hide it from the daily-loss limit.
 */
export function bookReconciled(c: PositionContext, at: number, qty: number): { price: number; pnl: number } {
  const price = c.mark || c.avgEntry;
  const pnl = (price - c.avgEntry) * qty * (c.side === 'LONG' ? 1 : -1);
  c.realizedPnl += pnl;
  c.qty = clean(c.qty - qty);
  c.exits.push({ reason: 'reconciled', qty, price, pnl, fee: 0, ts: at });
  if (c.exits.length > 50) c.exits.splice(0, c.exits.length - 50);
  return { price, pnl };
}

/** Flat: cancel what is left, journal the exit and the PnL with attribution, publish `closed`. */
export function close(c: PositionContext, at: number, outs: Outs, reason: ExitReason): void {
  cancelAll(c, at, outs, `position closed (${reason})`);
  const { protect: _p, ...timers } = c.timers;
  c.timers = timers;
  c.unprotectedSince = null;
  c.phase = 'closed';
  const exitQty = c.exits.reduce((a, e) => a + e.qty, 0);
  // Closed without an exit fill (the venue reported it flat): the last known price stands in.
  const exitPrice = exitQty ? c.exits.reduce((a, e) => a + e.price * e.qty, 0) / exitQty : c.mark || c.avgEntry;
  const data = {
    reason, side: c.side, qty: c.entryQty, avgEntry: c.avgEntry, avgExit: exitPrice, realizedPnl: c.realizedPnl,
    fees: c.fees, funding: c.funding, openedAt: c.openedAt, closedAt: at, durationMs: c.openedAt === null ? null : at - c.openedAt,
    exits: c.exits, planSource: c.planSource,
  };
  journal(outs, c, at, { kind: 'exit', summary: `${c.side} ${c.symbol} closed by ${reason} @ ${exitPrice}`, data });
  journal(outs, c, at, { kind: 'pnl', summary: `${c.symbol} realised ${c.realizedPnl.toFixed(4)} (fees ${c.fees.toFixed(4)}, funding ${c.funding.toFixed(4)})`, data });
  publish(outs, c, at);
}
