import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OrderRefusedError } from './errors.js';
import { API_KEY, API_SECRET, engineOrders, startVenueEnv, type VenueEnv } from './testkit.js';

describe('binance adapter orders against the sim server', () => {
  let env: VenueEnv;
  beforeAll(async () => {
    env = await startVenueEnv();
  });
  afterAll(async () => {
    await env.close();
  });

  it('reads reference data and account state', async () => {
    const rules = await env.venue.rules('BTCUSDT');
    expect(rules).toMatchObject({ symbol: 'BTCUSDT', tickSize: 0.1, stepSize: 0.001, minNotional: 5, pricePrecision: 2, qtyPrecision: 3 });
    expect((await env.venue.markets()).map((m) => m.symbol).sort()).toEqual(['BTCUSDT', 'ETHUSDT']);
    await expect(env.venue.rules('DOGEUSDT')).rejects.toMatchObject({ name: 'OrderRefusedError', reason: 'UNKNOWN_SYMBOL' });
    expect((await env.venue.balances())[0]).toMatchObject({ asset: 'USDT', walletBalance: 10_000, venue: 'sim' });
    expect(await env.venue.setLeverage('BTCUSDT', 5)).toMatchObject({ symbol: 'BTCUSDT', leverage: 5 });
    const tickers = await env.venue.ticker24h();
    expect(tickers.find((t) => t.symbol === 'BTCUSDT')?.lastPrice).toBeGreaterThan(0);
    expect((await env.venue.markPrice('ETHUSDT')).markPrice).toBe(3000);
  });

  it('places each order type, rounded to the filters', async () => {
    const v = env.venue;
    const s = 'BTCUSDT';
    const mkt = await v.placeOrder({ symbol: s, side: 'BUY', type: 'MARKET', qty: 0.0049, clientOrderId: 'ot-mkt' });
    expect(mkt).toMatchObject({ status: 'FILLED', qty: 0.004, filledQty: 0.004, type: 'MARKET', clientOrderId: 'ot-mkt' });
    expect(mkt.avgPrice).toBeGreaterThan(59_000);
    const limit = await v.placeOrder({ symbol: s, side: 'BUY', type: 'LIMIT', qty: 0.002, price: 58_000.04, clientOrderId: 'ot-lmt' });
    expect(limit).toMatchObject({ status: 'NEW', price: 58_000, timeInForce: 'GTC' });
    const post = await v.placeOrder({ symbol: s, side: 'SELL', type: 'LIMIT', qty: 0.002, price: 61_000, postOnly: true, clientOrderId: 'ot-gtx' });
    expect(post).toMatchObject({ status: 'NEW', timeInForce: 'GTX' });
    const stop = await v.placeOrder({ symbol: s, side: 'SELL', type: 'STOP_MARKET', qty: 0.004, stopPrice: 58_800.06, reduceOnly: true, clientOrderId: 'ot-sl' });
    expect(stop).toMatchObject({ status: 'NEW', stopPrice: 58_800.1, reduceOnly: true, workingType: 'MARK_PRICE' });
    const tp = await v.placeOrder({ symbol: s, side: 'SELL', type: 'TAKE_PROFIT_MARKET', qty: 0.004, stopPrice: 61_500, reduceOnly: true, clientOrderId: 'ot-tp' });
    expect(tp).toMatchObject({ status: 'NEW', type: 'TAKE_PROFIT_MARKET', stopPrice: 61_500 });
    const trail = await v.placeOrder({
      symbol: s, side: 'SELL', type: 'TRAILING_STOP_MARKET', qty: 0.004, callbackRate: 0.8, activationPrice: 60_500, reduceOnly: true, clientOrderId: 'ot-trail',
    });
    expect(trail).toMatchObject({ status: 'NEW', type: 'TRAILING_STOP_MARKET', callbackRate: 0.8, activationPrice: 60_500 });
    const close = await v.placeOrder({ symbol: s, side: 'SELL', type: 'STOP_MARKET', stopPrice: 57_000, closePosition: true, clientOrderId: 'ot-cp' });
    expect(close).toMatchObject({ status: 'NEW', closePosition: true, qty: 0 });

    const open = await v.openOrders(s);
    expect(open.map((o) => o.clientOrderId).sort()).toEqual(['ot-cp', 'ot-gtx', 'ot-lmt', 'ot-sl', 'ot-tp', 'ot-trail']);
    for (const o of open) expect((await v.cancelOrder(s, o.clientOrderId))?.status).toBe('CANCELED');
    expect(await v.openOrders(s)).toEqual([]);
    // Cancelling a finished order answers with its real state instead of an error.
    expect((await v.cancelOrder(s, 'ot-mkt'))?.status).toBe('FILLED');
    expect(await v.getOrder(s, 'never-placed')).toBeUndefined();
    await v.placeOrder({ symbol: s, side: 'SELL', type: 'MARKET', qty: 0.004, reduceOnly: true, clientOrderId: 'ot-flat' });
  });

  it('round-trips a position: open, verify, close', async () => {
    const v = env.venue;
    const open = await v.placeOrder({ symbol: 'ETHUSDT', side: 'BUY', type: 'MARKET', qty: 0.5, clientOrderId: 'rt-open' });
    expect(open.status).toBe('FILLED');
    expect(await v.positions()).toEqual([expect.objectContaining({ symbol: 'ETHUSDT', side: 'LONG', qty: 0.5, amount: 0.5 })]);
    const close = await v.placeOrder({ symbol: 'ETHUSDT', side: 'SELL', type: 'MARKET', qty: 0.5, reduceOnly: true, clientOrderId: 'rt-close' });
    expect(close).toMatchObject({ status: 'FILLED', reduceOnly: true });
    expect(await v.positions()).toEqual([]);
    expect((await v.positions('ETHUSDT'))[0]).toMatchObject({ side: 'FLAT', qty: 0 });
  });

  it('protects a long and a short with reduce-only stops that fire when the mark crosses', async () => {
    const v = env.venue;
    await v.placeOrder({ symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', qty: 0.003, clientOrderId: 'pr-long' });
    await v.placeOrder({ symbol: 'ETHUSDT', side: 'SELL', type: 'MARKET', qty: 0.2, clientOrderId: 'pr-short' });
    const sl = await v.placeOrder({ symbol: 'BTCUSDT', side: 'SELL', type: 'STOP_MARKET', qty: 0.003, stopPrice: 59_000, reduceOnly: true, clientOrderId: 'pr-long-sl' });
    const ss = await v.placeOrder({ symbol: 'ETHUSDT', side: 'BUY', type: 'STOP_MARKET', qty: 0.2, stopPrice: 3_100, reduceOnly: true, clientOrderId: 'pr-short-sl' });
    expect([sl.status, ss.status]).toEqual(['NEW', 'NEW']);

    env.sim.tick('BTCUSDT', 58_900);
    env.sim.tick('ETHUSDT', 3_150);
    expect(await v.getOrder('BTCUSDT', 'pr-long-sl')).toMatchObject({ status: 'FILLED', filledQty: 0.003 });
    expect(await v.getOrder('ETHUSDT', 'pr-short-sl')).toMatchObject({ status: 'FILLED', filledQty: 0.2 });
    expect(await v.positions()).toEqual([]);
    env.sim.tick('BTCUSDT', 60_000);
    env.sim.tick('ETHUSDT', 3_000);
  });

  it('refuses TP/SL on the wrong side locally: nothing reaches the venue', async () => {
    const v = env.venue;
    await v.placeOrder({ symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', qty: 0.002, clientOrderId: 'ws-long' });
    const rejectsBefore = env.sim.engine.history().rejects.length;
    await expect(
      v.placeOrder({ symbol: 'BTCUSDT', side: 'SELL', type: 'STOP_MARKET', qty: 0.002, stopPrice: 60_500, reduceOnly: true, clientOrderId: 'ws-sl' }),
    ).rejects.toMatchObject({ name: 'OrderRefusedError', reason: 'WRONG_SIDE', field: 'stopPrice', retryable: false });
    await expect(
      v.placeOrder({ symbol: 'BTCUSDT', side: 'SELL', type: 'TAKE_PROFIT_MARKET', qty: 0.002, stopPrice: 59_500, reduceOnly: true, clientOrderId: 'ws-tp' }),
    ).rejects.toMatchObject({ reason: 'WRONG_SIDE' });
    expect(engineOrders(env.sim, 'ws-sl') + engineOrders(env.sim, 'ws-tp')).toBe(0);
    expect(env.sim.engine.history().rejects.length).toBe(rejectsBefore);
    await v.placeOrder({ symbol: 'BTCUSDT', side: 'SELL', type: 'MARKET', qty: 0.002, reduceOnly: true, clientOrderId: 'ws-flat' });
  });

  it('the -4006 story: a stop computed from a bad number is refused locally, so the caller can still protect or flatten', async () => {
    const v = env.venue;
    // What the old exit brain effectively did: a percentage treated as leverage-scaled, giving a negative stop.
    const entry = await v.placeOrder({ symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', qty: 0.002, clientOrderId: 'story-entry' });
    const naiveStop = entry.avgPrice * (1 - 0.02 * 60);
    expect(naiveStop).toBeLessThan(0);

    // Sent raw, the venue answers -4006 after the entry already filled: the old unprotected position.
    const raw = await env.sim.signed('POST', '/fapi/v1/order', {
      symbol: 'BTCUSDT', side: 'SELL', type: 'STOP_MARKET', quantity: '0.002', stopPrice: naiveStop.toFixed(1), reduceOnly: 'true', newClientOrderId: 'story-raw',
    });
    expect(await raw.json()).toEqual({ code: -4006, msg: 'Stop price less than zero.' });

    const rejectsBefore = env.sim.engine.history().rejects.length;
    const err = await v
      .placeOrder({ symbol: 'BTCUSDT', side: 'SELL', type: 'STOP_MARKET', qty: 0.002, stopPrice: naiveStop, reduceOnly: true, clientOrderId: 'story-sl' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OrderRefusedError);
    expect(err).toMatchObject({ reason: 'NOT_POSITIVE', field: 'stopPrice', clientOrderId: 'story-sl' });
    expect(env.sim.engine.history().rejects.length).toBe(rejectsBefore);

    // The refusal arrives before any venue round trip, so the caller's fallback (here: flatten) runs at once.
    const flat = await v.placeOrder({ symbol: 'BTCUSDT', side: 'SELL', type: 'MARKET', qty: 0.002, reduceOnly: true, clientOrderId: 'story-flat' });
    expect(flat.status).toBe('FILLED');
    expect(await v.positions()).toEqual([]);
  });

  it('returns venue business rejects as REJECTED orders with the code, not as exceptions', async () => {
    env.sim.server.faults.add({ kind: 'marginInsufficient', count: 1 });
    const o = await env.venue.placeOrder({ symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', qty: 0.002, clientOrderId: 'rej-2019' });
    expect(o).toMatchObject({ status: 'REJECTED', reject: { source: 'venue', code: -2019, reason: 'Margin is insufficient.' } });
    expect(engineOrders(env.sim, 'rej-2019')).toBe(0);
  });

  it('never writes the API key or secret to the log', () => {
    const all = env.lines.join('\n');
    expect(env.lines.length).toBeGreaterThan(0);
    expect(all).not.toContain(API_SECRET);
    expect(all).not.toContain(API_KEY);
  });
});
