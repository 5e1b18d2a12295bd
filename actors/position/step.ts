import type { OrderEvent, PositionState } from '../../protocols/index.js';
import { positive } from '../brains/exit/index.js';
import { applyExec, bookReconciled, close } from './book.js';
import { clean, flatContext, PROTECT_MS, TERMINAL, type OrderTrack, type PositionContext } from './context.js';
import type { PositionEvent } from './inputs.js';
import { alert, fingerprint, fingerprintChanged, journal, publish, type Outs } from './outputs.js';
import { confirmStop, desiredStop, flatten, markUnprotected, placeStop, protect } from './protect.js';

/** A mark-only change is published at most this often (marks arrive every second). */
export const MARK_PUBLISH_MS = 60_000;
const MAX_ORDERS = 64;
const MAX_INTENTS = 16;
/** Unprotected checks with a refused stop after which the position is flattened instead. */
export const MAX_STOP_ATTEMPTS = 3;

/**
 * A stop refusal that proves the mark is already past its trigger: Binance -2021 "Order would
 * immediately trigger", or the adapter's own WRONG_SIDE check against the mark before sending.
 * The typed fields decide; the text is read only for events from before they existed.
 */
const WOULD_TRIGGER = -2021;
const STOP_CROSSED_TEXT = /(^|[^0-9])-2021([^0-9]|$)|would immediately trigger|WRONG_SIDE/i;
const stopCrossed = (e: OrderEvent) =>
  e.status === 'rejected' && (e.code === WOULD_TRIGGER || e.refusal === 'WRONG_SIDE' || (e.code === undefined && e.refusal === undefined && STOP_CROSSED_TEXT.test(e.reason ?? '')));

/** Whether stop price `a` is strictly tighter (nearer the mark) than `b` for the position's side. */
const tighterThan = (c: PositionContext, a: number, b: number) => (c.side === 'LONG' ? a > b : a < b);

/** The working stop covers less than the position (a resize the venue refused). */
const undersized = (c: PositionContext) => !!c.stop?.confirmed && c.qty > 0 && c.stop.qty < c.qty - 1e-12;

/** Transitions the position lifecycle allows; anything else is journaled as an alert. */
export const PHASE_NEXT: Record<PositionState, readonly PositionState[]> = {
  flat: ['opening', 'open'],
  opening: ['flat', 'open', 'reducing', 'closed'],
  open: ['reducing', 'closed'],
  reducing: ['open', 'closed'],
  closed: ['flat'],
};

/**
 * One input applied to the context: the next context and the outputs, in order. Deterministic:
 * time comes from `ev.at`, and nothing here throws on bad data (it alerts and moves on).
 * The context is updated in place unless `copy` is set: the position actor is its only owner
 * (a crash restarts from the stored snapshot), and a deep copy per mark tick dominated backtests.
 */
export function step(context: PositionContext, ev: PositionEvent, copy = false): { ctx: PositionContext; outs: Outs } {
  const c = copy ? structuredClone(context) : context;
  const outs: Outs = [];
  const before = fingerprint(c);
  const at = ev.at;
  let markOnly = false;
  let force = false;
  switch (ev.type) {
    case 'order': onOrder(c, at, outs, ev.event); break;
    case 'mark': markOnly = onMark(c, at, outs, ev.tick.markPrice, ev.tick.ts); break;
    case 'intent':
      c.intents = [...c.intents.filter((i) => i.intentId !== ev.intent.intentId), { intentId: ev.intent.intentId, template: ev.intent.exit, ...(ev.intent.atr !== undefined ? { atr: ev.intent.atr } : {}) }].slice(-MAX_INTENTS);
      // The entry filled before its intent reached us: the default plan is replaced by the one asked for.
      if (c.qty > 0 && c.intentId === ev.intent.intentId && c.planSource === 'default') protect(c, at, outs);
      break;
    case 'rules': {
      const guessed = c.rulesGuessed;
      c.rules = { tickSize: ev.tickSize, stepSize: ev.stepSize, minQty: ev.minQty, minNotional: ev.minNotional };
      c.rulesGuessed = false;
      if (guessed && c.qty > 0) protect(c, at, outs);
      break;
    }
    case 'funding':
      // Payments come in venue-time order; one at or before the last booked (a re-read after a
      // restart) or before this position opened (the previous position's) is not this one's.
      if (c.qty > 0 && ev.ts > Math.max(c.fundingTs ?? 0, c.openedAt ?? 0)) {
        c.funding += ev.amount;
        c.realizedPnl += ev.amount;
        c.fundingTs = ev.ts;
      }
      break;
    case 'flatten':
      if (c.qty > 0) flatten(c, at, outs, ev.reason);
      break;
    case 'adopt': onAdopt(c, at, outs, ev); break;
    case 'qt.timer':
      if (ev.name === 'protect') force = onProtectTimer(c, at, outs);
      break;
    case 'qt.fresh':
      alert(outs, c, at, `position actor ${c.symbol} started fresh (${ev.reason}): its state is unknown until reconciliation adopts the venue position`);
      break;
  }
  settlePhase(c);
  if (c.phase !== context.phase && !PHASE_NEXT[context.phase].includes(c.phase)) {
    alert(outs, c, at, `unexpected position transition ${context.phase} → ${c.phase}`);
  }
  if (c.phase !== 'closed' && (force || fingerprintChanged(before, fingerprint(c)) || (markOnly && c.qty > 0 && at - c.lastPublishAt >= MARK_PUBLISH_MS))) publish(outs, c, at);
  return { ctx: c, outs };
}

