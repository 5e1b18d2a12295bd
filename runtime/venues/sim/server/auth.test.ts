import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sign } from './auth.js';
import { API_KEY, API_SECRET, startSim, type Sim } from './test-harness.js';

describe('sim server security (SIGNED / USER_STREAM)', () => {
  let sim: Sim;
  beforeAll(async () => {
    sim = await startSim();
  });
  afterAll(async () => {
    await sim.close();
  });

  it('accepts a correctly signed request and reports usage headers', async () => {
    const res = await sim.signed('GET', '/fapi/v2/balance');
    expect(res.status).toBe(200);
    expect(res.headers.get('x-mbx-used-weight-1m')).toMatch(/^\d+$/);
    expect(res.headers.get('x-mbx-order-count-1m')).toBe('0');
    const body = (await res.json()) as Array<Record<string, unknown>>;
    expect(body[0]).toMatchObject({ asset: 'USDT' });
  });

  it('accepts parameters in a form body, and split between query and body', async () => {
    const res = await sim.signed('POST', '/fapi/v1/leverage', { symbol: 'BTCUSDT', leverage: 10 }, { inBody: true });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ symbol: 'BTCUSDT', leverage: 10 });

    const query = 'symbol=BTCUSDT';
    const body = `leverage=7&timestamp=${sim.clock.now()}`;
    const signature = sign(query + body, API_SECRET);
    const split = await fetch(`${sim.server.url}/fapi/v1/leverage?${query}`, {
      method: 'POST',
      headers: { 'X-MBX-APIKEY': API_KEY, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: `${body}&signature=${signature}`,
    });
    expect(split.status).toBe(200);
    expect(await split.json()).toMatchObject({ leverage: 7 });
  });

  it('rejects a bad signature with -1022', async () => {
    const res = await sim.signed('GET', '/fapi/v2/balance', {}, { secret: 'wrong' });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ code: -1022, msg: 'Signature for this request is not valid.' });
  });

  it('rejects a stale timestamp with -1021 and honours recvWindow', async () => {
    const stale = await sim.signed('GET', '/fapi/v2/balance', {}, { timestamp: sim.clock.now() - 10_000 });
    expect(stale.status).toBe(400);
    expect(await stale.json()).toEqual({ code: -1021, msg: 'Timestamp for this request is outside of the recvWindow.' });
    const widened = await sim.signed('GET', '/fapi/v2/balance', { recvWindow: 20_000 }, { timestamp: sim.clock.now() - 10_000 });
    expect(widened.status).toBe(200);
    const ahead = await sim.signed('GET', '/fapi/v2/balance', {}, { timestamp: sim.clock.now() + 5_000 });
    expect((await ahead.json()) as { code: number }).toMatchObject({ code: -1021 });
    const tooWide = await sim.signed('GET', '/fapi/v2/balance', { recvWindow: 70_000 });
    expect(((await tooWide.json()) as { code: number }).code).toBe(-1131);
  });

  it('answers 401 for missing or unknown API keys', async () => {
    const none = await fetch(`${sim.server.url}/fapi/v2/balance?timestamp=${sim.clock.now()}&signature=00`);
    expect(none.status).toBe(401);
    expect(((await none.json()) as { code: number }).code).toBe(-2014);
    const unknown = await sim.signed('GET', '/fapi/v2/balance', {}, { apiKey: 'nosuchkey' });
    expect(unknown.status).toBe(401);
    expect(await unknown.json()).toEqual({ code: -2015, msg: 'Invalid API-key, IP, or permissions for action.' });
  });

  it('requires timestamp and signature on SIGNED endpoints but not on USER_STREAM', async () => {
    const noTs = await sim.call('GET', '/fapi/v2/balance');
    expect(((await noTs.json()) as { code: number }).code).toBe(-1102);
    const lk = await sim.call('POST', '/fapi/v1/listenKey');
    expect(lk.status).toBe(200);
    expect(((await lk.json()) as { listenKey: string }).listenKey).toMatch(/^[A-Za-z0-9]{20,}$/);
  });

  it('answers public endpoints without a key', async () => {
    const res = await fetch(`${sim.server.url}/fapi/v1/ping`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({});
  });
});
