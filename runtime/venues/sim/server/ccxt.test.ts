import { binanceusdm } from 'ccxt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_KEY, API_SECRET, startSim, type Sim } from './test-harness.js';

/** An unmodified ccxt binanceusdm whose only change is the API base URLs. */
function client(base: string): binanceusdm {
  const ex = new binanceusdm({
    apiKey: API_KEY,
    secret: API_SECRET,
    enableRateLimit: false,
    options: { fetchCurrencies: false, adjustForTimeDifference: false, warnOnFetchOpenOrdersWithoutSymbol: false },
  });
  const api = ex.urls['api'] as Record<string, string>;
  for (const key of Object.keys(api)) {
    const m = /^(fapi(?:Public|Private)(V\d)?)$/.exec(key);
    if (m) api[key] = `${base}/fapi/${(m[2] ?? 'v1').toLowerCase()}`;
  }
  api['fapiData'] = `${base}/futures/data`;
  return ex;
}

describe('ccxt binanceusdm against the sim server', () => {
  let sim: Sim;
  let ex: binanceusdm;
  beforeAll(async () => {
    sim = await startSim();
    ex = client(sim.server.url);
  });
  afterAll(async () => {
    await sim.close();
  });

  it('loads markets and public data', async () => {
    expect(await ex.fetchTime()).toBeTypeOf('number');
    const markets = await ex.loadMarkets();
    expect(markets['BTC/USDT:USDT']).toMatchObject({ id: 'BTCUSDT', swap: true, linear: true, settle: 'USDT' });
    const ticker = await ex.fetchTicker('BTC/USDT:USDT');
    expect(ticker.last).toBeGreaterThan(0);
    const ohlcv = await ex.fetchOHLCV('BTC/USDT:USDT', '1m', undefined, 5);
    expect(ohlcv[0]).toHaveLength(6);
    const book = await ex.fetchOrderBook('BTC/USDT:USDT', 5);
    expect(book.bids[0]![0]).toBeLessThan(book.asks[0]![0]!);
    const funding = await ex.fetchFundingRate('BTC/USDT:USDT');
    expect(funding.markPrice).toBeGreaterThan(0);
  });

  it('reads balance, sets leverage', async () => {
    const bal = await ex.fetchBalance();
    expect(bal['USDT']?.total).toBeGreaterThan(0);
    const lev = await ex.setLeverage(10, 'BTC/USDT:USDT');
    expect(lev).toMatchObject({ leverage: 10 });
  });

  it('places, queries and cancels a limit order', async () => {
    const o = await ex.createOrder('BTC/USDT:USDT', 'limit', 'buy', 0.002, 58_000);
    expect(o.status).toBe('open');
    const fetched = await ex.fetchOrder(o.id!, 'BTC/USDT:USDT');
    expect(fetched).toMatchObject({ id: o.id, price: 58_000, amount: 0.002, side: 'buy', type: 'limit' });
    const open = await ex.fetchOpenOrders('BTC/USDT:USDT');
    expect(open.map((x) => x.id)).toContain(o.id);
    const canceled = await ex.cancelOrder(o.id!, 'BTC/USDT:USDT');
    expect(canceled.status).toBe('canceled');
  });

  it('fills a market order and sees the trade and the position', async () => {
    const o = await ex.createOrder('BTC/USDT:USDT', 'market', 'buy', 0.003, undefined, { clientOrderId: 'ccxt-mkt-1' });
    expect(o.clientOrderId).toBe('ccxt-mkt-1');
    const byClientId = await ex.fetchOrder('', 'BTC/USDT:USDT', { origClientOrderId: 'ccxt-mkt-1' });
    expect(byClientId.status).toBe('closed');
    expect(byClientId.filled).toBeCloseTo(0.003);
    const trades = await ex.fetchMyTrades('BTC/USDT:USDT');
    expect(trades.some((t) => t.order === o.id)).toBe(true);
    const positions = await ex.fetchPositions(['BTC/USDT:USDT']);
    expect(positions[0]).toMatchObject({ symbol: 'BTC/USDT:USDT', side: 'long', contracts: 0.003 });
    const closed = await ex.fetchOrders('BTC/USDT:USDT');
    expect(closed.length).toBeGreaterThanOrEqual(2);
  });

  it('maps Binance errors to ccxt exceptions', async () => {
    sim.server.faults.add({ kind: 'marginInsufficient', count: 1 });
    await expect(ex.createOrder('BTC/USDT:USDT', 'market', 'buy', 0.002)).rejects.toThrow(/Margin is insufficient/);
    sim.server.faults.add({ kind: 'http5xx', status: 503, count: 1, path: '/fapi/v1/ticker/24hr' });
    await expect(ex.fetchTicker('BTC/USDT:USDT')).rejects.toThrow();
  });
});
