import {
  clientOrderId, OUTPUT_EVENT, subjects,
  type JournalEntry, type OrderLeg, type OutputEvent, type PositionUpdate, type SubmitCommand,
} from '../../protocols/index.js';
import type { PositionContext } from './context.js';

/** Outputs of one step, in emission order. */
export type Outs = OutputEvent[];

/** Venue trigger price for every conditional leg: the mark, like the local checks. */
const WORKING_TYPE = 'MARK_PRICE';

/** Next client order id of a leg; ids of one intent never repeat, even across positions. */
export function nextId(c: PositionContext, leg: OrderLeg): { id: string; n: number } {
  const intentId = c.intentId!;
  if (c.legIntent !== intentId) {
    c.legIntent = intentId;
    c.legN = {};
  }
  const n = (c.legN[leg] ?? -1) + 1;
  c.legN[leg] = n;
  return { id: clientOrderId(intentId, leg, n), n };
}

/** Side of an order that reduces the position. */
export const exitSide = (c: PositionContext): 'BUY' | 'SELL' => (c.side === 'LONG' ? 'SELL' : 'BUY');

/** A reduce-only submit on `qt.order.<SYM>.submit`, its msgId the client order id. */
export function submit(
  outs: Outs, c: PositionContext, at: number,
  o: { id: string; leg: OrderLeg; orderType: 'STOP_MARKET' | 'TAKE_PROFIT_MARKET' | 'MARKET'; qty: number; stopPrice?: number },
): void {
  const cmd: SubmitCommand = {
    type: 'submit', clientOrderId: o.id, intentId: c.intentId!, leg: o.leg, symbol: c.symbol, side: exitSide(c),
    orderType: o.orderType, qty: o.qty, reduceOnly: true, attribution: c.attribution, ts: at,
    ...(o.stopPrice !== undefined ? { stopPrice: o.stopPrice, workingType: WORKING_TYPE } : {}),
  };
  outs.push({ type: OUTPUT_EVENT, subject: subjects.order(c.symbol, 'submit'), msgId: o.id, data: cmd });
}

export function cancel(outs: Outs, c: PositionContext, at: number, id: string, reason: string): void {
  outs.push({ type: OUTPUT_EVENT, subject: subjects.order(c.symbol, 'submit'), msgId: `cancel:${id}`, data: { type: 'cancel', clientOrderId: id, symbol: c.symbol, reason, ts: at } });
}

export function journal(outs: Outs, c: PositionContext, at: number, e: Omit<JournalEntry, 'ts' | 'symbol'>): void {
  const entry: JournalEntry = { ts: at, symbol: c.symbol, ...(c.intentId ? { intentId: c.intentId } : {}), ...(c.attribution ? { attribution: c.attribution } : {}), ...e };
  outs.push({ type: OUTPUT_EVENT, subject: subjects.journal(e.kind), data: entry });
}

export function alert(outs: Outs, c: PositionContext, at: number, summary: string, data: Record<string, unknown> = {}): void {
  journal(outs, c, at, { kind: 'alert', summary, data: { symbol: c.symbol, ...data } });
}

export function unrealized(c: PositionContext): number {
  if (!c.side || !c.qty || !c.mark) return 0;
  return (c.mark - c.avgEntry) * c.qty * (c.side === 'LONG' ? 1 : -1);
}

export function positionUpdate(c: PositionContext, at: number): PositionUpdate {
  return {
    symbol: c.symbol, state: c.phase, side: c.side, qty: c.qty, avgEntry: c.avgEntry, markPrice: c.mark,
    realizedPnl: c.realizedPnl, unrealizedPnl: unrealized(c), fees: c.fees, funding: c.funding,
    stop: c.stop ? { clientOrderId: c.stop.id, price: c.stop.price, confirmed: c.stop.confirmed, sinceTs: c.stop.sinceTs } : null,
    unprotectedSince: c.unprotectedSince, attribution: c.attribution, intentId: c.intentId, openedAt: c.openedAt, ts: at,
  };
}

/** Publishes the position on `qt.position.<SYM>.<state>` with msgId `pos:<SYM>:<at>:<n>`. */
export function publish(outs: Outs, c: PositionContext, at: number): void {
  const n = c.seq++;
  c.lastPublishAt = at;
  outs.push({ type: OUTPUT_EVENT, subject: subjects.position(c.symbol, c.phase), msgId: `pos:${c.symbol}:${at}:${n}`, data: positionUpdate(c, at) });
}

/** The fields whose change is worth a PositionUpdate (marks alone are throttled). */
export function fingerprint(c: PositionContext): unknown[] {
  const s = c.stop;
  return [c.phase, c.side, c.qty, c.avgEntry, c.realizedPnl, c.fees, c.funding, s?.id, s?.price, s?.confirmed, c.unprotectedSince, c.intentId];
}

/**
 * Whether two fingerprints differ, with the meaning of comparing their JSON (NaN and ±Infinity
 * read as null, undefined as null in arrays) without building two strings on every mark tick.
 */
export function fingerprintChanged(a: unknown[], b: unknown[]): boolean {
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (x !== y && JSON.stringify(x ?? null) !== JSON.stringify(y ?? null)) return true;
  }
  return a.length !== b.length;
}
