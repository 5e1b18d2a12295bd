import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { STREAMS, subjects, type SubmitCommand, type VenueReport } from '../../protocols/index.js';
import { createLiveClock } from '../clock/index.js';
import { encode } from '../codec.js';
import { natsEnv } from '../testing/nats-env.js';
import { readStream, until } from '../testing/wait.js';
import { startVenueEnv } from '../venues/binance/testkit.js';
import { startExecutor } from './index.js';

const submit = (symbol: string, clientOrderId: string, o: Partial<SubmitCommand>): SubmitCommand => ({
  type: 'submit', clientOrderId, intentId: `${symbol}:${clientOrderId}`, leg: 'entry', symbol, side: 'BUY', orderType: 'MARKET',
  reduceOnly: false, attribution: 'fallback:momentum', ts: 1, ...o,
});

type ExecutorOptions = Parameters<typeof startExecutor>[0];

/** An executor on a live clock against the simulator, with a BTC position open to protect. */
async function pacedWithPosition(env: Awaited<ReturnType<typeof natsEnv>>, venueEnv: Awaited<ReturnType<typeof startVenueEnv>>, o: Partial<ExecutorOptions>) {
  const executor = await startExecutor({ bus: env.bus, venue: venueEnv.venue, clock: createLiveClock(), logger: pino({ level: 'silent' }), ...o });
  const place = (c: SubmitCommand) => env.bus.js.publish(subjects.order(c.symbol, 'exec'), encode({ op: 'place', command: c }), { msgID: `exec:${c.clientOrderId}` });
  const venueOrder = (cid: string) => venueEnv.sim.engine.history().orders.find((x) => x.clientOrderId === cid);
  try {
    await place(submit('BTCUSDT', 'open-btc', { qty: 0.002 }));
    await until(() => venueOrder('open-btc')?.status === 'FILLED', 'position open');
  } catch (e) {
    await executor.stop();
    throw e;
  }
  /** A stop 10 % under the mark for the open position. */
  const stop = () => {
    const mark = Number(venueEnv.sim.engine.premiumIndex('BTCUSDT').markPrice);
    return submit('BTCUSDT', 'stop-btc', { leg: 'sl', side: 'SELL', orderType: 'STOP_MARKET', qty: 0.002, stopPrice: Math.round(mark * 0.9), reduceOnly: true, workingType: 'MARK_PRICE' });
  };
  return { executor, place, venueOrder, stop };
}

