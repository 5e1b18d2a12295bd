import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OrderUpdateEvent, UserStreamEvent } from '../../../protocols/venue.js';
import { createSimulatedClock } from '../../clock/index.js';
import { sleeping, startVenueEnv, until, type VenueEnv } from './testkit.js';
import type { ResyncSnapshot } from './user-stream.js';

describe('user data stream', () => {
  let env: VenueEnv;
  const events: UserStreamEvent[] = [];
  const resyncs: ResyncSnapshot[] = [];
  const orderEvents = (cid: string): OrderUpdateEvent[] =>
    events.filter((e): e is OrderUpdateEvent => e.kind === 'order' && e.order.clientOrderId === cid);

  beforeAll(async () => {
    env = await startVenueEnv();
    await env.venue.userStream((e) => events.push(e), (s) => resyncs.push(s)).ready;
  });
  afterAll(async () => {
    await env.close();
  });

  it('turns ORDER_TRADE_UPDATE and ACCOUNT_UPDATE into order, fill and account events', async () => {
    await env.venue.placeOrder({ symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', qty: 0.003, clientOrderId: 'us-open' });
    await until(() => orderEvents('us-open').some((e) => e.order.status === 'FILLED'), 'the FILLED update');
    const filled = orderEvents('us-open').find((e) => e.fill);
    expect(filled?.fill).toMatchObject({ venue: 'sim', symbol: 'BTCUSDT', side: 'BUY', qty: 0.003, maker: false, feeAsset: 'USDT', clientOrderId: 'us-open' });
    expect(filled?.fill?.price).toBeGreaterThan(59_000);
    expect(filled?.fill?.fee).toBeGreaterThan(0);
    await until(() => events.some((e) => e.kind === 'account' && e.positions.some((p) => p.symbol === 'BTCUSDT' && p.side === 'LONG')), 'the position update');
    expect(resyncs).toEqual([]);
  });

  it('renews an expired listenKey, resubscribes, and hands the caller a REST resync', async () => {
    expect(env.sim.server.faults.expireListenKeys()).toBe(1);
    await until(() => resyncs.length === 1, 'the resync after renewal');
    expect(events.some((e) => e.kind === 'listenKeyExpired')).toBe(true);
    expect(resyncs[0]).toMatchObject({ reason: 'listenKeyExpired', openOrders: [] });
    expect(resyncs[0]?.positions).toEqual([expect.objectContaining({ symbol: 'BTCUSDT', side: 'LONG', qty: 0.003 })]);
    expect(resyncs[0]?.balances[0]?.asset).toBe('USDT');
    // Events flow on the new key.
    await env.venue.placeOrder({ symbol: 'BTCUSDT', side: 'SELL', type: 'MARKET', qty: 0.003, reduceOnly: true, clientOrderId: 'us-close' });
    await until(() => orderEvents('us-close').some((e) => e.order.status === 'FILLED'), 'an update on the renewed stream');
  });

  it('resyncs after a dropped socket too, since events may have been missed', async () => {
    env.sim.server.faults.dropWebSockets({ path: '/ws' });
    await until(() => resyncs.length === 2, 'the resync after reconnect');
    expect(resyncs[1]).toMatchObject({ reason: 'reconnect', positions: [] });
  });
});

describe('listenKey keep-alive', () => {
  let env: VenueEnv;
  beforeAll(async () => {
    env = await startVenueEnv();
  });
  afterAll(async () => {
    await env.close();
  });

  it('PUTs the listenKey every 30 minutes of clock time', async () => {
    const clock = createSimulatedClock(Date.now());
    const venue = env.another({ clock, ws: { reconnectBaseMs: 1_000, reconnectMaxMs: 1_000, pingIntervalMs: 3_600_000, silenceMs: 36_000_000 } });
    const put = env.sim.server.faults.add({ kind: 'latency', latencyMs: 0, path: '/fapi/v1/listenKey', method: 'PUT' });
    const puts = (): number => env.sim.server.faults.list().find((r) => r.id === put.id)?.fired ?? 0;
    const sub = venue.userStream(() => undefined, () => undefined);
    await sub.ready;
    await sleeping(clock);
    clock.advance(29 * 60_000);
    expect(puts()).toBe(0);
    clock.advance(60_000);
    await until(() => puts() === 1, 'the first keep-alive');
    await sleeping(clock);
    clock.advance(30 * 60_000);
    await until(() => puts() === 2, 'the second keep-alive');
    sub.close();
  });
});
