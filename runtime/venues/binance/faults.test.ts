import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createSimulatedClock } from '../../clock/index.js';
import { RateLimitedError } from './errors.js';
import { engineOrders, sleeping, startVenueEnv, until, type VenueEnv } from './testkit.js';

const buy = (clientOrderId: string, qty = 0.002) => ({ symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', qty, clientOrderId }) as const;
const ORDER = { path: '/fapi/v1/order', method: 'POST' } as const;

describe('ambiguous order outcomes', () => {
  let env: VenueEnv;
  beforeAll(async () => {
    env = await startVenueEnv({ sim: {} });
  });
  afterEach(() => env.sim.server.faults.clear());
  afterAll(async () => {
    await env.close();
  });

  it('timeout whose order executed: resolved by status query, no duplicate at the venue', async () => {
    env.sim.server.faults.add({ kind: 'timeout', count: 1, ...ORDER });
    const o = await env.venue.placeOrder(buy('amb-timeout'));
    expect(o).toMatchObject({ status: 'FILLED', clientOrderId: 'amb-timeout', filledQty: 0.002 });
    expect(o.orderId).toBeDefined();
    expect(engineOrders(env.sim, 'amb-timeout')).toBe(1);
    expect(env.lines.some((l) => l.includes('resolving by clientOrderId'))).toBe(true);
    // ccxt's timeout message carries the signed URL; the signature must not reach the log.
    expect(env.lines.join('\n')).not.toMatch(/signature=[0-9a-f]{16}/);
  });

  it('429 on placement proves non-execution: retried after Retry-After with the same id, one order', async () => {
    const rule = env.sim.server.faults.add({ kind: 'rateLimit', count: 1, retryAfterSec: 0, ...ORDER });
    const o = await env.venue.placeOrder(buy('amb-429'));
    expect(o.status).toBe('FILLED');
    expect(env.sim.server.faults.list().find((r) => r.id === rule.id)).toBeUndefined();
    expect(engineOrders(env.sim, 'amb-429')).toBe(1);
  });

  it('5xx before execution: absence proven after the processing window, re-sent once with the same id', async () => {
    env.sim.server.faults.add({ kind: 'http5xx', status: 503, phase: 'before', count: 1, ...ORDER });
    const o = await env.venue.placeOrder(buy('amb-5xx-before'));
    expect(o.status).toBe('FILLED');
    expect(engineOrders(env.sim, 'amb-5xx-before')).toBe(1);
  });

  it('5xx after execution: found by the query, not re-sent', async () => {
    const rule = env.sim.server.faults.add({ kind: 'http5xx', status: 502, phase: 'after', count: 2, ...ORDER });
    const o = await env.venue.placeOrder(buy('amb-5xx-after'));
    expect(o.status).toBe('FILLED');
    expect(engineOrders(env.sim, 'amb-5xx-after')).toBe(1);
    // One POST only: the second 5xx rule slot is still unused.
    expect(env.sim.server.faults.list().find((r) => r.id === rule.id)?.fired).toBe(1);
  });

  it('-1007 whose order executed late: resolved by status query to the real order, not rejected, not re-sent', async () => {
    // Its own adapter: these ambiguous answers count towards the order breaker, the other tests' too.
    const venue = env.another();
    // The gateway answers "execution status unknown" at once; the backend fills the order afterwards.
    const late = env.sim.server.faults.add({ kind: 'statusUnknown', code: -1007, phase: 'after', executeAfterMs: 50, count: 2, ...ORDER });
    const o = await venue.placeOrder(buy('amb-1007-late'));
    expect(o).toMatchObject({ status: 'FILLED', clientOrderId: 'amb-1007-late', filledQty: 0.002 });
    const real = env.sim.engine.history().orders.find((x) => x.clientOrderId === 'amb-1007-late');
    expect(String(o.orderId)).toBe(String(real?.orderId));
    expect(engineOrders(env.sim, 'amb-1007-late')).toBe(1);
    expect(env.sim.server.faults.list().find((r) => r.id === late.id)?.fired).toBe(1);
    // The same code on a plain 400 (executed, then answered) is no reject either.
    env.sim.server.faults.add({ kind: 'statusUnknown', code: -1006, status: 400, phase: 'after', count: 1, ...ORDER });
    expect(await venue.placeOrder(buy('amb-1006'))).toMatchObject({ status: 'FILLED', clientOrderId: 'amb-1006' });
    expect(engineOrders(env.sim, 'amb-1006')).toBe(1);
    await venue.placeOrder({ symbol: 'BTCUSDT', side: 'SELL', type: 'MARKET', qty: 0.004, reduceOnly: true, clientOrderId: 'amb-1007-flat' });
  });

  it('-1007 whose order never executed: settled as not placed only once a status query proves it absent', async () => {
    const venue = env.another({ resolve: { attempts: 8, baseDelayMs: 20, maxDelayMs: 100, processingWindowMs: 100, placementAttempts: 1 } });
    env.sim.server.faults.add({ kind: 'statusUnknown', code: -1007, phase: 'before', count: 1, ...ORDER });
    const queries = env.sim.server.faults.add({ kind: 'latency', latencyMs: 0, path: '/fapi/v1/order', method: 'GET' });
    const o = await venue.placeOrder(buy('amb-1007-absent'));
    expect(o).toMatchObject({ status: 'REJECTED', clientOrderId: 'amb-1007-absent', reject: { source: 'venue', code: -2013 } });
    expect(o.reject?.reason).toMatch(/not at the venue after 1 attempt\(s\); last: .*execution status unknown/);
    expect(env.sim.server.faults.list().find((r) => r.id === queries.id)?.fired).toBeGreaterThanOrEqual(1);
    expect(engineOrders(env.sim, 'amb-1007-absent')).toBe(0);
    // With a second attempt allowed (the default), the proven-absent order is re-sent under the same id, once.
    env.sim.server.faults.add({ kind: 'statusUnknown', phase: 'before', count: 1, ...ORDER });
    expect(await env.another().placeOrder(buy('amb-1007-resend'))).toMatchObject({ status: 'FILLED' });
    expect(engineOrders(env.sim, 'amb-1007-resend')).toBe(1);
    await venue.placeOrder({ symbol: 'BTCUSDT', side: 'SELL', type: 'MARKET', qty: 0.002, reduceOnly: true, clientOrderId: 'amb-1007-flat2' });
  });

  it('a repeated clientOrderId (-4116) means "exists": the existing order is returned, not a second one', async () => {
    const first = await env.venue.placeOrder(buy('amb-dup'));
    const again = await env.venue.placeOrder(buy('amb-dup'));
    expect(again).toMatchObject({ status: 'FILLED', orderId: first.orderId });
    expect(engineOrders(env.sim, 'amb-dup')).toBe(1);
  });

  it('stays UNKNOWN (in flight) when the venue cannot be asked, and never re-sends blindly', async () => {
    const venue = env.another();
    env.sim.server.faults.add({ kind: 'timeout', count: 1, ...ORDER });
    env.sim.server.faults.add({ kind: 'http5xx', path: '/fapi/v1/order', method: 'GET' });
    const o = await venue.placeOrder(buy('amb-unknown'));
    expect(o).toMatchObject({ status: 'UNKNOWN', clientOrderId: 'amb-unknown', qty: 0.002 });
    expect(o.orderId).toBeUndefined();
    expect(engineOrders(env.sim, 'amb-unknown')).toBe(1);
    env.sim.server.faults.clear();
    expect((await env.venue.getOrder('BTCUSDT', 'amb-unknown'))?.status).toBe('FILLED');
    await env.venue.placeOrder({ symbol: 'BTCUSDT', side: 'SELL', type: 'MARKET', qty: 0.01, reduceOnly: true, clientOrderId: 'amb-flat' });
  });
});

describe('rate limits', () => {
  let env: VenueEnv;
  beforeAll(async () => {
    env = await startVenueEnv();
  });
  afterAll(async () => {
    await env.close();
  });

  it('429: every request waits for Retry-After on the clock, then succeeds', async () => {
    const clock = createSimulatedClock(Date.now());
    const venue = env.another({ clock });
    const path = '/fapi/v1/premiumIndex';
    env.sim.server.faults.add({ kind: 'rateLimit', count: 1, retryAfterSec: 7, path });
    const counter = env.sim.server.faults.add({ kind: 'latency', latencyMs: 0, path });
    const requests = (): number => env.sim.server.faults.list().find((r) => r.id === counter.id)?.fired ?? 0;

    const first = venue.markPrice('BTCUSDT');
    await until(() => requests() === 1, 'the rate-limited request');
    await sleeping(clock);
    const t0 = clock.now();
    expect(venue.breakerState().weight).toMatchObject({ limited: 1, pausedUntil: t0 + 7_000 });
    // A second caller during the pause waits too instead of earning another 429.
    const second = venue.markPrice('ETHUSDT');
    await sleeping(clock, 2);
    clock.advance(6_999);
    expect(requests()).toBe(1);
    clock.advance(1);
    expect((await first).markPrice).toBe(60_000);
    expect((await second).markPrice).toBe(3_000);
    expect(requests()).toBe(3);
    // A wait longer than maxWaitMs fails fast with a typed, retryable error.
    env.sim.server.faults.add({ kind: 'rateLimit', count: 1, retryAfterSec: 600, path });
    const err = await venue.markPrice('BTCUSDT').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RateLimitedError);
    expect(err).toMatchObject({ retryable: true });
    expect((err as RateLimitedError).retryAfterMs).toBeGreaterThan(60_000);
  });

  it('tracks X-MBX-USED-WEIGHT-1M from responses', async () => {
    await env.venue.ticker24h();
    const w = env.venue.breakerState().weight;
    expect(w.used).toBeGreaterThanOrEqual(40);
    expect(w.limit).toBe(2400);
  });
});