/** opening while an entry order of the position still works; flat again if it ended unfilled. */
function settlePhase(c: PositionContext): void {
  if (c.phase === 'closed') return;
  if (c.qty > 0 && (c.phase === 'flat' || c.phase === 'opening')) c.phase = c.entryOpen.length ? 'opening' : 'open';
  else if (c.qty === 0 && c.phase === 'opening' && !c.entryOpen.length) c.phase = 'flat';
  else if (c.qty === 0 && c.phase === 'flat' && c.entryOpen.length) c.phase = 'opening';
}

function track(c: PositionContext, e: OrderEvent): OrderTrack {
  let t = c.orders[e.clientOrderId];
  if (!t) {
    t = { leg: e.leg, filled: 0, notional: 0, status: e.status, trades: [] };
    c.orders[e.clientOrderId] = t;
    c.orderIds.push(e.clientOrderId);
    while (c.orderIds.length > MAX_ORDERS) delete c.orders[c.orderIds.shift()!];
  }
  return t;
}

function onOrder(c: PositionContext, at: number, outs: Outs, e: OrderEvent): void {
  const t = track(c, e);
  t.status = e.status;
  if (e.leg === 'entry') {
    const working = !TERMINAL.includes(e.status);
    c.entryOpen = working ? [...new Set([...c.entryOpen, e.clientOrderId])] : c.entryOpen.filter((id) => id !== e.clientOrderId);
    if (working && c.qty === 0 && c.phase === 'flat') {
      c.intentId = e.intentId;
      c.attribution = e.attribution;
    }
  }
  legStatus(c, at, outs, e);
  // Quantity comes only from the order's cumulative filledQty, so a repeated report, a replay or a
  // trade-less REST/query answer followed by the stream's trade is applied exactly once; the trade
  // (deduplicated by id) adds its price and fee.
  const trade = e.fill && !t.trades.includes(String(e.fill.tradeId)) ? e.fill : undefined;
  if (trade) t.trades = [...t.trades, String(trade.tradeId)].slice(-50);
  const delta = clean(e.filledQty - t.filled);
  if (delta > 0) {
    let price = trade && Math.abs(trade.qty - delta) < 1e-12 ? trade.price : (e.avgPrice * e.filledQty - t.notional) / delta;
    if (!positive(price)) price = trade?.price ?? (positive(e.avgPrice) ? e.avgPrice : c.mark);
    t.filled = e.filledQty;
    t.notional += price * delta;
    if (positive(price)) applyExec(c, at, outs, { leg: e.leg, side: e.side, qty: delta, price, fee: trade?.fee ?? 0, ev: e });
    else alert(outs, c, at, `${e.clientOrderId} filled ${delta} at no known price: left to reconciliation`);
  } else if (trade && trade.fee && c.qty > 0) {
    // Its quantity came earlier without detail: only the fee is new.
    c.fees += trade.fee;
    c.realizedPnl -= trade.fee;
    if (e.leg === 'entry') c.entryFees += trade.fee;
  }
}

