import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { OrdersContext } from '../../actors/order/orders.machine.js';
import { DLQ_REASON_HEADER, STREAMS, subjects, type AccountUpdateEvent, type JournalEntry, type OrderEvent, type OrderUpdateEvent, type UserStreamEvent, type SubmitCommand, type VenueReport } from '../../protocols/index.js';
import { createLiveClock } from '../clock/index.js';
import { ordersDef } from '../cli/defs-orders.js';
import { encode } from '../codec.js';
import { hostKit } from '../testing/host-env.js';
import { natsEnv } from '../testing/nats-env.js';
import { readStream, until } from '../testing/wait.js';
import { engineOrders, startVenueEnv } from '../venues/binance/testkit.js';
import { publishReport, startExecutor, startUserStreamBridge, updateReport } from './index.js';

const SYM = 'BTCUSDT';
const ORDER = { path: '/fapi/v1/order' } as const;
const entry = (clientOrderId: string, o: Partial<SubmitCommand> = {}): SubmitCommand => ({
  type: 'submit', clientOrderId, intentId: `${SYM}:${clientOrderId}:BUY`, leg: 'entry', symbol: SYM, side: 'BUY', orderType: 'MARKET',
  qty: 0.002, price: 60_000, reduceOnly: false, attribution: 'fallback:momentum', ts: 1, ...o,
});

/** Sim venue + adapter, nats, executor, orders actor (and optionally the user-stream bridge). */
async function rig(o: { bridge?: boolean; onAccount?: (e: AccountUpdateEvent) => void } = {}) {
  const env = await natsEnv();
  const venueEnv = await startVenueEnv();
  const logger = pino({ level: 'silent' });
  const clock = createLiveClock();
  const kit = await hostKit(env);
  const executor = await startExecutor({ bus: env.bus, venue: venueEnv.venue, clock, logger, notSentGiveUpMs: 600, retryBaseMs: 20, retryMaxMs: 100 });
  const bridge = o.bridge ? await startUserStreamBridge({ bus: env.bus, venue: venueEnv.venue, clock, logger, ...(o.onAccount ? { onAccount: o.onAccount } : {}) }) : undefined;
  const orders = await kit.start(SYM, ordersDef({ venue: 'sim', maxNotional: 1e7, order: { queryBaseMs: 100, queryMaxMs: 400, processingWindowMs: 300 } }));
  const events = async (cid: string) =>
    (await readStream<OrderEvent>(env.bus, STREAMS.orders, subjects.order(SYM, 'event'))).map((m) => m.data).filter((e) => e.clientOrderId === cid);
  return {
    env, venueEnv, executor, orders, events, bridge,
    submit: (c: SubmitCommand) => env.bus.js.publish(subjects.order(SYM, 'submit'), encode(c), { msgID: c.clientOrderId }),
    reports: async (cid: string) => (await readStream<VenueReport>(env.bus, STREAMS.orders, subjects.order(SYM, 'report'))).map((m) => m.data).filter((r) => r.clientOrderId === cid),
    async [Symbol.asyncDispose]() {
      await orders.stop();
      await bridge?.stop();
      await executor.stop();
      await venueEnv.close();
      await env[Symbol.asyncDispose]();
    },
  };
}

