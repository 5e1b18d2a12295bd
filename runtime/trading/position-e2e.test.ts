import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { STREAMS, subjects, type PositionUpdate, type SubmitCommand } from '../../protocols/index.js';
import { createLiveClock } from '../clock/index.js';
import { encode } from '../codec.js';
import { ordersDef } from '../cli/defs-orders.js';
import { positionDef } from '../cli/defs-position.js';
import { natsEnv } from '../testing/nats-env.js';
import { hostKit } from '../testing/host-env.js';
import { readStream, until } from '../testing/wait.js';
import { startVenueEnv } from '../venues/binance/testkit.js';
import { startExecutor, startUserStreamBridge } from './index.js';
import { reconcileOnce } from './reconcile.js';

const SYM = 'BTCUSDT';
const logger = pino({ level: 'silent' });

/** Simulator + adapter, NATS, executor, user stream, and the symbol's orders and position actors. */
async function stack() {
  const env = await natsEnv();
  const v = await startVenueEnv();
  const clock = createLiveClock();
  const kit = await hostKit(env);
  const r = await v.venue.rules(SYM);
  const rules = { tickSize: r.tickSize, stepSize: r.marketStepSize || r.stepSize, minQty: r.marketMinQty || r.minQty, minNotional: r.minNotional };
  const workers = () => Promise.all([
    startExecutor({ bus: env.bus, venue: v.venue, clock, logger, retryBaseMs: 20, retryMaxMs: 100 }),
    startUserStreamBridge({ bus: env.bus, venue: v.venue, clock, logger }),
  ]);
  let [executor, bridge] = await workers();
  const defs = {
    orders: ordersDef({ venue: 'sim', maxNotional: 1e7, order: { queryBaseMs: 100, queryMaxMs: 400, processingWindowMs: 300 } }),
    position: positionDef({ venue: 'sim', rules: () => rules }),
  };
  let orders = await kit.start(SYM, defs.orders);
  let position = await kit.start(SYM, defs.position);
  const venueOrders = async () => (await (await fetch(`${v.sim.server.url}/sim/orders`)).json()) as Array<{ clientOrderId: string; type: string; reduceOnly: boolean; status: string; side: string }>;
  const pos = async () => (await readStream<PositionUpdate>(env.bus, STREAMS.positions, subjects.positionAll)).map((m) => m.data).at(-1);
  return {
    env, v, venueOrders, pos,
    ctx: () => position.actor.getSnapshot().context as { qty: number; side: string | null },
    submit: (c: SubmitCommand) => env.bus.js.publish(subjects.order(SYM, 'submit'), encode(c), { msgID: c.clientOrderId }),
    /** The whole node goes down (actors, executor, user stream) and later comes back from KV. */
    async down() {
      await position.stop();
      await orders.stop();
      await bridge.stop();
      await executor.stop();
    },
    async up() {
      [executor, bridge] = await workers();
      orders = await kit.start(SYM, defs.orders);
      position = await kit.start(SYM, defs.position);
    },
    async [Symbol.asyncDispose]() {
      await position.stop();
      await orders.stop();
      await bridge.stop();
      await executor.stop();
      await v.close();
      await env[Symbol.asyncDispose]();
    },
  };
}

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
