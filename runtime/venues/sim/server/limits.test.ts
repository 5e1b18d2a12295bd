import { afterEach, describe, expect, it } from 'vitest';
import { createSimulatedClock } from '../../../clock/index.js';
import { startSim, type Sim } from './test-harness.js';

describe('sim server request weights and rate limits', () => {
  let sim: Sim | undefined;
  afterEach(async () => {
    await sim?.close();
    sim = undefined;
  });

  it('charges Binance weights per endpoint into X-MBX-USED-WEIGHT-1M', async () => {
    const clock = createSimulatedClock(Date.UTC(2025, 0, 1, 0, 0, 5));
    sim = await startSim({ clock });
    const w = async (path: string, params: Record<string, string | number> = {}): Promise<number> =>
      Number((await sim!.call('GET', path, params)).headers.get('x-mbx-used-weight-1m'));
    expect(await w('/fapi/v1/ping')).toBe(1);
    expect(await w('/fapi/v1/ticker/24hr')).toBe(41);
    expect(await w('/fapi/v1/ticker/24hr', { symbol: 'BTCUSDT' })).toBe(42);
    expect(await w('/fapi/v1/depth', { symbol: 'BTCUSDT', limit: 1000 })).toBe(62);
    expect(await w('/fapi/v1/klines', { symbol: 'BTCUSDT', interval: '1m', limit: 1500 })).toBe(72);
    clock.advance(60_000);
    expect(await w('/fapi/v1/time')).toBe(1);
  });

  it('answers 429 / -1003 with Retry-After once the minute weight is spent, and recovers next minute', async () => {
    const clock = createSimulatedClock(Date.UTC(2025, 0, 1, 0, 0, 15));
    sim = await startSim({ clock, limits: { weightPerMinute: 50 } });
    expect((await sim.call('GET', '/fapi/v1/ticker/24hr')).status).toBe(200);
    const limited = await sim.call('GET', '/fapi/v1/ticker/24hr');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('45');
    const body = (await limited.json()) as { code: number; msg: string };
    expect(body.code).toBe(-1003);
    expect(body.msg).toContain('current limit is 50 requests per minute');
    clock.advance(45_000);
    expect((await sim.call('GET', '/fapi/v1/ticker/24hr')).status).toBe(200);
  });

  it('bans with 418 after repeated 429s when configured', async () => {
    const clock = createSimulatedClock(Date.UTC(2025, 0, 1));
    sim = await startSim({ clock, limits: { weightPerMinute: 2, banAfter429s: 2, banMs: 120_000 } });
    await sim.call('GET', '/fapi/v1/ping');
    await sim.call('GET', '/fapi/v1/ping');
    expect((await sim.call('GET', '/fapi/v1/ping')).status).toBe(429);
    const banned = await sim.call('GET', '/fapi/v1/ping');
    expect(banned.status).toBe(418);
    expect(banned.headers.get('retry-after')).toBe('120');
  });

  it('counts orders in X-MBX-ORDER-COUNT-1M and limits them with -1015', async () => {
    const clock = createSimulatedClock(Date.UTC(2025, 0, 1));
    sim = await startSim({ clock, limits: { ordersPerMinute: 2 } });
    const order = { symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', quantity: '0.001', price: '58000' };
    const a = await sim.signed('POST', '/fapi/v1/order', order);
    expect(a.status).toBe(200);
    expect(a.headers.get('x-mbx-order-count-1m')).toBe('1');
    // New orders cost no IP weight on USD-M.
    expect(a.headers.get('x-mbx-used-weight-1m')).toBe('0');
    expect((await sim.signed('POST', '/fapi/v1/order', order)).headers.get('x-mbx-order-count-1m')).toBe('2');
    const third = await sim.signed('POST', '/fapi/v1/order', order);
    expect(third.status).toBe(429);
    expect(((await third.json()) as { code: number }).code).toBe(-1015);
  });
});
