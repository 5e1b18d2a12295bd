import { describe, expect, it } from 'vitest';
import { DLQ_REASON_HEADER, STREAMS, subjects, type OrderEvent, type SubmitCommand, type VenueReport } from '../../protocols/index.js';
import { encode } from '../../runtime/codec.js';
import { ordersDef } from '../../runtime/cli/defs-orders.js';
import { natsEnv, type NatsEnv } from '../../runtime/testing/nats-env.js';
import { hostKit } from '../../runtime/testing/host-env.js';
import { readStream, until } from '../../runtime/testing/wait.js';
import type { ExecCommand } from './effects.js';
import type { OrdersContext } from './orders.machine.js';

const SYM = 'BTCUSDT';
const cmd = (clientOrderId: string, o: Partial<SubmitCommand> = {}): SubmitCommand => ({
  type: 'submit', clientOrderId, intentId: `${SYM}:1:BUY`, leg: 'entry', symbol: SYM, side: 'BUY', orderType: 'LIMIT',
  qty: 0.01, price: 60_000, reduceOnly: false, attribution: 'model:v1', ts: 1, ...o,
});
const rep = (clientOrderId: string, status: VenueReport['status'], executedQty = 0, o: Partial<VenueReport> = {}): VenueReport => ({
  type: 'report', source: 'stream', clientOrderId, symbol: SYM, status, executedQty, avgPrice: executedQty ? 60_000 : 0, ts: 1, ...o,
});

const submit = (env: NatsEnv, data: unknown, msgID?: string) => env.bus.js.publish(subjects.order(SYM, 'submit'), encode(data), msgID ? { msgID } : {});
const report = (env: NatsEnv, r: VenueReport) => env.bus.js.publish(subjects.order(SYM, 'report'), encode(r));
const execs = async (env: NatsEnv) => (await readStream<ExecCommand>(env.bus, STREAMS.orders, subjects.order(SYM, 'exec'))).map((m) => m.data);
const events = async (env: NatsEnv) => (await readStream<OrderEvent>(env.bus, STREAMS.orders, subjects.order(SYM, 'event'))).map((m) => m.data);