describe('execution end to end (sim venue, adapter, executor, orders actor, real NATS)', () => {
  it('a MARKET entry fills: submitted → (accepted) → filled, one order at the venue, no reconciliation', async () => {
    await using r = await rig({ bridge: true });
    await r.submit(entry('e2e-mkt'));
    const done = await until(async () => (await r.events('e2e-mkt')).find((e) => e.status === 'filled'), 'the filled event');
    expect(done).toMatchObject({ filledQty: 0.002, qty: 0.002, attribution: 'fallback:momentum', leg: 'entry' });
    expect(done.avgPrice).toBeGreaterThan(59_000);
    const statuses = (await r.events('e2e-mkt')).map((e) => e.status);
    expect(statuses[0]).toBe('submitted');
    expect(statuses.filter((s) => s !== 'filled' && s !== 'accepted' && s !== 'submitted')).toEqual([]);
    // The stream's trade arrives too; whichever came first, the fill is counted once.
    await until(async () => (await r.reports('e2e-mkt')).some((x) => x.source === 'stream' && x.fill), 'the stream trade report');
    // Cursors are stream sequences, and QT_ORDERS also holds the submit, exec commands and events:
    // wait for the last report stored so far (the stream trade among them), not for any report.
    const lastReport = (await readStream(r.env.bus, STREAMS.orders, subjects.order(SYM, 'report'), { decode: false })).at(-1)!.seq;
    await until(() => (r.orders.info().cursors as number[])[1]! >= lastReport, 'reports applied');
    await r.orders.idle();
    const ctx = r.orders.actor.getSnapshot().children['e2e-mkt']!.getSnapshot().context as { filledQty: number; invalid: unknown[]; trades: string[] };
    expect(ctx).toMatchObject({ filledQty: 0.002, invalid: [] });
    expect(engineOrders(r.venueEnv.sim, 'e2e-mkt')).toBe(1);
    const rec = await readStream<JournalEntry>(r.env.bus, STREAMS.journal, subjects.journal('reconcile'));
    expect(rec).toEqual([]);
  });

  it('a placement timeout whose order filled late: UNKNOWN stays in flight, re-queries settle it, exactly one order', async () => {
    await using r = await rig();
    const faults = r.venueEnv.sim.server.faults;
    faults.add({ kind: 'timeout', count: 1, method: 'POST', ...ORDER });
    faults.add({ kind: 'http5xx', method: 'GET', ...ORDER });
    await r.submit(entry('e2e-late', { qty: 0.003 }));
    await until(async () => (await r.reports('e2e-late')).some((x) => x.status === 'UNKNOWN'), 'the UNKNOWN report', 15_000);
    const queries = async () => (await readStream<{ op: string }>(r.env.bus, STREAMS.orders, subjects.order(SYM, 'exec'))).filter((m) => m.data.op === 'query').length;
    await until(async () => (await queries()) >= 1, 'a re-query while the venue cannot answer', 15_000);
    expect((await r.events('e2e-late')).map((e) => e.status)).toEqual(['submitted']);
    faults.clear();
    const filled = await until(async () => (await r.events('e2e-late')).find((e) => e.status === 'filled'), 'the late fill', 15_000);
    expect(filled).toMatchObject({ filledQty: 0.003, prev: 'submitted' });
    expect(engineOrders(r.venueEnv.sim, 'e2e-late')).toBe(1);
    const listed = (await (await fetch(`${r.venueEnv.sim.server.url}/sim/orders`)).json()) as Array<{ clientOrderId: string }>;
    expect(listed.filter((x) => x.clientOrderId === 'e2e-late')).toHaveLength(1);
    const ctx = r.orders.actor.getSnapshot().context as OrdersContext;
    expect(ctx.timers[`q:e2e-late`]).toBeUndefined();
  });

  it('a placement answered -1007 (execution status unknown) that filled late is tracked as the real order, never rejected', async () => {
    await using r = await rig();
    r.venueEnv.sim.server.faults.add({ kind: 'statusUnknown', code: -1007, phase: 'after', executeAfterMs: 50, count: 1, method: 'POST', ...ORDER });
    await r.submit(entry('e2e-1007'));
    const filled = await until(async () => (await r.events('e2e-1007')).find((e) => e.status === 'filled'), 'the fill', 15_000);
    expect(filled).toMatchObject({ filledQty: 0.002 });
    expect((await r.events('e2e-1007')).map((e) => e.status)).not.toContain('rejected');
    expect((await r.reports('e2e-1007')).map((x) => x.status)).not.toContain('REJECTED');
    expect(engineOrders(r.venueEnv.sim, 'e2e-1007')).toBe(1);
  });

  it('local refusals and unsendable orders end as REJECTED with the reason; nothing reaches the venue', async () => {
    await using r = await rig();
    // A stop on the wrong side of the mark: the adapter refuses it before any request.
    await r.submit(entry('e2e-wrong', { leg: 'sl', side: 'SELL', orderType: 'STOP_MARKET', stopPrice: 61_000, reduceOnly: true, price: undefined }));
    const wrong = await until(async () => (await r.events('e2e-wrong')).find((e) => e.status === 'rejected'), 'the refusal');
    expect(wrong.reason).toMatch(/WRONG_SIDE/);
    // Typed, so the position actor acts on it without reading the text.
    expect(wrong).toMatchObject({ code: 0, refusal: 'WRONG_SIDE' });
    // 429 with a ban longer than the adapter waits: not sent, and given up as REJECTED "not sent".
    r.venueEnv.sim.server.faults.add({ kind: 'rateLimit', retryAfterSec: 600, method: 'POST', ...ORDER });
    await r.submit(entry('e2e-429'));
    const limited = await until(async () => (await r.events('e2e-429')).find((e) => e.status === 'rejected'), 'the not-sent reject', 15_000);
    expect(limited.reason).toMatch(/^not sent: /);
    expect(engineOrders(r.venueEnv.sim, 'e2e-wrong') + engineOrders(r.venueEnv.sim, 'e2e-429')).toBe(0);
    // A malformed exec command is dead-lettered by the executor, which keeps running.
    await r.env.bus.js.publish(subjects.order(SYM, 'exec'), encode({ op: 'place', command: { clientOrderId: 'x', symbol: SYM } }));
    await r.env.bus.js.publish(subjects.order(SYM, 'exec'), encode({ op: 'query', command: { clientOrderId: 'x', symbol: 'ETHUSDT' } }));
    const dlq = await until(async () => {
      const m = await readStream(r.env.bus, STREAMS.dlq, subjects.dlq('executor'));
      return m.length === 2 ? m : undefined;
    }, 'two dead-lettered exec commands');
    expect(dlq.map((m) => m.headers[DLQ_REASON_HEADER])).toEqual(['place without a submit command', "exec for ETHUSDT on BTCUSDT's subject"]);
    expect(r.executor.info()).toMatchObject({ dlq: 2 });
    // Bytes that are not msgpack at all (0xc1 is never used) are dead-lettered with the decoder's reason.
    await r.env.bus.js.publish(subjects.order(SYM, 'exec'), new Uint8Array([0xc1]));
    const third = await until(async () => (await readStream(r.env.bus, STREAMS.dlq, subjects.dlq('executor')))[2], 'the undecodable exec command dead-lettered');
    expect(third.headers[DLQ_REASON_HEADER]).toMatch(/^undecodable exec command: /);
    expect(r.executor.info()).toMatchObject({ dlq: 3 });
  });

  it('cancels a resting LIMIT through the venue, and the bridge resyncs open orders and forwards account updates', async () => {
    const accounts: AccountUpdateEvent[] = [];
    await using r = await rig({ bridge: true, onAccount: (e) => accounts.push(e) });
    await r.submit(entry('e2e-lmt', { orderType: 'LIMIT', price: 58_000 }));
    await until(async () => (await r.events('e2e-lmt')).some((e) => e.status === 'accepted'), 'the accepted LIMIT');
    r.venueEnv.sim.server.faults.dropWebSockets({ path: '/ws' });
    await until(() => (r.bridge!.info().resyncReports as number) >= 1, 'the resync report of the open LIMIT');
    const cancel = { type: 'cancel', clientOrderId: 'e2e-lmt', symbol: SYM, reason: 'test', ts: 2 };
    await r.env.bus.js.publish(subjects.order(SYM, 'submit'), encode(cancel), { msgID: 'cancel:e2e-lmt' });
    await until(async () => (await r.events('e2e-lmt')).some((e) => e.status === 'canceled'), 'the canceled LIMIT');
    expect((await r.events('e2e-lmt')).map((e) => e.status)).toEqual(['submitted', 'accepted', 'pending_cancel', 'canceled']);
    await r.submit(entry('e2e-acct'));
    await until(() => accounts.some((a) => a.positions.some((p) => p.symbol === SYM && p.side === 'LONG')), 'the account update');
  });

  it('a fill known only from the REST answer is journaled from the venue totals; its late trade adds detail and fee, not quantity', async () => {
    await using r = await rig();
    // The venue's real user stream, held back as if it had dropped: the REST place answer (FILLED,
    // executed qty and average price, no trade) is all the orders actor learns at first.
    const held: UserStreamEvent[] = [];
    const stream = r.venueEnv.venue.userStream((e) => held.push(e), () => undefined);
    await stream.ready;
    try {
      await r.submit(entry('e2e-rest'));
      const fills = async () => (await readStream<JournalEntry>(r.env.bus, STREAMS.journal, subjects.journal('fill'))).map((m) => m.data).filter((j) => j.clientOrderId === 'e2e-rest');
      const first = await until(async () => {
        const f = await fills();
        return f.length ? f : undefined;
      }, 'the journaled REST fill');
      const filled = (await r.events('e2e-rest')).find((e) => e.status === 'filled')!;
      expect(first.map((j) => j.data)).toEqual([expect.objectContaining({ tradeId: 'cum:0.002', qty: 0.002, price: filled.avgPrice, fee: 0, inferred: true, leg: 'entry' })]);
      // The stream comes back: its trades reach the orders actor through the bridge's own path.
      const trades = await until(() => {
        const t = held.filter((e): e is OrderUpdateEvent => e.kind === 'order' && e.order.clientOrderId === 'e2e-rest' && !!e.fill);
        return t.length ? t : undefined;
      }, 'the trade on the user stream');
      for (const t of trades) await publishReport(r.env.bus, updateReport(t));
      const all = await until(async () => {
        const f = await fills();
        return f.length === 1 + trades.length ? f : undefined;
      }, 'the trade detail in the journal');
      const d = all.map((j) => j.data as { qty: number; price: number; fee: number; tradeQty?: number });
      const venueFee = trades.reduce((a, t) => a + t.fill!.fee, 0);
      expect(venueFee).toBeGreaterThan(0);
      // Quantity and notional as the venue has them, counted once; fees from the trades.
      expect(d.reduce((a, x) => a + x.qty, 0)).toBeCloseTo(0.002, 12);
      expect(d.reduce((a, x) => a + x.qty * x.price, 0)).toBeCloseTo(0.002 * filled.avgPrice, 6);
      expect(d.reduce((a, x) => a + x.fee, 0)).toBeCloseTo(venueFee, 12);
      expect(d.slice(1).every((x) => x.qty === 0 && x.tradeQty! > 0)).toBe(true);
      await r.orders.idle();
      const ctx = r.orders.actor.getSnapshot().children['e2e-rest']!.getSnapshot().context as { filledQty: number; fees: number; invalid: unknown[] };
      expect(ctx).toMatchObject({ filledQty: 0.002, invalid: [] });
      expect(ctx.fees).toBeCloseTo(venueFee, 12);
    } finally {
      stream.close();
    }
  });
});
