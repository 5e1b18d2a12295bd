/**
 * Test support: one symbol's whole trading path on real parts — the simulator over loopback
 * HTTP/WS with the adapter, NATS, executor, user stream, and the symbol's hosted orders and
 * position actors — with short timings so fault paths settle in milliseconds.
 */
import { pino } from 'pino';
import { STREAMS, subjects, type PositionUpdate, type SubmitCommand } from '../../protocols/index.js';
import { ordersDef } from '../cli/defs-orders.js';
import { planRules, positionDef } from '../cli/defs-position.js';
import { createLiveClock } from '../clock/index.js';
import { encode } from '../codec.js';
import { startExecutor, startUserStreamBridge } from '../trading/index.js';
import { startVenueEnv } from '../venues/binance/testkit.js';
import { hostKit } from './host-env.js';
import { natsEnv } from './nats-env.js';
import { readStream } from './wait.js';

export const silentLogger = pino({ level: 'silent' });

export async function tradingStack(symbol: string) {
  const env = await natsEnv();
  const v = await startVenueEnv();
  const clock = createLiveClock();
  const kit = await hostKit(env);
  const rules = planRules(await v.venue.rules(symbol));
  const workers = () => Promise.all([
    startExecutor({ bus: env.bus, venue: v.venue, clock, logger: silentLogger, retryBaseMs: 20, retryMaxMs: 100 }),
    startUserStreamBridge({ bus: env.bus, venue: v.venue, clock, logger: silentLogger }),
  ]);
  let [executor, bridge] = await workers();
  const defs = {
    orders: ordersDef({ venue: 'sim', maxNotional: 1e7, order: { queryBaseMs: 100, queryMaxMs: 400, processingWindowMs: 300 } }),
    position: positionDef({ venue: 'sim', rules: () => rules }),
  };
  let orders = await kit.start(symbol, defs.orders);
  let position = await kit.start(symbol, defs.position);
  const down = async () => {
    await position.stop();
    await orders.stop();
    await bridge.stop();
    await executor.stop();
  };
  return {
    env, v, clock,
    ctx: () => position.actor.getSnapshot().context as { qty: number; side: string | null; phase: string },
    /** The newest position update on QT_POSITIONS. */
    pos: async () => (await readStream<PositionUpdate>(env.bus, STREAMS.positions, subjects.positionAll)).map((m) => m.data).at(-1),
    /** Every order the simulator holds, from its own records. */
    venueOrders: async () => (await (await fetch(`${v.sim.server.url}/sim/orders`)).json()) as Array<{ clientOrderId: string; type: string; reduceOnly: boolean; status: string; side: string }>,
    submit: (c: SubmitCommand) => env.bus.js.publish(subjects.order(symbol, 'submit'), encode(c), { msgID: c.clientOrderId }),
    /** The whole node goes down (actors, executor, user stream) and later comes back from KV. */
    down,
    async up() {
      [executor, bridge] = await workers();
      orders = await kit.start(symbol, defs.orders);
      position = await kit.start(symbol, defs.position);
    },
    async [Symbol.asyncDispose]() {
      await down();
      await v.close();
      await env[Symbol.asyncDispose]();
    },
  };
}
