import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { STREAMS, subjects, type SubmitCommand, type VenueReport } from '../../protocols/index.js';
import { createLiveClock } from '../clock/index.js';
import { encode } from '../codec.js';
import { natsEnv } from '../testing/nats-env.js';
import { readStream, until } from '../testing/wait.js';
import { engineOrders, startVenueEnv } from '../venues/binance/testkit.js';
import { startExecutor } from './index.js';

describe('executor', () => {
  it('refuses a place command older than the processing window instead of placing an order nobody tracks', async () => {
    await using env = await natsEnv();
    await using v = await startVenueEnv();
    const cmd: SubmitCommand = {
      type: 'submit', clientOrderId: 'stale-1', intentId: 'BTCUSDT:1:BUY', leg: 'entry', symbol: 'BTCUSDT', side: 'BUY', orderType: 'MARKET',
      qty: 0.002, price: 60_000, reduceOnly: false, attribution: 'test', ts: 1,
    };
    // The command was emitted while no executor ran (a node killed right after the submit).
    await env.bus.js.publish(subjects.order('BTCUSDT', 'exec'), encode({ op: 'place', command: cmd }), { msgID: 'exec:stale-1:place:0' });
    await new Promise((r) => setTimeout(r, 600));
    const ex = await startExecutor({ bus: env.bus, venue: v.venue, clock: createLiveClock(), logger: pino({ level: 'silent' }), maxPlaceAgeMs: 300 });
    const rep = await until(async () => (await readStream<VenueReport>(env.bus, STREAMS.orders, subjects.order('BTCUSDT', 'report'))).find((r) => r.data.clientOrderId === 'stale-1'), 'a report');
    expect(rep.data).toMatchObject({ status: 'REJECTED' });
    expect(rep.data.reason).toMatch(/not sent: place command \d+ ms old/);
    expect(engineOrders(v.sim, 'stale-1')).toBe(0);
    await ex.stop();
  });

  it('restarts on its durable after a max_ack_pending change, and keeps working, on a server that cannot update the consumer', async () => {
    await using env = await natsEnv();
    await using v = await startVenueEnv();
    const lines: Array<{ msg: string; to?: { max_ack_pending?: number } }> = [];
    const logger = pino({ level: 'warn' }, { write: (l: string) => void lines.push(JSON.parse(l)) });
    const first = await startExecutor({ bus: env.bus, venue: v.venue, clock: createLiveClock(), logger, maxAckPending: 100 });
    await first.stop();
    // The node restarts with another limit: it used to crash-loop here ("start time can not be updated").
    const ex = await startExecutor({ bus: env.bus, venue: v.venue, clock: createLiveClock(), logger, maxAckPending: 200 });
    const info = await env.bus.jsm.consumers.info(STREAMS.orders, 'qt_executor');
    // Either the server applied it, or it refused and the executor said so and kept the old limit.
    if (info.config.max_ack_pending === 100) expect(lines.some((l) => /cannot update a consumer made with a start time/.test(l.msg) && l.to?.max_ack_pending === 200)).toBe(true);
    else expect(info.config.max_ack_pending).toBe(200);
    const cmd: SubmitCommand = {
      type: 'submit', clientOrderId: 'after-restart-1', intentId: 'BTCUSDT:2:BUY', leg: 'entry', symbol: 'BTCUSDT', side: 'BUY', orderType: 'MARKET',
      qty: 0.002, price: 60_000, reduceOnly: false, attribution: 'test', ts: Date.now(),
    };
    await env.bus.js.publish(subjects.order('BTCUSDT', 'exec'), encode({ op: 'place', command: cmd }), { msgID: 'exec:after-restart-1:place:0' });
    await until(() => engineOrders(v.sim, 'after-restart-1') === 1, 'the order placed by the restarted executor');
    await ex.stop();
  });
});