describe('executor order pacing (sim venue over HTTP, real NATS)', () => {
  it('when the order budget is spent, the stop of an open position reaches the venue before another symbol’s waiting entry', async () => {
    await using env = await natsEnv();
    await using venueEnv = await startVenueEnv();
    // A small budget stands in for Binance's 300 per 10 s, so the test needs few orders: one send
    // per second, so each slide of the window lets exactly one order go. No shares and no stop
    // reservations (pacer.test.ts has those): only the tiers order the sends.
    const { executor, place, venueOrder, stop: stopFor } = await pacedWithPosition(env, venueEnv, { pacer: { windows: [[1, 1_000]], share: { stop: 1, reduce: 1, entry: 1 }, reserveMs: 0 } });
    try {
      await new Promise((r) => setTimeout(r, 1_100)); // a fresh budget window

      // A burst of entries spends the budget; the other three wait in the pacer.
      const entries = [1, 2, 3, 4].map((n) => submit('ETHUSDT', `entry-eth-${n}`, { qty: 0.002, intentId: `eth-${n}` }));
      for (const e of entries) await place(e);
      await until(() => (executor.info().pacing as { entry: number }).entry === 3, 'three entries waiting for budget');
      const stop = stopFor();
      await place(stop);
      await until(() => [...entries, stop].every((c) => venueOrder(c.clientOrderId)), 'every order at the venue', 15_000);

      const at = (cid: string) => venueOrder(cid)!.time;
      // The stop arrived after the waiting entries and still took the next slot.
      expect(at('stop-btc')).toBeLessThan(at('entry-eth-2'));
      expect(venueOrder('stop-btc')!.status).toBe('NEW');
      // One send per window, never more: each order about a window after the one before (unpaced
      // they would arrive within milliseconds; the slack is the send's own latency, which varies).
      const order = ['entry-eth-1', 'stop-btc', 'entry-eth-2', 'entry-eth-3', 'entry-eth-4'].map(at);
      for (let i = 1; i < order.length; i++) expect(order[i]! - order[i - 1]!).toBeGreaterThanOrEqual(900);
      // Nothing was refused for rate: the venue never saw more than the budget.
      expect(executor.info()).toMatchObject({ notSent: 0, pacing: { stop: 0, reduce: 0, entry: 0 } });
    } finally {
      await executor.stop();
    }
  }, 30_000);

  it('a command held for order capacity longer than ack_wait is not redelivered: one place per order', async () => {
    await using env = await natsEnv();
    await using venueEnv = await startVenueEnv();
    const { executor, place, venueOrder, stop } = await pacedWithPosition(env, venueEnv, { pacer: { windows: [[1, 3_000]] }, ackWaitSec: 1 });
    try {
      await place(stop());
      await until(() => venueOrder('stop-btc'), 'the stop at the venue', 10_000);
      await new Promise((r) => setTimeout(r, 1_500)); // time for a redelivery to show up
      expect(executor.info()).toMatchObject({ place: 2, notSent: 0, pending: 0 });
      const reports = (await readStream<VenueReport>(env.bus, STREAMS.orders, subjects.order('BTCUSDT', 'report'))).map((x) => x.data);
      expect(reports.filter((r) => r.clientOrderId === 'stop-btc').map((r) => r.status)).toEqual(['NEW']);
    } finally {
      await executor.stop();
    }
  }, 30_000);

  it('an entry that waited past maxEntryWaitMs for budget is refused, not sent; a stop that waited as long is still sent', async () => {
    await using env = await natsEnv();
    await using venueEnv = await startVenueEnv();
    const { executor, place, venueOrder, stop } = await pacedWithPosition(env, venueEnv, { pacer: { windows: [[1, 2_000]] }, maxEntryWaitMs: 500 });
    try {
      // The budget (1 per 2 s) is spent: both wait about 2 s, the stop first.
      const btcStop = stop();
      await place(submit('ETHUSDT', 'late-eth', { qty: 0.002, intentId: 'late-eth' }));
      await place(btcStop);
      await until(() => venueOrder('stop-btc'), 'the stop at the venue', 10_000);
      const reports = await until(async () => {
        const r = (await readStream<VenueReport>(env.bus, STREAMS.orders, subjects.order('ETHUSDT', 'report'))).map((x) => x.data);
        return r.length ? r : null;
      }, 'the entry refused', 10_000);
      expect(reports).toEqual([expect.objectContaining({ clientOrderId: 'late-eth', status: 'REJECTED', reason: expect.stringMatching(/^not sent: entry waited \d+ ms for order capacity/) })]);
      expect(venueOrder('late-eth')).toBeUndefined();
      expect(venueOrder('stop-btc')!.status).toBe('NEW');
      expect(executor.info()).toMatchObject({ notSent: 1 });
    } finally {
      await executor.stop();
    }
  }, 30_000);

  it('status queries that piled up behind an order held for capacity go to the venue once, as the last copy', async () => {
    await using env = await natsEnv();
    await using venueEnv = await startVenueEnv();
    const { executor, place, venueOrder, stop } = await pacedWithPosition(env, venueEnv, { pacer: { windows: [[1, 3_000]] } });
    const query = (cid: string, n: number) =>
      env.bus.js.publish(subjects.order('BTCUSDT', 'exec'), encode({ op: 'query', command: { clientOrderId: cid, symbol: 'BTCUSDT' } }), { msgID: `q:${cid}:${n}` });
    try {
      // The stop waits about 3 s for the window; its order machine's timer asks three times meanwhile.
      await place(stop());
      for (const n of [1, 2, 3]) await query('stop-btc', n);
      await until(() => executor.info().pending === 0 && venueOrder('stop-btc'), 'the stop and its queries handled', 10_000);
      expect(executor.info()).toMatchObject({ place: 2, query: 1, coalesced: 2, notSent: 0 });
      const reports = (await readStream<VenueReport>(env.bus, STREAMS.orders, subjects.order('BTCUSDT', 'report'))).map((x) => x.data);
      // The one query sent read the stop as the venue holds it (its report is the same fact as the place's answer, stored once).
      expect(reports.filter((r) => r.clientOrderId === 'stop-btc').map((r) => r.status)).toEqual(['NEW']);
      // A query that arrives alone later is sent as before.
      await query('stop-btc', 4);
      await until(() => executor.info().query === 2, 'a later query sent');
      expect(executor.info()).toMatchObject({ coalesced: 2 });
    } finally {
      await executor.stop();
    }
  }, 30_000);
});