describe('orders actor (hosted on nats)', () => {
  it('places once per client order id, turns reports into events, and resumes its children after a restart', async () => {
    await using env = await natsEnv();
    const kit = await hostKit(env);
    const def = ordersDef({ venue: 'sim', maxNotional: 1e7, order: { queryBaseMs: 60_000 } });
    let a = await kit.start(SYM, def);
    await submit(env, cmd('ord-1'), 'ord-1');
    const copy = await submit(env, cmd('ord-1')); // a second copy the stream did not dedup: the actor must
    await until(async () => (a.info().cursors as number[])[0] === copy.seq, 'both submits applied');
    await until(async () => (await execs(env)).length === 1, 'the place command');
    expect(await execs(env)).toEqual([{ op: 'place', command: cmd('ord-1') }]);
    expect((a.actor.getSnapshot().context as OrdersContext).stats).toMatchObject({ submits: 1, duplicates: 1 });

    await report(env, rep('ord-1', 'NEW', 0, { orderId: 7 }));
    await until(async () => (await events(env)).some((e) => e.status === 'accepted'), 'accepted event');

    // Restart mid-flight: the order child comes back from KV with its state.
    await a.stop();
    a = await kit.start(SYM, def);
    const snap = a.actor.getSnapshot();
    expect(Object.keys(snap.children)).toEqual(['ord-1']);
    expect((snap.children['ord-1'] as { getSnapshot(): { value: string } }).getSnapshot().value).toBe('accepted');

    await report(env, rep('ord-1', 'PARTIALLY_FILLED', 0.004, { fill: { tradeId: 1, price: 60_000, qty: 0.004, fee: 0, feeAsset: 'USDT', realizedPnl: 0, maker: true, ts: 2 } }));
    await report(env, rep('ord-1', 'FILLED', 0.01, { fill: { tradeId: 2, price: 60_000, qty: 0.006, fee: 0, feeAsset: 'USDT', realizedPnl: 0, maker: true, ts: 3 } }));
    await until(async () => (await events(env)).some((e) => e.status === 'filled'), 'filled event');
    const ev = await events(env);
    expect(ev.map((e) => `${e.prev}>${e.status}:${e.filledQty}`)).toEqual([
      'initialized>submitted:0', 'submitted>accepted:0', 'accepted>partially_filled:0.004', 'partially_filled>filled:0.01',
    ]);
    const journal = await readStream<{ kind: string; attribution: string }>(env.bus, STREAMS.journal, 'qt.journal.>');
    expect(journal.filter((j) => j.data.kind === 'order')).toHaveLength(4);
    expect(journal.filter((j) => j.data.kind === 'fill').every((j) => j.data.attribution === 'model:v1')).toBe(true);
    await a.stop();
  });

  it('re-queries in-flight orders on a timer kept in context, and prunes closed orders but still refuses their ids', async () => {
    await using env = await natsEnv();
    const kit = await hostKit(env);
    const def = ordersDef({ venue: 'sim', maxNotional: 1e7, order: { queryBaseMs: 50, queryMaxMs: 200 }, pruneAfterMs: 100 });
    const a = await kit.start(SYM, def);
    const first = await submit(env, cmd('ord-q'));
    // The UNKNOWN answer must reach the order, not arrive first as a report for an unknown id.
    await until(async () => (a.info().cursors as number[])[0] === first.seq, 'the submit applied');
    await report(env, rep('ord-q', 'UNKNOWN', 0, { source: 'rest' }));
    await until(async () => (await execs(env)).filter((e) => e.op === 'query').length >= 2, 'two re-queries');
    await report(env, rep('ord-q', 'FILLED', 0.01, { source: 'query' }));
    await until(async () => (await events(env)).some((e) => e.status === 'filled'), 'filled');
    await until(() => (a.actor.getSnapshot().context as OrdersContext).done.includes('ord-q'), 'pruned');
    const ctx = a.actor.getSnapshot().context as OrdersContext;
    expect(ctx.orders).toEqual({});
    expect(Object.keys(ctx.timers)).toEqual([]);
    expect(Object.keys(a.actor.getSnapshot().children)).toEqual([]);
    const before = (await execs(env)).length;
    const again = await submit(env, cmd('ord-q'));
    await report(env, rep('ord-q', 'FILLED', 0.01));
    // Submits and reports arrive on separate consumers, so wait for each one's cursor before judging either.
    await until(async () => (a.info().cursors as number[])[0] === again.seq, 'the second submit applied');
    await until(() => (a.actor.getSnapshot().context as OrdersContext).stats.late === 1, 'late report seen');
    expect((a.actor.getSnapshot().context as OrdersContext).stats.duplicates).toBe(1);
    expect((await execs(env)).length).toBe(before);
    await a.stop();
  });

  it('dead-letters bad commands and reports with reasons, and keeps accepting good ones', async () => {
    await using env = await natsEnv();
    const kit = await hostKit(env);
    const a = await kit.start(SYM, ordersDef({ venue: 'sim', maxNotional: 1e7 }));
    const { clientOrderId: _drop, ...noId } = cmd('x');
    await submit(env, noId);
    await submit(env, cmd('bad-nan', { qty: Number.NaN }));
    await submit(env, cmd('bad-sym', { symbol: 'ETHUSDT' }));
    await submit(env, cmd('bad-size', { qty: 1_000, price: 60_000 }));
    await submit(env, cmd('bad-mkt', { orderType: 'MARKET', price: undefined }));
    await submit(env, cmd('bad-limit', { price: undefined }));
    const lastBad = await submit(env, 'not an object');
    // Submits and reports arrive on separate consumers: the bad report is sent only once the bad
    // submits are dead-lettered (so the DLQ holds them in the order checked below), and judged only
    // once its own cursor is in (the good submit's event says nothing about the report input).
    await until(async () => (a.info().cursors as number[])[0] === lastBad.seq, 'the bad submits dead-lettered');
    const badReport = await report(env, { ...rep('ord-x', 'FILLED'), executedQty: Number.NaN });
    await submit(env, cmd('good-1'));
    await until(async () => (a.info().cursors as number[])[1] === badReport.seq, 'the bad report dead-lettered');
    await until(async () => (await events(env)).some((e) => e.clientOrderId === 'good-1'), 'the good submit');
    const dlq = await readStream(env.bus, STREAMS.dlq, subjects.dlq(`orders.${SYM}`));
    const reasons = dlq.map((m) => m.headers[DLQ_REASON_HEADER]);
    expect(reasons).toHaveLength(8);
    expect(reasons[0]).toMatch(/clientOrderId/);
    expect(reasons[1]).toMatch(/qty/);
    expect(reasons[2]).toMatch(/ETHUSDT on BTCUSDT's subject/);
    expect(reasons[3]).toMatch(/notional 6\.00000e\+7 > max 1e\+?7|notional .* > max/);
    expect(reasons[4]).toMatch(/no price to bound the notional/);
    expect(reasons[5]).toMatch(/LIMIT without price/);
    expect(reasons[7]).toMatch(/malformed venue report: executedQty/);
    expect(a.info()).toMatchObject({ state: expect.anything() });
    expect(await execs(env)).toEqual([{ op: 'place', command: cmd('good-1') }]);
    await a.stop();
  });

  it('flags a fill of an order it does not know (liquidation, a close by hand) for the reconciler, but not reconciliation\'s own reports', async () => {
    await using env = await natsEnv();
    const kit = await hostKit(env);
    const a = await kit.start(SYM, ordersDef({ venue: 'sim', maxNotional: 1e7 }));
    await report(env, rep('web_close_1', 'FILLED', 0.003));
    await report(env, rep('web_limit_1', 'NEW', 0));
    await report(env, rep('qt-stale-sl', 'CANCELED', 0.001, { source: 'reconcile' }));
    await until(() => (a.actor.getSnapshot().context as OrdersContext).stats.orphans === 3, 'three orphan reports');
    const j = await until(async () => {
      const x = (await readStream<{ clientOrderId: string; data: { unknownFill: boolean } }>(env.bus, STREAMS.journal, subjects.journal('reconcile'))).map((m) => m.data);
      return x.length === 3 ? x : null;
    }, 'three orphan entries');
    expect(Object.fromEntries(j.map((e) => [e.clientOrderId, e.data.unknownFill]))).toEqual({ web_close_1: true, web_limit_1: false, 'qt-stale-sl': false });
    await a.stop();
  });
});
