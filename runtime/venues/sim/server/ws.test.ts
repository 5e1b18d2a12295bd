import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSimulatedClock } from '../../../clock/index.js';
import { until } from '../../../testing/wait.js';
import type { Kline1m } from '../engine/types.js';
import { openWs, startSim, type Sim } from './test-harness.js';

const MIN = 60_000;

function candle(openTime: number, o: number, h: number, l: number, c: number, v: number): Kline1m {
  return { openTime, open: o, high: h, low: l, close: c, volume: v, quoteVolume: v * c, trades: 10, takerBuyVolume: v / 2 };
}

describe('sim server WebSocket streams', () => {
  let sim: Sim;
  beforeAll(async () => {
    sim = await startSim();
  });
  afterAll(async () => {
    await sim.close();
  });

  it('raw /ws/<symbol>@kline_1m delivers kline payloads', async () => {
    const c = await openWs(`${sim.server.wsUrl}/ws/btcusdt@kline_1m`);
    const t = Math.floor(sim.clock.now() / MIN) * MIN;
    sim.engine.ingest({ kind: 'kline', symbol: 'BTCUSDT', kline: candle(t, 60_000, 60_100, 59_900, 60_050, 3), closed: false });
    const m = await c.next((x) => x.e === 'kline');
    expect(m).toMatchObject({ e: 'kline', s: 'BTCUSDT', k: { i: '1m', t, x: false, c: expect.any(String) } });
    c.ws.close();
  });

  it('aggregates higher intervals from 1m candles', async () => {
    const c = await openWs(`${sim.server.wsUrl}/ws/ethusdt@kline_5m`);
    const start = Math.floor(sim.clock.now() / (5 * MIN)) * 5 * MIN + 10 * 5 * MIN;
    sim.engine.ingest({ kind: 'kline', symbol: 'ETHUSDT', kline: candle(start, 3000, 3010, 2990, 3005, 2), closed: true });
    await c.next((x) => x.e === 'kline');
    sim.engine.ingest({ kind: 'kline', symbol: 'ETHUSDT', kline: candle(start + MIN, 3005, 3050, 3001, 3040, 1), closed: false });
    const m = await c.next((x) => x.e === 'kline');
    expect(m.k).toMatchObject({ i: '5m', t: start, T: start + 5 * MIN - 1, x: false });
    expect(Number(m.k.o)).toBe(3000);
    expect(Number(m.k.h)).toBe(3050);
    expect(Number(m.k.l)).toBe(2990);
    expect(Number(m.k.c)).toBe(3040);
    expect(Number(m.k.v)).toBe(3);
    c.ws.close();
  });

  it('combined /stream?streams=a/b wraps payloads in {stream, data}', async () => {
    const c = await openWs(`${sim.server.wsUrl}/stream?streams=btcusdt@aggTrade/btcusdt@bookTicker/btcusdt@markPrice@1s`);
    sim.tick('BTCUSDT', 60_010);
    const trade = await c.next((x) => x.stream === 'btcusdt@aggTrade');
    expect(trade.data).toMatchObject({ e: 'aggTrade', s: 'BTCUSDT', p: expect.any(String) });
    const book = await c.next((x) => x.stream === 'btcusdt@bookTicker');
    expect(book.data).toMatchObject({ e: 'bookTicker', s: 'BTCUSDT' });
    const mark = await c.next((x) => x.stream === 'btcusdt@markPrice@1s');
    expect(mark.data).toMatchObject({ e: 'markPriceUpdate', s: 'BTCUSDT', p: expect.any(String), r: expect.any(String) });
    c.ws.close();
  });

  it('routed roots (/market/stream) and !markPrice@arr work too', async () => {
    const c = await openWs(`${sim.server.wsUrl}/market/stream?streams=!markPrice@arr@1s`);
    sim.tick('ETHUSDT', 3001);
    const m = await c.next((x) => x.stream === '!markPrice@arr@1s');
    expect(Array.isArray(m.data)).toBe(true);
    expect(m.data.map((e: { s: string }) => e.s)).toEqual(expect.arrayContaining(['BTCUSDT', 'ETHUSDT']));
    c.ws.close();
  });

  it('live SUBSCRIBE / LIST_SUBSCRIPTIONS / UNSUBSCRIBE', async () => {
    const c = await openWs(`${sim.server.wsUrl}/ws`);
    c.ws.send(JSON.stringify({ method: 'SUBSCRIBE', params: ['btcusdt@aggTrade', 'ethusdt@bookTicker'], id: 1 }));
    expect(await c.next((x) => x.id === 1)).toEqual({ result: null, id: 1 });
    c.ws.send(JSON.stringify({ method: 'LIST_SUBSCRIPTIONS', id: 2 }));
    expect((await c.next((x) => x.id === 2)).result.sort()).toEqual(['btcusdt@aggTrade', 'ethusdt@bookTicker']);
    sim.tick('BTCUSDT', 60_020);
    expect(await c.next((x) => x.e === 'aggTrade')).toMatchObject({ s: 'BTCUSDT' });
    c.ws.send(JSON.stringify({ method: 'UNSUBSCRIBE', params: ['btcusdt@aggTrade'], id: 3 }));
    expect(await c.next((x) => x.id === 3)).toEqual({ result: null, id: 3 });
    c.ws.send(JSON.stringify({ method: 'LIST_SUBSCRIPTIONS', id: 4 }));
    expect((await c.next((x) => x.id === 4)).result).toEqual(['ethusdt@bookTicker']);
    c.ws.send(JSON.stringify({ method: 'NOPE', id: 5 }));
    expect((await c.next((x) => x.id === 5)).error).toMatchObject({ code: 2 });
    c.ws.close();
  });

  it('answers pings with pongs', async () => {
    const c = await openWs(`${sim.server.wsUrl}/ws/btcusdt@aggTrade`);
    const pong = new Promise<string>((resolve) => c.ws.once('pong', (d) => resolve(String(d))));
    c.ws.ping('hello');
    expect(await pong).toBe('hello');
    c.ws.close();
  });

  it('user data stream delivers ORDER_TRADE_UPDATE and ACCOUNT_UPDATE after a fill', async () => {
    const { listenKey } = (await (await sim.call('POST', '/fapi/v1/listenKey')).json()) as { listenKey: string };
    const raw = await openWs(`${sim.server.wsUrl}/ws/${listenKey}`);
    const routed = await openWs(`${sim.server.wsUrl}/private/ws?listenKey=${listenKey}&events=ORDER_TRADE_UPDATE`);
    const res = await sim.signed('POST', '/fapi/v1/order', { symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.002', newClientOrderId: 'ws-fill-1' });
    expect(res.status).toBe(200);
    const fill = await raw.next((x) => x.e === 'ORDER_TRADE_UPDATE' && x.o.X === 'FILLED');
    expect(fill.o).toMatchObject({ s: 'BTCUSDT', c: 'ws-fill-1', S: 'BUY', o: 'MARKET', x: 'TRADE', X: 'FILLED', z: '0.002', ps: 'BOTH' });
    const acct = await raw.next((x) => x.e === 'ACCOUNT_UPDATE');
    expect(acct.a).toMatchObject({ m: 'ORDER', B: [expect.objectContaining({ a: 'USDT' })] });
    expect(acct.a.P).toContainEqual(expect.objectContaining({ s: 'BTCUSDT', ps: 'BOTH' }));
    expect(await routed.next((x) => x.e === 'ORDER_TRADE_UPDATE' && x.o.X === 'FILLED')).toMatchObject({ o: { c: 'ws-fill-1' } });
    // The events filter keeps ACCOUNT_UPDATE off the routed connection.
    expect(routed.messages.some((m) => (m as { e?: string }).e === 'ACCOUNT_UPDATE')).toBe(false);
    raw.ws.close();
    routed.ws.close();
  });

  it('rejects unknown WebSocket paths', async () => {
    await expect(openWs(`${sim.server.wsUrl}/nope`)).rejects.toThrow();
  });
});

describe('sim server mark streams', () => {
  it('push the latest mark on their cadence while the market is quiet, as Binance does (1 s and 3 s)', async () => {
    const clock = createSimulatedClock(Date.UTC(2025, 0, 1));
    const sim = await startSim({ clock });
    try {
      const c = await openWs(`${sim.server.wsUrl}/stream?streams=btcusdt@markPrice@1s/btcusdt@markPrice`);
      sim.tick('BTCUSDT', 60_010);
      const marks = (stream: string) => c.messages.filter((m) => (m as { stream: string }).stream === stream) as Array<{ data: { p: string; E: number } }>;
      // Six seconds without a single print: six pushes of the 1 s stream, two of the 3 s one.
      for (let i = 0; i < 6; i++) clock.advance(1_000);
      await until(() => marks('btcusdt@markPrice@1s').length >= 6 && marks('btcusdt@markPrice').length >= 2, 'quiet-market pushes');
      const fast = marks('btcusdt@markPrice@1s');
      expect(fast).toHaveLength(6);
      expect(new Set(fast.map((m) => m.data.p)).size).toBe(1);
      expect(fast.slice(1).map((m, i) => m.data.E - fast[i]!.data.E)).toEqual([1_000, 1_000, 1_000, 1_000, 1_000]);
      expect(marks('btcusdt@markPrice')).toHaveLength(2);
      c.ws.close();
    } finally {
      await sim.close();
    }
  });
});
