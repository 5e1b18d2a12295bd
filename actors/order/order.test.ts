import { describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import { ORDER_STATUSES, subjects, type OrderEvent, type OrderStatus, type OutputEvent, type SubmitCommand, type VenueReport } from '../../protocols/index.js';
import { orderMachine, type OrderContext, type OrderMachineEvent } from './order.machine.js';
import { canTransition, ORDER_TRANSITIONS } from './table.js';

const CMD: SubmitCommand = {
  type: 'submit', clientOrderId: 'qtTEST-entry', intentId: 'BTCUSDT:1:BUY', leg: 'entry', symbol: 'BTCUSDT', side: 'BUY',
  orderType: 'LIMIT', qty: 1, price: 100, reduceOnly: false, attribution: 'model:v1', ts: 0,
};

function rep(status: VenueReport['status'], executedQty = 0, extra: Partial<VenueReport> = {}): VenueReport {
  return { type: 'report', source: 'stream', clientOrderId: CMD.clientOrderId, symbol: 'BTCUSDT', status, executedQty, avgPrice: executedQty ? 100 : 0, ts: 1, ...extra };
}

const fill = (tradeId: number, qty: number, price = 100) => ({ tradeId, qty, price, fee: 0.01, feeAsset: 'USDT', realizedPnl: 0, maker: false, ts: 1 });

/** An order actor placed directly in `status` (with `filledQty` already filled). */
function orderIn(status: OrderStatus, filledQty = 0, extra: Partial<OrderContext> = {}) {
  const base = createActor(orderMachine, { input: { command: CMD, at: 0 } }).getSnapshot().context;
  const context: OrderContext = { ...base, status, filledQty, avgPrice: filledQty ? 100 : 0, sentAt: 0, ...extra };
  const snapshot = orderMachine.resolveState({ value: status, context });
  const actor = createActor(orderMachine, { snapshot, input: { command: CMD, at: 0 } });
  const out: OutputEvent[] = [];
  actor.on('qt.out', (o) => out.push(o));
  actor.start();
  return { actor, out, value: () => actor.getSnapshot().value as OrderStatus, ctx: () => actor.getSnapshot().context };
}

/** The event that drives an order from `from` to `to`, if the machine has one. */
function driver(from: OrderStatus, to: OrderStatus, filled: number): OrderMachineEvent {
  const at = 10_000;
  switch (to) {
    case 'submitted': return { type: 'submit', at };
    case 'denied': return { type: 'deny', reason: 'risk', at };
    case 'pending_cancel': return { type: 'cancel', reason: 'test', at };
    case 'pending_update': return { type: 'update.request', at };
    case 'canceled': return from === 'initialized' ? { type: 'cancel', reason: 'test', at } : { type: 'report', report: rep('CANCELED', filled), at };
    // Open at the venue while a cancel is pending is not a refusal (the cancel may still land): only the venue's refusal restores.
    case 'accepted': return from === 'pending_cancel' ? { type: 'cancel.reject', reason: 'refused', at } : { type: 'report', report: rep('NEW', from === 'partially_filled' ? filled + 0.1 : filled), at };
    case 'triggered': return { type: 'report', report: rep('NEW', filled, { triggered: true }), at };
    case 'partially_filled': return { type: 'report', report: rep('PARTIALLY_FILLED', filled + 0.25), at };
    case 'filled': return { type: 'report', report: rep('FILLED', 1), at };
    case 'expired': return { type: 'report', report: rep('EXPIRED', filled), at };
    case 'rejected': return { type: 'report', report: rep('REJECTED', filled, { reason: 'venue said no', code: -2010 }), at };
    default: return { type: 'report', report: rep('NEW', filled), at };
  }
}

const filledIn = (s: OrderStatus) => (s === 'partially_filled' ? 0.5 : 0);

describe('order transition table (NautilusTrader OrderStatus)', () => {
  it('is exactly the table of DESIGN.md section 5', () => {
    expect(Object.keys(ORDER_TRANSITIONS).sort()).toEqual([...ORDER_STATUSES].sort());
    for (const s of ['filled', 'rejected', 'expired', 'denied'] as const) expect(ORDER_TRANSITIONS[s]).toEqual([]);
    expect(canTransition('canceled', 'filled')).toBe(true);
    expect(canTransition('pending_cancel', 'accepted')).toBe(true);
    expect(canTransition('filled', 'canceled')).toBe(false);
    expect(canTransition('submitted', 'expired')).toBe(false);
  });

  const pairs = ORDER_STATUSES.flatMap((from) => ORDER_TRANSITIONS[from].map((to) => [from, to] as const));
  it.each(pairs)('accepts %s → %s', (from, to) => {
    const o = orderIn(from, filledIn(from), from === 'pending_cancel' ? { beforePending: 'accepted', cancelWanted: true } : {});
    o.actor.send(driver(from, to, filledIn(from)));
    expect(o.value()).toBe(to);
    expect(o.ctx().status).toBe(to);
    expect(o.ctx().invalid).toEqual([]);
    o.actor.stop();
  });

  const refused: Array<[OrderStatus, OrderStatus]> = [
    ['filled', 'accepted'], ['filled', 'canceled'], ['rejected', 'accepted'], ['rejected', 'filled'], ['expired', 'partially_filled'],
    ['denied', 'filled'], ['canceled', 'accepted'], ['canceled', 'expired'], ['initialized', 'accepted'], ['initialized', 'filled'],
  ];
  it.each(refused)('refuses %s → %s and asks for reconciliation instead', (from, to) => {
    expect(canTransition(from, to)).toBe(false);
    const o = orderIn(from, filledIn(from));
    o.actor.send(driver(from, to, filledIn(from)));
    expect(o.value()).toBe(from);
    expect(o.ctx().invalid).toEqual([expect.objectContaining({ from, to })]);
    const query = o.out.find((x) => x.subject === subjects.order('BTCUSDT', 'exec'));
    expect(query?.data).toEqual({ op: 'query', command: { clientOrderId: CMD.clientOrderId, symbol: 'BTCUSDT' } });
    const j = o.out.find((x) => x.subject === subjects.journal('reconcile'));
    expect(j?.data).toMatchObject({ kind: 'reconcile', clientOrderId: CMD.clientOrderId, data: { from, to, querying: true } });
    expect(o.out.some((x) => x.subject === subjects.order('BTCUSDT', 'event'))).toBe(false);
    o.actor.stop();
  });

  it('bounds reconciliation queries for a report that keeps not fitting', () => {
    const o = orderIn('rejected');
    for (let i = 0; i < 6; i++) o.actor.send({ type: 'report', report: rep('NEW'), at: 100 + i });
    expect(o.out.filter((x) => x.subject.endsWith('.exec'))).toHaveLength(3);
    expect(o.out.filter((x) => x.subject === subjects.journal('reconcile'))).toHaveLength(6);
    expect(o.value()).toBe('rejected');
  });
});

describe('order machine', () => {
  const events = (out: OutputEvent[]) => out.filter((x) => x.subject.endsWith('.event')).map((x) => x.data as OrderEvent);

  it('submits once, then partial fills and the fill give exact cumulative numbers; duplicate fills are ignored', () => {
    const o = orderIn('initialized');
    o.actor.send({ type: 'submit', at: 1 });
    o.actor.send({ type: 'submit', at: 2 });
    expect(o.out.filter((x) => x.subject.endsWith('.exec'))).toEqual([
      expect.objectContaining({ msgId: `exec:${CMD.clientOrderId}:place:0`, data: { op: 'place', command: CMD } }),
    ]);
    o.actor.send({ type: 'report', report: rep('NEW'), at: 3 });
    o.actor.send({ type: 'report', report: rep('PARTIALLY_FILLED', 0.1, { avgPrice: 0, fill: fill(1, 0.1, 100) }), at: 4 });
    o.actor.send({ type: 'report', report: rep('PARTIALLY_FILLED', 0.1, { avgPrice: 0, fill: fill(1, 0.1, 100) }), at: 5 });
    o.actor.send({ type: 'report', report: rep('PARTIALLY_FILLED', 0.3, { avgPrice: 0, fill: fill(2, 0.2, 103) }), at: 6 });
    o.actor.send({ type: 'report', report: rep('FILLED', 1, { avgPrice: 0, fill: fill(3, 0.7, 101) }), at: 7 });
    o.actor.send({ type: 'report', report: rep('FILLED', 1, { avgPrice: 0, fill: fill(3, 0.7, 101) }), at: 8 });
    expect(o.value()).toBe('filled');
    const ev = events(o.out);
    expect(ev.map((e) => e.status)).toEqual(['submitted', 'accepted', 'partially_filled', 'partially_filled', 'filled']);
    expect(ev.map((e) => e.filledQty)).toEqual([0, 0, 0.1, 0.3, 1]);
    expect(o.ctx().filledQty).toBe(1);
    expect(o.ctx().avgPrice).toBe(101.3); // (0.1×100 + 0.2×103 + 0.7×101) / 1, no float residue
    expect(o.ctx().fees).toBe(0.03);
    expect(o.out.filter((x) => x.subject === subjects.journal('fill'))).toHaveLength(3);
    expect(ev.at(-1)).toMatchObject({ prev: 'partially_filled', attribution: 'model:v1', intentId: CMD.intentId, leg: 'entry' });
  });

  it('a fill that raced the cancel: pending_cancel → canceled → filled', () => {
    const o = orderIn('accepted');
    o.actor.send({ type: 'cancel', reason: 'exit', at: 1 });
    expect(o.value()).toBe('pending_cancel');
    expect(o.out.find((x) => x.subject.endsWith('.exec'))?.data).toMatchObject({ op: 'cancel' });
    o.actor.send({ type: 'report', report: rep('CANCELED'), at: 2 });
    o.actor.send({ type: 'report', report: rep('FILLED', 1, { fill: fill(9, 1) }), at: 3 });
    expect(o.value()).toBe('filled');
    expect(events(o.out).map((e) => [e.prev, e.status])).toEqual([['accepted', 'pending_cancel'], ['pending_cancel', 'canceled'], ['canceled', 'filled']]);
  });

  it('a refused cancel and a refused modify restore the previous state', () => {
    const o = orderIn('triggered');
    o.actor.send({ type: 'cancel', reason: 'x', at: 1 });
    o.actor.send({ type: 'cancel.reject', reason: 'venue refused the cancel', at: 2 });
    expect(o.value()).toBe('triggered');
    expect(o.ctx().reason).toBe('venue refused the cancel');
    // Refused by the venue: not re-sent, and nothing more to ask about.
    o.actor.send({ type: 'query.due', at: 5_000 });
    expect(o.out.filter((x) => (x.data as { op?: string }).op === 'cancel')).toHaveLength(1);
    expect(o.ctx().query.dueAt).toBeNull();
    const u = orderIn('partially_filled', 0.5);
    u.actor.send({ type: 'update.request', at: 1 });
    expect(u.value()).toBe('pending_update');
    u.actor.send({ type: 'update.reject', reason: 'amend refused', at: 2 });
    expect(u.value()).toBe('partially_filled');
    expect(u.ctx().filledQty).toBe(0.5);
  });

  it('an order still open while its cancel is pending stays pending_cancel, and its timer re-sends the cancel until the venue settles it', () => {
    const ops = (out: OutputEvent[]) => out.filter((x) => x.subject.endsWith('.exec')).map((x) => [(x.data as { op: string }).op, x.msgId]);
    const o = orderIn('accepted');
    o.actor.send({ type: 'cancel', reason: 'exit', at: 1_000 });
    expect(o.ctx().query.dueAt).toBe(3_000);
    // A stale stream NEW, then a query answer from before the cancel reached the venue.
    o.actor.send({ type: 'report', report: rep('NEW', 0, { source: 'stream' }), at: 1_500 });
    o.actor.send({ type: 'report', report: rep('NEW', 0, { source: 'query' }), at: 2_000 });
    expect(o.value()).toBe('pending_cancel');
    expect(o.ctx().query.dueAt).toBe(3_000);
    o.actor.send({ type: 'query.due', at: 3_000 });
    expect(ops(o.out)).toEqual([['cancel', `exec:${CMD.clientOrderId}:cancel:0`], ['cancel', `exec:${CMD.clientOrderId}:cancel:1`]]);
    o.actor.send({ type: 'report', report: rep('CANCELED', 0, { source: 'rest' }), at: 3_100 });
    expect(o.value()).toBe('canceled');
    expect(events(o.out).map((e) => e.status)).toEqual(['pending_cancel', 'canceled']);
    o.actor.send({ type: 'query.due', at: 7_000 });
    expect(ops(o.out)).toHaveLength(2);
  });

  it('a fill that raced a pending cancel leaves the rest working: the cancel is re-sent until the order is closed', () => {
    const o = orderIn('accepted');
    o.actor.send({ type: 'cancel', reason: 'exit', at: 1_000 });
    o.actor.send({ type: 'report', report: rep('PARTIALLY_FILLED', 0.4, { fill: fill(1, 0.4) }), at: 1_200 });
    expect(o.value()).toBe('partially_filled');
    expect(o.ctx().query.dueAt).toBe(3_200);
    o.actor.send({ type: 'query.due', at: 3_200 });
    expect(o.out.filter((x) => x.subject.endsWith('.exec')).map((x) => (x.data as { op: string }).op)).toEqual(['cancel', 'cancel']);
    o.actor.send({ type: 'report', report: rep('CANCELED', 0.4, { source: 'rest' }), at: 3_300 });
    expect(o.value()).toBe('canceled');
    expect(o.ctx().filledQty).toBe(0.4);
  });

  it('UNKNOWN keeps the order in flight with a backed-off query; NOT_FOUND rejects only after the processing window', () => {
    const o = orderIn('initialized');
    o.actor.send({ type: 'submit', at: 1_000 });
    o.actor.send({ type: 'report', report: rep('UNKNOWN', 0, { source: 'rest' }), at: 1_500 });
    expect(o.value()).toBe('submitted');
    expect(o.ctx().query.dueAt).toBe(3_000);
    o.actor.send({ type: 'query.due', at: 3_000 });
    o.actor.send({ type: 'query.due', at: 7_000 });
    expect(o.out.filter((x) => (x.data as { op?: string }).op === 'query').map((x) => x.msgId)).toEqual([`exec:${CMD.clientOrderId}:query:1`, `exec:${CMD.clientOrderId}:query:2`]);
    expect(o.ctx().query).toEqual({ dueAt: 15_000, delayMs: 8_000 });
    o.actor.send({ type: 'report', report: rep('NOT_FOUND', 0, { source: 'query' }), at: 5_000 });
    expect(o.value()).toBe('submitted');
    o.actor.send({ type: 'report', report: rep('NOT_FOUND', 0, { source: 'query' }), at: 6_000 });
    expect(o.value()).toBe('rejected');
    expect(o.ctx().reason).toMatch(/not found at the venue/);
    expect(o.ctx().query.dueAt).toBeNull();
  });

  it('a MARKET order that expired at once goes submitted → accepted → expired (both valid edges)', () => {
    const o = orderIn('submitted');
    o.actor.send({ type: 'report', report: rep('EXPIRED', 0, { source: 'rest' }), at: 1 });
    expect(o.value()).toBe('expired');
    expect(events(o.out).map((e) => e.status)).toEqual(['accepted', 'expired']);
  });

  it('an older view of the order (REST FILLED before the stream trades) only adds trade detail', () => {
    const o = orderIn('submitted');
    o.actor.send({ type: 'report', report: rep('FILLED', 1, { source: 'rest' }), at: 1 });
    o.actor.send({ type: 'report', report: rep('PARTIALLY_FILLED', 0.4, { fill: fill(1, 0.4) }), at: 2 });
    o.actor.send({ type: 'report', report: rep('FILLED', 1, { fill: fill(2, 0.6) }), at: 3 });
    expect(o.value()).toBe('filled');
    expect(o.ctx().invalid).toEqual([]);
    expect(o.ctx().filledQty).toBe(1);
    expect(events(o.out).map((e) => [e.status, e.fill?.tradeId])).toEqual([['filled', undefined], ['filled', 1], ['filled', 2]]);
  });

  it('journals a fill known only from the venue totals, then reconciles the trades that arrive later without counting twice', () => {
    const journaled = (out: OutputEvent[]) => out.filter((x) => x.subject === subjects.journal('fill')).map((x) => ({ msgId: x.msgId, ...(x.data as { data: { tradeId: string | number; qty: number; price: number; fee: number; tradeQty?: number } }).data }));
    const sums = (xs: ReturnType<typeof journaled>) => ({ qty: xs.reduce((a, x) => a + x.qty, 0), notional: Number(xs.reduce((a, x) => a + x.qty * x.price, 0).toPrecision(12)), fee: Number(xs.reduce((a, x) => a + x.fee, 0).toPrecision(12)) });
    // The user stream was down: only a REST FILLED (cumulative qty and average price) says it filled.
    const o = orderIn('submitted');
    o.actor.send({ type: 'report', report: rep('FILLED', 1, { source: 'rest', avgPrice: 101 }), at: 1 });
    expect(journaled(o.out)).toEqual([expect.objectContaining({ msgId: `jf:${CMD.clientOrderId}:cum:1`, tradeId: 'cum:1', qty: 1, price: 101, fee: 0, inferred: true })]);
    // The trades arrive later (stream back, or a replay): their detail and fees, no quantity.
    o.actor.send({ type: 'report', report: rep('PARTIALLY_FILLED', 0.5, { avgPrice: 100, fill: fill(1, 0.5, 100) }), at: 2 });
    o.actor.send({ type: 'report', report: rep('FILLED', 1, { avgPrice: 101, fill: fill(2, 0.5, 102) }), at: 3 });
    o.actor.send({ type: 'report', report: rep('FILLED', 1, { avgPrice: 101, fill: fill(2, 0.5, 102) }), at: 4 });
    const j = journaled(o.out);
    expect(j.map((x) => [x.tradeId, x.qty, x.tradeQty])).toEqual([['cum:1', 1, undefined], [1, 0, 0.5], [2, 0, 0.5]]);
    expect(sums(j)).toEqual({ qty: 1, notional: 101, fee: 0.02 });
    expect(o.ctx().fees).toBe(0.02);

    // Mixed: one trade seen, the rest known from a REST FILLED, the missing trade after that.
    const m = orderIn('submitted');
    m.actor.send({ type: 'report', report: rep('PARTIALLY_FILLED', 0.5, { avgPrice: 100, fill: fill(1, 0.5, 100) }), at: 1 });
    m.actor.send({ type: 'report', report: rep('FILLED', 1, { source: 'rest', avgPrice: 101 }), at: 2 });
    m.actor.send({ type: 'report', report: rep('FILLED', 1, { avgPrice: 101, fill: fill(2, 0.5, 102) }), at: 3 });
    const k = journaled(m.out);
    expect(k.map((x) => [x.tradeId, x.qty, x.price])).toEqual([[1, 0.5, 100], ['cum:1', 0.5, 102], [2, 0, 102]]);
    expect(sums(k)).toEqual({ qty: 1, notional: 101, fee: 0.02 });

    // A stream trade whose report's totals include a trade we missed: the trade, then the rest.
    const s = orderIn('submitted');
    s.actor.send({ type: 'report', report: rep('FILLED', 1, { avgPrice: 101, fill: fill(2, 0.5, 102) }), at: 1 });
    s.actor.send({ type: 'report', report: rep('PARTIALLY_FILLED', 0.5, { avgPrice: 100, fill: fill(1, 0.5, 100) }), at: 2 });
    expect(journaled(s.out).map((x) => [x.tradeId, x.qty, x.price])).toEqual([[2, 0.5, 102], ['cum:1', 0.5, 100], [1, 0, 100]]);
  });
});
