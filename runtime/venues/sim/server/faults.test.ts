import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createSimulatedClock } from '../../../clock/index.js';
import { until } from '../../../testing/wait.js';
import { openWs, startSim, type Sim } from './test-harness.js';

const market = (cid: string, symbol = 'BTCUSDT') => ({ symbol, side: 'BUY', type: 'MARKET', quantity: '0.002', newClientOrderId: cid });

describe('sim server fault injection', () => {
  let sim: Sim;
  const admin = async (method: string, body?: unknown): Promise<any> => {
    const init: RequestInit = { method, headers: { 'Content-Type': 'application/json' } };
    if (body !== undefined) init.body = JSON.stringify(body);
    const res = await fetch(`${sim.server.url}/sim/faults`, init);
    expect(res.status).toBe(200);
    return res.json();
  };
  const code = async (r: Response): Promise<number> => ((await r.json()) as { code: number }).code;

  beforeAll(async () => {
    sim = await startSim();
  });
  afterEach(() => sim.server.faults.clear());
  afterAll(async () => {
    await sim.close();
  });

  it('is switchable over HTTP: POST adds, GET lists, DELETE clears', async () => {
    const rule = await admin('POST', { kind: 'latency', latencyMs: 5, path: '/fapi/v1/time' });
    expect(rule).toMatchObject({ id: expect.any(String), kind: 'latency', fired: 0 });
    expect((await admin('GET')).faults).toHaveLength(1);
    expect(await admin('DELETE')).toEqual({ faults: [] });
    const bad = await fetch(`${sim.server.url}/sim/faults`, { method: 'POST', body: JSON.stringify({ kind: 'meteor' }) });
    expect(bad.status).toBe(400);
  });

  it('adds latency (with jitter) only where scoped', async () => {
    await admin('POST', { kind: 'latency', latencyMs: 150, jitterMs: 50, path: '/fapi/v1/time' });
    let t0 = performance.now();
    expect((await sim.call('GET', '/fapi/v1/time')).status).toBe(200);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(140);
    t0 = performance.now();
    await sim.call('GET', '/fapi/v1/ping');
    expect(performance.now() - t0).toBeLessThan(100);
  });

  it('answers 5xx with -1001 for `count` requests', async () => {
    sim.server.faults.add({ kind: 'http5xx', status: 502, count: 1, path: '/fapi/v1/ticker/price' });
    const first = await sim.call('GET', '/fapi/v1/ticker/price', { symbol: 'BTCUSDT' });
    expect(first.status).toBe(502);
    expect(await first.json()).toEqual({ code: -1001, msg: 'Internal error; unable to process your request. Please try again.' });
    expect((await sim.call('GET', '/fapi/v1/ticker/price', { symbol: 'BTCUSDT' })).status).toBe(200);
  });

  it('5xx after execution: the client sees 503 but the order exists', async () => {
    sim.server.faults.add({ kind: 'http5xx', phase: 'after', count: 1, path: '/fapi/v1/order', method: 'POST' });
    const res = await sim.signed('POST', '/fapi/v1/order', market('f-5xx-after'));
    expect(res.status).toBe(503);
    const q = await sim.signed('GET', '/fapi/v1/order', { symbol: 'BTCUSDT', origClientOrderId: 'f-5xx-after' });
    expect(await q.json()).toMatchObject({ clientOrderId: 'f-5xx-after', status: 'FILLED' });
  });

  it('timeout that still executes: the client gives up, the order is there afterwards', async () => {
    sim.server.faults.add({ kind: 'timeout', count: 1, path: '/fapi/v1/order', method: 'POST' });
    await expect(sim.signed('POST', '/fapi/v1/order', market('f-timeout-1'), { signal: AbortSignal.timeout(300) })).rejects.toThrow();
    const q = await sim.signed('GET', '/fapi/v1/order', { symbol: 'BTCUSDT', origClientOrderId: 'f-timeout-1' });
    expect(q.status).toBe(200);
    expect(await q.json()).toMatchObject({ clientOrderId: 'f-timeout-1', status: 'FILLED' });
  });

  it('timeout with a late answer: answered after respondAfterMs', async () => {
    sim.server.faults.add({ kind: 'timeout', respondAfterMs: 200, count: 1, path: '/fapi/v1/order', method: 'POST' });
    const t0 = performance.now();
    const res = await sim.signed('POST', '/fapi/v1/order', market('f-late-1'));
    expect(performance.now() - t0).toBeGreaterThanOrEqual(190);
    expect(await res.json()).toMatchObject({ clientOrderId: 'f-late-1' });
  });

  it('execution status unknown (-1007/-1006): before (not placed), after, and filled late', async () => {
    const unknown = { code: -1007, msg: 'Timeout waiting for response from backend server. Send status unknown; execution status unknown.' };
    const query = async (cid: string) => sim.signed('GET', '/fapi/v1/order', { symbol: 'BTCUSDT', origClientOrderId: cid });
    sim.server.faults.add({ kind: 'statusUnknown', count: 1, path: '/fapi/v1/order', method: 'POST' });
    const before = await sim.signed('POST', '/fapi/v1/order', market('f-1007-before'));
    expect(before.status).toBe(408);
    expect(await before.json()).toEqual(unknown);
    expect(await code(await query('f-1007-before'))).toBe(-2013);

    await admin('POST', { kind: 'statusUnknown', code: -1006, status: 503, phase: 'after', count: 1 });
    const after = await sim.signed('POST', '/fapi/v1/order', market('f-1006-after'));
    expect(after.status).toBe(503);
    expect(await code(after)).toBe(-1006);
    expect(await (await query('f-1006-after')).json()).toMatchObject({ status: 'FILLED' });

    sim.server.faults.add({ kind: 'statusUnknown', phase: 'after', executeAfterMs: 100, count: 1 });
    const late = await sim.signed('POST', '/fapi/v1/order', market('f-1007-late'));
    expect(await late.json()).toEqual(unknown);
    // Not there when the answer came back; there once the backend caught up.
    expect(await code(await query('f-1007-late'))).toBe(-2013);
    await until(async () => (await query('f-1007-late')).status === 200, 'the late execution');
    expect(await (await query('f-1007-late')).json()).toMatchObject({ status: 'FILLED' });

    expect(() => sim.server.faults.add({ kind: 'statusUnknown', code: -2010 })).toThrow(RangeError);
    expect(() => sim.server.faults.add({ kind: 'statusUnknown', executeAfterMs: 5 })).toThrow(RangeError);
  });

  it('429 storm with Retry-After, then recovers', async () => {
    sim.server.faults.add({ kind: 'rateLimit', count: 3, retryAfterSec: 7 });
    for (let i = 0; i < 3; i++) {
      const r = await sim.call('GET', '/fapi/v1/ping');
      expect(r.status).toBe(429);
      expect(r.headers.get('retry-after')).toBe('7');
      expect(await code(r)).toBe(-1003);
    }
    expect((await sim.call('GET', '/fapi/v1/ping')).status).toBe(200);
  });

  it('-2019 margin insufficient scoped by symbol; the order is not placed', async () => {
    sim.server.faults.add({ kind: 'marginInsufficient', symbol: 'BTCUSDT' });
    const r = await sim.signed('POST', '/fapi/v1/order', market('f-2019'));
    expect(r.status).toBe(400);
    expect(await r.json()).toEqual({ code: -2019, msg: 'Margin is insufficient.' });
    expect((await sim.signed('POST', '/fapi/v1/order', { ...market('f-2019-eth', 'ETHUSDT'), quantity: '0.01' })).status).toBe(200);
    const orders = (await (await fetch(`${sim.server.url}/sim/orders`)).json()) as Array<{ clientOrderId: string }>;
    expect(orders.map((o) => o.clientOrderId)).not.toContain('f-2019');
    expect(orders.map((o) => o.clientOrderId)).toContain('f-2019-eth');
  });

  it('rejects with a configurable code and message', async () => {
    sim.server.faults.add({ kind: 'reject', code: -4131, msg: "The counterparty's best price does not meet the PERCENT_PRICE filter limit.", count: 1 });
    const r = await sim.signed('POST', '/fapi/v1/order', market('f-reject'));
    expect(await r.json()).toMatchObject({ code: -4131 });
  });

  it('probabilities are reproducible from the seed', async () => {
    const run = async (): Promise<number[]> => {
      sim.server.faults.clear();
      sim.server.faults.reseed(42);
      sim.server.faults.add({ kind: 'http5xx', probability: 0.5, path: '/fapi/v1/ping' });
      const out: number[] = [];
      for (let i = 0; i < 12; i++) out.push((await sim.call('GET', '/fapi/v1/ping')).status);
      return out;
    };
    const a = await run();
    expect(a).toContain(503);
    expect(a).toContain(200);
    expect(await run()).toEqual(a);
  });

  it('drops WebSocket connections by path', async () => {
    const a = await openWs(`${sim.server.wsUrl}/ws/btcusdt@aggTrade`);
    const b = await openWs(`${sim.server.wsUrl}/stream?streams=btcusdt@aggTrade`);
    const closed = new Promise<number>((resolve) => a.ws.once('close', (c) => resolve(c)));
    expect(await admin('POST', { action: 'dropWebSockets', path: '/ws' })).toEqual({ dropped: 1 });
    expect(await closed).toBe(1006);
    expect(b.ws.readyState).toBe(b.ws.OPEN);
    b.ws.close();
  });

  it('expires a listenKey on demand with listenKeyExpired', async () => {
    const { listenKey } = (await (await sim.call('POST', '/fapi/v1/listenKey')).json()) as { listenKey: string };
    const c = await openWs(`${sim.server.wsUrl}/ws/${listenKey}`);
    expect(await admin('POST', { action: 'expireListenKeys' })).toEqual({ expired: 1 });
    expect(await c.next((m) => m.e === 'listenKeyExpired')).toMatchObject({ listenKey, E: expect.any(Number) });
    expect(await code(await sim.call('PUT', '/fapi/v1/listenKey'))).toBe(-1125);
    c.ws.close();
  });
});

describe('listenKey validity on the clock', () => {
  let sim: Sim;
  afterAll(async () => {
    await sim.close();
  });

  it('expires after 60 minutes unless kept alive by PUT', async () => {
    const clock = createSimulatedClock(Date.UTC(2025, 0, 1));
    // Simulated time races past the heartbeat with no pong possible, so keep pings out of the way.
    sim = await startSim({ clock, pingIntervalMs: 24 * 3_600_000 });
    const { listenKey } = (await (await sim.call('POST', '/fapi/v1/listenKey')).json()) as { listenKey: string };
    const c = await openWs(`${sim.server.wsUrl}/ws/${listenKey}`);
    clock.advance(50 * 60_000);
    expect((await sim.call('PUT', '/fapi/v1/listenKey')).status).toBe(200);
    clock.advance(50 * 60_000);
    expect(c.messages).toEqual([]);
    clock.advance(11 * 60_000);
    expect(await c.next((m) => m.e === 'listenKeyExpired')).toMatchObject({ listenKey });
    c.ws.close();
  });
});
