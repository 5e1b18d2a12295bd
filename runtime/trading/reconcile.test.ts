import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { BUCKETS, POLICY_KEYS, STREAMS, clientOrderId, subjects, type JournalEntry, type OrderEvent, type VenueReport } from '../../protocols/index.js';
import { createLiveClock } from '../clock/index.js';
import { decode, encode } from '../codec.js';
import { natsEnv } from '../testing/nats-env.js';
import { readStream, until } from '../testing/wait.js';
import { startVenueEnv } from '../venues/binance/testkit.js';
import { reconcileOnce, startReconciler } from './reconcile.js';

const silent = pino({ level: 'silent' });

function event(coid: string, status: OrderEvent['status'], symbol = 'BTCUSDT'): OrderEvent {
  return { clientOrderId: coid, intentId: 'i', leg: 'entry', symbol, side: 'BUY', status, prev: null, qty: 0.01, filledQty: 0, avgPrice: 0, attribution: 'test', ts: 1 };
}

describe('reconciliation', () => {
  it('adopts an orphan venue position, recovers a fill made while down, cancels a stale stop — with deterministic ids', async () => {
    await using env = await natsEnv();
    await using v = await startVenueEnv();
    const venue = v.venue;
    // An orphan: a position opened directly on the venue (not by us).
    await venue.placeOrder({ symbol: 'ETHUSDT', side: 'SELL', type: 'MARKET', qty: 0.5, clientOrderId: 'manual-eth-1' });
    // A fill that happened "while we were down": our actor last saw it submitted.
    const filled = clientOrderId('BTCUSDT:1:BUY', 'entry');
    await venue.placeOrder({ symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', qty: 0.01, clientOrderId: filled });
    await env.bus.js.publish(subjects.order('BTCUSDT', 'event'), encode(event(filled, 'submitted')));
    // A live order we know about stays live.
    const resting = clientOrderId('BTCUSDT:2:BUY', 'entry');
    await venue.placeOrder({ symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', price: 58_000, qty: 0.01, timeInForce: 'GTC', clientOrderId: resting });
    await env.bus.js.publish(subjects.order('BTCUSDT', 'event'), encode(event(resting, 'accepted')));
    // One we last saw submitted, resting at the venue: the venue's word is news to its actor.
    const unconfirmed = clientOrderId('BTCUSDT:3:BUY', 'entry');
    await venue.placeOrder({ symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', price: 57_000, qty: 0.01, timeInForce: 'GTC', clientOrderId: unconfirmed });
    await env.bus.js.publish(subjects.order('BTCUSDT', 'event'), encode(event(unconfirmed, 'submitted')));
    // A stale stop of ours: BTC is flattened by hand below, so nothing is left for it to protect.
    const stale = clientOrderId('ETHUSDT:9:SELL', 'sl');
    await venue.placeOrder({ symbol: 'BTCUSDT', side: 'SELL', type: 'STOP_MARKET', stopPrice: 40_000, qty: 0.01, reduceOnly: true, clientOrderId: stale });
    await venue.placeOrder({ symbol: 'BTCUSDT', side: 'SELL', type: 'MARKET', qty: 0.01, reduceOnly: true, clientOrderId: 'manual-btc-close' });

    const clock = createLiveClock();
    // Orders still open are known from the open-orders answer: only the others are queried one by one.
    const asked: string[] = [];
    const counted = { ...venue, getOrder: (symbol: string, coid: string) => (asked.push(coid), venue.getOrder(symbol, coid)) };
    const r = await reconcileOnce({ bus: env.bus, venue: counted, clock, logger: silent });
    expect(asked).toEqual([filled]);
    expect(r.adopted).toEqual(['ETHUSDT']);
    expect(r.queried.sort()).toEqual([filled, resting, unconfirmed].sort());
    expect(r.canceledStale).toEqual([stale]);

    const adopt = await readStream<{ type: string; side: string; qty: number; entry: number }>(env.bus, STREAMS.inputs, subjects.actorInput('position', 'ETHUSDT'));
    expect(adopt.map((a) => a.data)).toEqual([expect.objectContaining({ type: 'adopt', side: 'SHORT', qty: 0.5 })]);
    expect(adopt[0]!.headers['Nats-Msg-Id']).toMatch(/^adopt:ETHUSDT:SHORT:0\.5:/);
    const reps = (await readStream<VenueReport>(env.bus, STREAMS.orders, subjects.order('BTCUSDT', 'report'))).map((m) => m.data);
    expect(reps.find((x) => x.clientOrderId === filled)).toMatchObject({ status: 'FILLED', executedQty: 0.01, source: 'reconcile' });
    // Open exactly as its actor last said: nothing published for it.
    expect(reps.find((x) => x.clientOrderId === resting)).toBeUndefined();
    expect(reps.find((x) => x.clientOrderId === unconfirmed)).toMatchObject({ status: 'NEW', source: 'reconcile' });
    expect(reps.find((x) => x.clientOrderId === stale)).toMatchObject({ status: 'CANCELED' });
    expect((await venue.openOrders('BTCUSDT')).map((o) => o.clientOrderId).sort()).toEqual([resting, unconfirmed].sort());

    // A second pass republishes with the same ids: JetStream dedups, nothing doubles.
    await reconcileOnce({ bus: env.bus, venue, clock, logger: silent });
    expect(await readStream(env.bus, STREAMS.inputs, subjects.actorInput('position', 'ETHUSDT'))).toHaveLength(1);
    const journal = await readStream<JournalEntry>(env.bus, STREAMS.journal, subjects.journal('reconcile'));
    expect(journal.length).toBeGreaterThanOrEqual(1);
    expect(journal[0]!.data.summary).toMatch(/1 adopted/);
    const policy = await env.bus.kvm.open(BUCKETS.policy);
    expect(decode<{ on: boolean }>((await policy.get(POLICY_KEYS.reconciling))!.value).on).toBe(false);

    // Closed by hand and opened again at the same size (and, on a quiet book, the same price): a
    // new orphan, adopted again, not dropped as a duplicate of the first.
    await venue.placeOrder({ symbol: 'ETHUSDT', side: 'BUY', type: 'MARKET', qty: 0.5, reduceOnly: true, clientOrderId: 'manual-eth-2' });
    await new Promise((res) => setTimeout(res, 5));
    await venue.placeOrder({ symbol: 'ETHUSDT', side: 'SELL', type: 'MARKET', qty: 0.5, clientOrderId: 'manual-eth-3' });
    const again = await reconcileOnce({ bus: env.bus, venue, clock, logger: silent });
    expect(again.adopted).toEqual(['ETHUSDT']);
    const adopts = await readStream<{ qty: number; entry: number }>(env.bus, STREAMS.inputs, subjects.actorInput('position', 'ETHUSDT'));
    expect(adopts.map((a) => a.data.qty)).toEqual([0.5, 0.5]);
  });

  it('a pass the venue cannot serve (5xx on every retry) is tried again, not crashed: no restart storm escalating the venue subtree', async () => {
    await using env = await natsEnv();
    await using v = await startVenueEnv();
    // Every positions request fails until the rule is removed.
    const rule = v.sim.server.faults.add({ kind: 'http5xx', status: 503, path: '/fapi/v2/positionRisk' });
    const rec = await startReconciler({ bus: env.bus, venue: v.venue, clock: createLiveClock(), logger: silent, everyMs: 60_000, retryMs: 200 });
    let crashed = false;
    void rec.exited.then((e) => (crashed = e.kind === 'crash'));
    try {
      await until(() => (rec.info().failedPasses as number) >= 2, 'two failed passes');
      expect(rec.info()).toMatchObject({ passes: 0, lastError: expect.stringMatching(/5\d\d|unavailable|breaker/i) });
      v.sim.server.faults.remove(rule.id);
      await until(() => (rec.info().passes as number) >= 1, 'a pass once the venue answers', 15_000);
      expect(rec.info()).toMatchObject({ lastError: null });
      expect(crashed).toBe(false);
      // Between passes entries are allowed again: the failed passes did not leave `reconciling` on.
      const policy = await env.bus.kvm.open(BUCKETS.policy);
      expect(decode<{ on: boolean }>((await policy.get(POLICY_KEYS.reconciling))!.value).on).toBe(false);
    } finally {
      await rec.stop();
    }
  }, 30_000);

  it('a recent submitted order the venue does not know yet is left to its order machine; an old one is reported NOT_FOUND', async () => {
    await using env = await natsEnv();
    await using v = await startVenueEnv();
    const clock = createLiveClock();
    const fresh = clientOrderId('BTCUSDT:fresh:BUY', 'entry');
    const old = clientOrderId('ETHUSDT:old:BUY', 'entry');
    await env.bus.js.publish(subjects.order('BTCUSDT', 'event'), encode({ ...event(fresh, 'submitted'), ts: clock.now() }));
    await env.bus.js.publish(subjects.order('ETHUSDT', 'event'), encode({ ...event(old, 'submitted', 'ETHUSDT'), ts: clock.now() - 600_000 }));
    await reconcileOnce({ bus: env.bus, venue: v.venue, clock, logger: silent });
    const reports = (await readStream<VenueReport>(env.bus, STREAMS.orders, 'qt.order.*.report')).map((m) => m.data);
    expect(reports.map((r) => [r.clientOrderId, r.status])).toEqual([[old, 'NOT_FOUND']]);
  });
});


describe('reconciliation of a fill it reports itself', () => {
  it('defers adopting a venue position its own just-reported fill may have opened, then adopts it if no actor takes it up', async () => {
    await using env = await natsEnv();
    await using v = await startVenueEnv();
    const live = createLiveClock();
    let now = live.now();
    const clock = { ...live, now: () => now };
    // Our entry filled at the venue, but its report was lost (a NATS restart): we last saw it submitted.
    const coid = clientOrderId('ETHUSDT:lost:SELL', 'entry');
    await v.venue.placeOrder({ symbol: 'ETHUSDT', side: 'SELL', type: 'MARKET', qty: 0.5, clientOrderId: coid });
    await env.bus.js.publish(subjects.order('ETHUSDT', 'event'), encode({ ...event(coid, 'submitted', 'ETHUSDT'), side: 'SELL', qty: 0.5, ts: now }));
    const deferrals = new Map<string, number>();
    const o = { bus: env.bus, venue: v.venue, clock, logger: silent, deferrals, adoptDeferMs: 60_000 };

    const first = await reconcileOnce(o);
    expect(first.queried).toEqual([coid]);
    expect(first.deferred).toEqual(['ETHUSDT']);
    expect(first.adopted).toEqual([]);
    const reps = (await readStream<VenueReport>(env.bus, STREAMS.orders, subjects.order('ETHUSDT', 'report'))).map((m) => m.data);
    expect(reps).toEqual([expect.objectContaining({ clientOrderId: coid, status: 'FILLED', executedQty: 0.5 })]);
    expect(await readStream(env.bus, STREAMS.inputs, subjects.actorInput('position', 'ETHUSDT'))).toHaveLength(0);

    // Still unclaimed (no order or position actor runs here) past the bound: adopted, so it is protected.
    now += 61_000;
    const later = await reconcileOnce(o);
    expect(later.deferred).toEqual([]);
    expect(later.adopted).toEqual(['ETHUSDT']);
    expect(deferrals.size).toBe(0);
    const adopt = await readStream<{ type: string; qty: number }>(env.bus, STREAMS.inputs, subjects.actorInput('position', 'ETHUSDT'));
    expect(adopt.map((a) => a.data)).toEqual([expect.objectContaining({ type: 'adopt', side: 'SHORT', qty: 0.5 })]);
  });
});
