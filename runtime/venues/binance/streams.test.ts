import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CandleSchema, type Candle, type MarkTick, type TradeTick } from '../../../protocols/market.js';
import { createSimulatedClock } from '../../clock/index.js';
import type { Kline1m } from '../sim/engine/index.js';
import { sleeping, startVenueEnv, until, type VenueEnv } from './testkit.js';

const M = 60_000;
// Candles in the recent past, so "closed" by the clock as on the real venue.
const T0 = Math.floor(Date.now() / M) * M - 30 * M;
const k = (i: number): Kline1m => {
  const p = 60_000 + i * 10;
  return { openTime: T0 + i * M, open: p, high: p + 5, low: p - 5, close: p + 1, volume: 2, quoteVolume: 2 * p, trades: 3, takerBuyVolume: 1 };
};

describe('market streams', () => {
  let env: VenueEnv;
  beforeAll(async () => {
    // Server pings every 40 ms and drops clients that do not pong: staying connected proves we answer.
    env = await startVenueEnv({ sim: { pingIntervalMs: 40 } });
  });
  afterAll(async () => {
    await env.close();
  });
  const close = (i: number): void => env.sim.engine.ingest({ kind: 'kline', symbol: 'BTCUSDT', kline: k(i), closed: true });

  it('delivers closed candles gap-free across a socket drop: reconnect, resubscribe, REST backfill, no duplicates', async () => {
    const got: Candle[] = [];
    const sub = env.venue.subscribeCandles(['BTCUSDT'], ['1m'], (c) => got.push(c));
    await sub.ready;
    env.sim.engine.ingest({ kind: 'kline', symbol: 'BTCUSDT', kline: k(0), closed: false });
    close(0);
    close(1);
    await until(() => got.length === 2, 'two live candles');

    expect(env.sim.server.faults.dropWebSockets()).toBe(1);
    // Closed while we are away: only REST can deliver these.
    close(2);
    close(3);
    await until(() => got.length === 4, 'backfilled candles after reconnect');
    expect(env.venue.breakerState().marketSocketOpens).toBe(2);

    close(3); // a replay of the last one must not reach consumers
    close(4);
    await until(() => got.length === 5, 'a live candle on the resubscribed stream');
    expect(got.map((c) => (c.openTime - T0) / M)).toEqual([0, 1, 2, 3, 4]);
    for (const c of got) expect(CandleSchema.parse(c)).toMatchObject({ venue: 'sim', symbol: 'BTCUSDT', interval: '1m' });
    expect(got[2]).toMatchObject({ open: 60_020, high: 60_025, low: 60_015, close: 60_021, volume: 2 });
    sub.close();
  });

  it('adds mark and trade streams to the shared socket and resubscribes them after a drop', async () => {
    const marks: MarkTick[] = [];
    const trades: TradeTick[] = [];
    const m = env.venue.subscribeMarks(['BTCUSDT'], (x) => marks.push(x));
    const t = env.venue.subscribeTrades(['BTCUSDT'], (x) => trades.push(x));
    await Promise.all([m.ready, t.ready]);
    env.sim.tick('BTCUSDT', 60_010);
    await until(() => marks.length > 0 && trades.length > 0, 'a mark and a trade');
    expect(marks[0]).toMatchObject({ venue: 'sim', symbol: 'BTCUSDT', markPrice: 60_010, fundingRate: 0.0001 });
    expect(trades[0]).toMatchObject({ venue: 'sim', symbol: 'BTCUSDT', price: 60_010, qty: 0.01, buyerMaker: false });

    const opens = env.venue.breakerState().marketSocketOpens;
    env.sim.server.faults.dropWebSockets();
    await until(() => env.venue.breakerState().marketSocketOpens === opens + 1, 'reconnect');
    const n = trades.length;
    env.sim.tick('BTCUSDT', 60_020);
    await until(() => trades.length > n, 'a trade after the reconnect');
    expect(trades.at(-1)?.price).toBe(60_020);
    m.close();
    t.close();
  });

  it('terminates a silent socket on the clock and reconnects with backoff', async () => {
    const clock = createSimulatedClock(Date.now());
    const venue = env.another({ clock, ws: { reconnectBaseMs: 1_000, reconnectMaxMs: 8_000, pingIntervalMs: 3_000, silenceMs: 10_000 } });
    const sub = venue.subscribeTrades(['ETHUSDT'], () => undefined);
    await sub.ready;
    expect(venue.breakerState().marketSocketOpens).toBe(1);
    // Nothing can arrive inside one synchronous advance: 12 s of silence > 10 s.
    clock.advance(12_000);
    await sleeping(clock);
    clock.advance(1_000);
    await until(() => venue.breakerState().marketSocketOpens === 2, 'reconnect after silence');
    sub.close();
  });
});
