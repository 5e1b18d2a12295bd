import { describe, expect, it } from 'vitest';
import { STREAMS, subjects, type SubmitCommand } from '../../protocols/index.js';
import { createLiveClock } from '../clock/index.js';
import { silentLogger as logger, tradingStack } from '../testing/trading-stack.js';
import { readStream, until } from '../testing/wait.js';
import { reconcileOnce } from './reconcile.js';

const SYM = 'BTCUSDT';

const stack = () => tradingStack(SYM);

const entry = (clientOrderId: string, qty: number): SubmitCommand => ({
  type: 'submit', clientOrderId, intentId: `${SYM}:${clientOrderId}:BUY`, leg: 'entry', symbol: SYM, side: 'BUY', orderType: 'MARKET',
  qty, price: 60_000, reduceOnly: false, attribution: 'fallback:momentum', ts: 1,
});

describe('positions end to end (simulator, adapter, executor, orders + position actors, real NATS)', () => {
  it('an entry whose placement timed out and filled late: no duplicate, the position is correct and protected at the venue', async () => {
    await using s = await stack();
    s.v.sim.server.faults.add({ kind: 'timeout', count: 1, method: 'POST', path: '/fapi/v1/order' });
    await s.submit(entry('late-1', 0.003));
    await until(() => s.ctx().qty === 0.003, 'position of 0.003', 20_000);
    const orders = await s.venueOrders();
    expect(orders.filter((o) => o.clientOrderId === 'late-1')).toHaveLength(1);
    const stop = await until(async () => (await s.venueOrders()).find((o) => o.type === 'STOP_MARKET' && o.reduceOnly && o.status === 'NEW'), 'a resting reduce-only stop', 20_000);
    expect(stop.side).toBe('SELL');
    const [vp] = await s.v.venue.positions(SYM);
    expect(vp!.qty).toBe(s.ctx().qty);
    await until(async () => (await s.pos())?.stop?.confirmed === true, 'stop confirmed in the position update');
  });

  it('reconciliation adopts an orphan venue position and protects it; a stop that fills while the node is down is recovered', async () => {
    await using s = await stack();
    // An orphan: opened on the venue by hand.
    await s.v.venue.placeOrder({ symbol: SYM, side: 'BUY', type: 'MARKET', qty: 0.004, clientOrderId: 'manual-open-1' });
    const r = await reconcileOnce({ bus: s.env.bus, venue: s.v.venue, clock: createLiveClock(), logger });
    expect(r.adopted).toEqual([SYM]);
    await until(() => s.ctx().qty === 0.004, 'adopted position', 15_000);
    const stop = await until(async () => (await s.venueOrders()).find((o) => o.type === 'STOP_MARKET' && o.reduceOnly && o.status === 'NEW'), 'the adopted position gets a stop', 15_000);
    // The node goes down; meanwhile the price falls through the stop and the venue fills it.
    await s.down();
    const stopPrice = Number((await s.v.venue.getOrder(SYM, stop.clientOrderId))!.stopPrice);
    s.v.sim.tick(SYM, stopPrice * 0.98);
    await until(async () => (await s.v.venue.getOrder(SYM, stop.clientOrderId))?.status === 'FILLED', 'stop filled at the venue');
    expect((await s.v.venue.positions()).length).toBe(0);
    // Back up: the orders actor still thinks the stop is live, and no stream told anyone otherwise
    // (the user stream was down too and resyncs open orders only); reconciliation settles it by query.
    await s.up();
    const again = await reconcileOnce({ bus: s.env.bus, venue: s.v.venue, clock: createLiveClock(), logger });
    expect(again.queried).toContain(stop.clientOrderId);
    await until(() => s.ctx().qty === 0, 'position closed from the recovered fill', 15_000);
    const pnl = await until(async () => (await readStream(s.env.bus, STREAMS.journal, subjects.journal('pnl'))).at(-1), 'pnl journaled');
    expect(pnl.data).toMatchObject({ symbol: SYM });
  });
});
