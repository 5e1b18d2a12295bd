import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BreakerEvent } from './breakers.js';
import { CircuitOpenError, VenueUnavailableError } from './errors.js';
import { startVenueEnv, until, type VenueEnv } from './testkit.js';

describe('circuit breakers', () => {
  let env: VenueEnv;
  beforeAll(async () => {
    env = await startVenueEnv();
  });
  afterAll(async () => {
    await env.close();
  });

  it('opens after repeated 5xx, rejects fast while open, half-opens, and closes after a success', async () => {
    const v = env.venue;
    const events: BreakerEvent[] = [];
    v.onBreakerEvent((e) => events.push(e));
    await v.rules('BTCUSDT');
    const rule = env.sim.server.faults.add({ kind: 'http5xx', status: 503, path: '/fapi/v1/ticker/24hr' });
    const sent = (): number => env.sim.server.faults.list().find((r) => r.id === rule.id)?.fired ?? 0;

    // exchangeInfo succeeded once; three failed attempts (retries included) make 3 of 4 fires, over 50%.
    await expect(v.ticker24h()).rejects.toBeInstanceOf(VenueUnavailableError);
    expect(sent()).toBe(3);
    expect(v.breakerState().breakers.market).toMatchObject({ state: 'open', failures: 3 });
    const before = sent();
    // Open means fail fast: the call is refused without a request reaching the venue.
    await expect(v.ticker24h()).rejects.toMatchObject({ name: 'CircuitOpenError', breaker: 'market', retryable: true });
    expect(sent()).toBe(before);

    // Other traffic classes keep working: orders (and the mark they check against) use other breakers.
    const o = await v.placeOrder({ symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', qty: 0.002, clientOrderId: 'br-during-open' });
    expect(o.status).toBe('FILLED');
    expect(v.breakerState().breakers.order.state).toBe('closed');

    env.sim.server.faults.clear();
    await until(() => v.breakerState().breakers.market.state === 'halfOpen', 'half-open after resetTimeout');
    expect((await v.ticker24h()).length).toBe(2);
    expect(v.breakerState().breakers.market.state).toBe('closed');
    expect(events.map((e) => `${e.breaker}:${e.state}`)).toEqual(['market:open', 'market:halfOpen', 'market:closed']);
    expect(events[0]?.ts).toBeGreaterThan(0);
  });

  it('a failure while half-open opens it again', async () => {
    const v = env.another();
    env.sim.server.faults.add({ kind: 'http5xx', path: '/fapi/v1/ticker/24hr', count: 4 });
    await expect(v.ticker24h()).rejects.toBeInstanceOf(VenueUnavailableError);
    await expect(v.ticker24h()).rejects.toBeInstanceOf(CircuitOpenError);
    await until(() => v.breakerState().breakers.market.state === 'halfOpen', 'half-open');
    env.sim.server.faults.add({ kind: 'http5xx', path: '/fapi/v1/ticker/24hr', count: 1 });
    await expect(v.ticker24h()).rejects.toBeInstanceOf(CircuitOpenError);
    expect(v.breakerState().breakers.market.state).toBe('open');
    env.sim.server.faults.clear();
  });
});