/** Status of our protective legs: a stop counts once the venue has it working. */
function legStatus(c: PositionContext, at: number, outs: Outs, e: OrderEvent): void {
  const s = c.stop;
  if (s && e.clientOrderId === s.id) {
    s.status = e.status;
    if (['accepted', 'triggered', 'partially_filled', 'filled'].includes(e.status)) confirmStop(c, at, outs);
    else if (TERMINAL.includes(e.status)) {
      s.confirmed = false;
      s.sinceTs = null;
      alert(outs, c, at, `stop ${s.id} @ ${s.price} ${e.status}${e.reason ? `: ${e.reason}` : ''}${c.prevStop ? `; the previous stop ${c.prevStop.id} @ ${c.prevStop.price} still protects` : ''}`, { clientOrderId: s.id, reason: e.reason ?? null });
      const crossed = stopCrossed(e);
      if (c.prevStop) {
        // A refused move or resize: the stop it was to replace is still working, so it is current again.
        c.refusedMove = s.price;
        c.stop = c.prevStop;
        c.prevStop = null;
        if (c.plan) c.plan = { ...c.plan, stop: c.stop.price };
        // The mark is past the refused level; a working stop as tight or tighter is past it too.
        if (crossed && c.qty > 0 && !tighterThan(c, s.price, c.stop.price)) flatten(c, at, outs, `mark past the stop ${c.stop.price}: the venue refused ${s.price} as already triggered (${e.reason})`);
        // A refused resize: what the working stop does not cover is unprotected, and the timer tries again.
        else if (undersized(c)) markUnprotected(c, at);
      } else if (c.qty > 0) {
        markUnprotected(c, at);
        // Re-trying a stop the mark has already passed only earns the same refusal, and the protect
        // timer would flatten only after its 5 s: the position is closed now, reduce-only.
        if (crossed) flatten(c, at, outs, `mark past the stop ${s.price} the venue refused as already triggered (${e.reason})`);
      }
    }
    return;
  }
  if (c.prevStop && e.clientOrderId === c.prevStop.id && TERMINAL.includes(e.status)) {
    c.prevStop = null;
    if (c.qty > 0 && !c.stop?.confirmed) markUnprotected(c, at);
    return;
  }
  const tp = c.tps.find((x) => x.id === e.clientOrderId);
  if (tp) {
    tp.status = e.status;
    if (e.status === 'rejected' || e.status === 'expired') alert(outs, c, at, `take-profit ${tp.leg} ${tp.id} ${e.status}${e.reason ? `: ${e.reason}` : ''}`);
  }
  if (c.flatten && e.clientOrderId === c.flatten.id && (e.status === 'rejected' || e.status === 'expired' || e.status === 'canceled')) {
    alert(outs, c, at, `flatten order ${c.flatten.id} ${e.status}${e.reason ? `: ${e.reason}` : ''}; the stop still protects`);
    c.flatten = null;
  }
}

function onMark(c: PositionContext, at: number, outs: Outs, mark: number, ts: number): boolean {
  if (ts < c.markTs) return false;
  c.mark = mark;
  c.markTs = ts;
  if (c.qty === 0 || !c.plan || !c.stop || !c.side) return true;
  const long = c.side === 'LONG';
  if (!c.trail.active && (long ? mark >= c.plan.trailing.activatePrice : mark <= c.plan.trailing.activatePrice)) {
    c.trail = { active: true, best: mark };
    journal(outs, c, at, { kind: 'position', summary: `trailing active on ${c.symbol} at mark ${mark}`, data: { activatePrice: c.plan.trailing.activatePrice, callbackPct: c.plan.trailing.callbackPct } });
  } else if (c.trail.active) {
    c.trail.best = long ? Math.max(c.trail.best, mark) : Math.min(c.trail.best, mark);
  }
  // Only move a stop the venue has confirmed; a move while one is in flight would stack orders.
  const d = c.stop.confirmed ? desiredStop(c) : null;
  if (d) placeStop(c, at, outs, d.price, c.qty, d.kind);
  return true;
}

/** The stop is still not confirmed: alert, re-submit a refused one, and look again later. */
function onProtectTimer(c: PositionContext, at: number, outs: Outs): boolean {
  const { protect: _p, ...timers } = c.timers;
  c.timers = timers;
  const short = undersized(c);
  if (c.qty === 0 || (c.stop?.confirmed && !short) || c.prevStop) return false;
  c.protectAttempts++;
  const since = c.unprotectedSince ?? at;
  alert(outs, c, at, `UNPROTECTED ${c.side} ${c.qty} ${c.symbol} for ${Math.round((at - since) / 1000)}s: stop ${c.stop?.id ?? 'none'} is ${c.stop?.status ?? 'missing'}${short ? ` and covers ${c.stop!.qty} of it` : ''}`, {
    unprotectedSince: since, stop: c.stop, attempt: c.protectAttempts,
  });
  if (!c.stop || !c.plan) protect(c, at, outs);
  else if (short && c.protectAttempts > MAX_STOP_ATTEMPTS) flatten(c, at, outs, `the stop covers ${c.stop.qty} of ${c.qty} after ${c.protectAttempts} checks`);
  // Make before break: the stop for the smaller size works until the one for all of it is confirmed.
  else if (short) placeStop(c, at, outs, c.stop.price, c.qty, c.stop.kind);
  else if (TERMINAL.includes(c.stop.status) && c.protectAttempts > MAX_STOP_ATTEMPTS) {
    // A position the venue will not take a stop for does not stay open.
    flatten(c, at, outs, `no confirmed stop after ${c.protectAttempts} checks (last stop ${c.stop.status})`);
  } else if (TERMINAL.includes(c.stop.status)) {
    const price = c.stop.price;
    // A stop already crossed by the mark would be rejected again (-2021): close at market instead.
    if (c.mark && (c.side === 'LONG' ? c.mark <= price : c.mark >= price)) flatten(c, at, outs, `mark ${c.mark} is past the stop ${price} that the venue would not take`);
    else placeStop(c, at, outs, price, c.qty, c.stop.kind);
  }
  c.unprotectedSince = since;
  c.timers = { ...c.timers, protect: at + Math.min(60_000, PROTECT_MS * 2 ** Math.min(4, c.protectAttempts)) };
  return true;
}

/**
 * Reconciliation's word on the venue position, which is the truth: an orphan to adopt, a size to
 * take (the stop and targets follow it, or the venue's extra quantity had no stop), or flat (a
 * liquidation, ADL or close by hand: the ghost's stop was cancelled as stale and re-placed for ever,
 * and its exposure kept entries blocked). What left without a fill reaching us is booked at the mark.
 */
function onAdopt(c: PositionContext, at: number, outs: Outs, ev: { side: 'LONG' | 'SHORT'; qty: number; entry: number; ts: number }): void {
  if (ev.qty === 0) {
    if (c.qty > 0) {
      const was = { side: c.side, qty: c.qty, avgEntry: c.avgEntry };
      const b = bookReconciled(c, at, c.qty);
      alert(outs, c, at, `venue reports ${c.symbol} flat while we held ${was.side} ${was.qty}: closed, booked at the last mark ${b.price} (estimate)`, { ours: was, venue: { qty: 0 }, ...b });
      close(c, at, outs, 'reconciled');
    }
    return;
  }
  if (c.qty > 0 && c.side === ev.side) {
    // The venue's entry price is its own average: equal up to float error is equal.
    if (Math.abs(c.qty - ev.qty) <= 1e-9 * Math.max(1, ev.qty) && Math.abs(c.avgEntry - ev.entry) <= 1e-6 * ev.entry) {
      if (!c.stop || !c.stop.confirmed) protect(c, at, outs);
      return;
    }
    const was = { side: c.side, qty: c.qty, avgEntry: c.avgEntry };
    const gone = clean(c.qty - ev.qty);
    const b = gone > 0 ? bookReconciled(c, at, gone) : null;
    if (gone < 0) c.entryQty = clean(c.entryQty - gone);
    alert(outs, c, at, `venue position ${ev.side} ${ev.qty} @ ${ev.entry} differs from ours (${was.qty} @ ${was.avgEntry}): resized${b ? `, ${gone} booked at the last mark ${b.price} (estimate)` : ''}`, { ours: was, venue: { side: ev.side, qty: ev.qty, entry: ev.entry }, ...(b ?? {}) });
    c.qty = ev.qty;
    c.avgEntry = ev.entry;
    // A stop for the old size leaves the rest unprotected: re-placed for the new one (make before break).
    protect(c, at, outs);
    return;
  }
  if (c.qty > 0) {
    const was = { side: c.side, qty: c.qty, avgEntry: c.avgEntry };
    const b = bookReconciled(c, at, c.qty);
    alert(outs, c, at, `venue holds ${ev.side} ${ev.qty} while we hold ${was.side} ${was.qty}: ours closed at the last mark ${b.price} (estimate), the venue's adopted`, { ours: was, venue: { side: ev.side, qty: ev.qty, entry: ev.entry }, ...b });
    close(c, at, outs, 'reconciled');
  }
  const keep = { rules: c.rules, rulesGuessed: c.rulesGuessed, mark: c.mark, markTs: c.markTs, legN: c.legN, legIntent: c.legIntent, orders: c.orders, orderIds: c.orderIds, intents: c.intents, seq: c.seq, lastPublishAt: c.lastPublishAt, closes: c.phase === 'closed' ? c.closes + 1 : c.closes, timers: {} };
  Object.assign(c, flatContext(c.symbol, c.venue, keep), {
    phase: 'open', side: ev.side, qty: ev.qty, avgEntry: ev.entry, entryQty: ev.qty, openedAt: ev.ts,
    intentId: `adopt:${c.symbol}:${ev.ts}`, attribution: 'reconcile:adopted', mark: c.mark || ev.entry,
  });
  markUnprotected(c, at);
  protect(c, at, outs);
  journal(outs, c, at, { kind: 'reconcile', summary: `adopted orphan ${ev.side} ${ev.qty} ${c.symbol} @ ${ev.entry}; stop ${c.plan?.stop ?? 'NONE'}`, data: { plan: c.plan } });
}
