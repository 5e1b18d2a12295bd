import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSim, type Sim } from './test-harness.js';

type Row = Record<string, unknown>;
const keys = (o: unknown): string[] => Object.keys(o as Row).sort();
const isDecimal = (v: unknown): boolean => typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v);

const ORDER_ACK_KEYS = [
  'avgPrice', 'clientOrderId', 'closePosition', 'cumQty', 'cumQuote', 'executedQty', 'goodTillDate', 'orderId', 'origQty', 'origType',
  'positionSide', 'price', 'priceMatch', 'priceProtect', 'reduceOnly', 'selfTradePreventionMode', 'side', 'status', 'stopPrice',
  'symbol', 'timeInForce', 'type', 'updateTime', 'workingType',
];
const ORDER_QUERY_KEYS = [...ORDER_ACK_KEYS.filter((k) => k !== 'cumQty'), 'time'].sort();

describe('sim server REST shapes', () => {
  let sim: Sim;
  const json = async (r: Promise<Response>): Promise<any> => {
    const res = await r;
    const body: unknown = await res.json();
    expect(res.status, JSON.stringify(body)).toBe(200);
    return body;
  };
  beforeAll(async () => {
    sim = await startSim();
  });
  afterAll(async () => {
    await sim.close();
  });

  it('ping, time, exchangeInfo', async () => {
    expect(await json(sim.call('GET', '/fapi/v1/ping'))).toEqual({});
    const t = await json(sim.call('GET', '/fapi/v1/time'));
    expect(typeof t.serverTime).toBe('number');
    const info = await json(sim.call('GET', '/fapi/v1/exchangeInfo'));
    expect(info.rateLimits).toContainEqual({ rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: 2400 });
    const btc = info.symbols.find((s: Row) => s.symbol === 'BTCUSDT');
    expect(btc).toMatchObject({ contractType: 'PERPETUAL', status: 'TRADING', quoteAsset: 'USDT', marginAsset: 'USDT' });
    expect(btc.filters.map((f: Row) => f.filterType)).toEqual(expect.arrayContaining(['PRICE_FILTER', 'LOT_SIZE', 'MARKET_LOT_SIZE', 'MIN_NOTIONAL']));
  });

  it('tickers, premium index, book ticker: one row with symbol, an array without', async () => {
    const t24 = await json(sim.call('GET', '/fapi/v1/ticker/24hr', { symbol: 'BTCUSDT' }));
    expect(keys(t24)).toEqual(
      ['closeTime', 'count', 'firstId', 'highPrice', 'lastId', 'lastPrice', 'lastQty', 'lowPrice', 'openPrice', 'openTime', 'priceChange',
        'priceChangePercent', 'quoteVolume', 'symbol', 'volume', 'weightedAvgPrice'].sort(),
    );
    expect(isDecimal(t24.lastPrice)).toBe(true);
    expect(await json(sim.call('GET', '/fapi/v1/ticker/24hr'))).toHaveLength(2);
    const price = await json(sim.call('GET', '/fapi/v1/ticker/price', { symbol: 'BTCUSDT' }));
    expect(keys(price)).toEqual(['price', 'symbol', 'time']);
    expect(await json(sim.call('GET', '/fapi/v2/ticker/price'))).toHaveLength(2);
    const pi = await json(sim.call('GET', '/fapi/v1/premiumIndex', { symbol: 'BTCUSDT' }));
    expect(keys(pi)).toEqual(
      ['estimatedSettlePrice', 'indexPrice', 'interestRate', 'lastFundingRate', 'markPrice', 'nextFundingTime', 'symbol', 'time'].sort(),
    );
    expect(await json(sim.call('GET', '/fapi/v1/premiumIndex'))).toHaveLength(2);
    const bt = await json(sim.call('GET', '/fapi/v1/ticker/bookTicker', { symbol: 'BTCUSDT' }));
    expect(keys(bt)).toEqual(['askPrice', 'askQty', 'bidPrice', 'bidQty', 'symbol', 'time']);
    expect(await json(sim.call('GET', '/fapi/v1/bookTicker'))).toHaveLength(2);
    const bad = await sim.call('GET', '/fapi/v1/ticker/price', { symbol: 'NOPEUSDT' });
    expect(await bad.json()).toEqual({ code: -1121, msg: 'Invalid symbol.' });
  });

  it('klines and depth', async () => {
    const kl = await json(sim.call('GET', '/fapi/v1/klines', { symbol: 'BTCUSDT', interval: '1m', limit: 5 }));
    expect(kl.length).toBeGreaterThan(0);
    const row = kl[0];
    expect(row).toHaveLength(12);
    expect(typeof row[0]).toBe('number');
    expect(isDecimal(row[1])).toBe(true);
    const badInterval = await sim.call('GET', '/fapi/v1/klines', { symbol: 'BTCUSDT', interval: '7m' });
    expect(((await badInterval.json()) as Row).code).toBe(-1120);
    const depth = await json(sim.call('GET', '/fapi/v1/depth', { symbol: 'BTCUSDT', limit: 5 }));
    expect(keys(depth)).toEqual(['E', 'T', 'asks', 'bids', 'lastUpdateId']);
    expect(depth.bids).toHaveLength(5);
    expect(isDecimal(depth.bids[0][0])).toBe(true);
  });

  it('order lifecycle: new, query, open orders, cancel, all orders, trades', async () => {
    const placed = await json(
      sim.signed('POST', '/fapi/v1/order', { symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', quantity: '0.002', price: '58000', newClientOrderId: 'shape-1' }),
    );
    expect(keys(placed)).toEqual(ORDER_ACK_KEYS);
    expect(placed).toMatchObject({ status: 'NEW', clientOrderId: 'shape-1', price: '58000.00', origQty: '0.002', positionSide: 'BOTH' });
    const q = await json(sim.signed('GET', '/fapi/v1/order', { symbol: 'BTCUSDT', origClientOrderId: 'shape-1' }));
    expect(keys(q)).toEqual(ORDER_QUERY_KEYS);
    expect(await json(sim.signed('GET', '/fapi/v1/openOrder', { symbol: 'BTCUSDT', orderId: placed.orderId }))).toMatchObject({ orderId: placed.orderId });
    const open = await json(sim.signed('GET', '/fapi/v1/openOrders', { symbol: 'BTCUSDT' }));
    expect(open.map((o: Row) => o.orderId)).toContain(placed.orderId);
    const canceled = await json(sim.signed('DELETE', '/fapi/v1/order', { symbol: 'BTCUSDT', orderId: placed.orderId }));
    expect(canceled).toMatchObject({ status: 'CANCELED' });
    expect(keys(canceled)).toEqual(ORDER_ACK_KEYS);
    const again = await sim.signed('DELETE', '/fapi/v1/order', { symbol: 'BTCUSDT', orderId: placed.orderId });
    expect(again.status).toBe(400);
    const missing = await sim.signed('GET', '/fapi/v1/order', { symbol: 'BTCUSDT', orderId: 999999 });
    expect(await missing.json()).toEqual({ code: -2013, msg: 'Order does not exist.' });

    await json(sim.signed('POST', '/fapi/v1/order', { symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', quantity: '0.002', price: '57500' }));
    expect(await json(sim.signed('DELETE', '/fapi/v1/allOpenOrders', { symbol: 'BTCUSDT' }))).toEqual({
      code: 200,
      msg: 'The operation of cancel all open order is done.',
    });
    expect(await json(sim.signed('GET', '/fapi/v1/openOrders'))).toEqual([]);

    const mkt = await json(sim.signed('POST', '/fapi/v1/order', { symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.003', newOrderRespType: 'RESULT' }));
    expect(mkt.status).toBe('FILLED');
    const all = await json(sim.signed('GET', '/fapi/v1/allOrders', { symbol: 'BTCUSDT' }));
    expect(all.length).toBeGreaterThanOrEqual(3);
    expect(keys(all[0])).toEqual(ORDER_QUERY_KEYS);
    const trades = await json(sim.signed('GET', '/fapi/v1/userTrades', { symbol: 'BTCUSDT' }));
    expect(keys(trades[0])).toEqual(
      ['buyer', 'commission', 'commissionAsset', 'id', 'maker', 'orderId', 'positionSide', 'price', 'qty', 'quoteQty', 'realizedPnl', 'side', 'symbol', 'time'].sort(),
    );
  });

  it('positions, account, balance (v2 and v3)', async () => {
    const v2 = await json(sim.signed('GET', '/fapi/v2/positionRisk', { symbol: 'BTCUSDT' }));
    expect(v2[0]).toMatchObject({ symbol: 'BTCUSDT', positionSide: 'BOTH', marginType: expect.stringMatching(/^(cross|isolated)$/) });
    const v3 = await json(sim.signed('GET', '/fapi/v3/positionRisk'));
    expect(v3.map((p: Row) => p.symbol)).toEqual(['BTCUSDT']);
    expect(keys(v3[0])).toEqual(
      ['adl', 'askNotional', 'bidNotional', 'breakEvenPrice', 'entryPrice', 'initialMargin', 'isolatedMargin', 'isolatedWallet', 'liquidationPrice',
        'maintMargin', 'marginAsset', 'markPrice', 'notional', 'openOrderInitialMargin', 'positionAmt', 'positionInitialMargin', 'positionSide',
        'symbol', 'unRealizedProfit', 'updateTime'].sort(),
    );
    const acc2 = await json(sim.signed('GET', '/fapi/v2/account'));
    expect(acc2).toMatchObject({ canTrade: true, assets: [expect.objectContaining({ asset: 'USDT', maxWithdrawAmount: expect.any(String) })] });
    expect(acc2).not.toHaveProperty('maxWithdrawAvailable');
    const acc3 = await json(sim.signed('GET', '/fapi/v3/account'));
    expect(acc3).toHaveProperty('maxWithdrawAmount');
    expect(acc3.positions.map((p: Row) => p.symbol)).toEqual(['BTCUSDT']);
    for (const path of ['/fapi/v2/balance', '/fapi/v3/balance']) {
      const bal = await json(sim.signed('GET', path));
      expect(keys(bal[0])).toEqual(
        ['accountAlias', 'asset', 'availableBalance', 'balance', 'crossUnPnl', 'crossWalletBalance', 'marginAvailable', 'maxWithdrawAmount', 'updateTime'],
      );
    }
  });

  it('leverage, margin type, position mode, leverage brackets', async () => {
    expect(await json(sim.signed('POST', '/fapi/v1/leverage', { symbol: 'ETHUSDT', leverage: 5 }))).toMatchObject({ symbol: 'ETHUSDT', leverage: 5 });
    expect(await json(sim.signed('POST', '/fapi/v1/marginType', { symbol: 'ETHUSDT', marginType: 'ISOLATED' }))).toEqual({ code: 200, msg: 'success' });
    const same = await sim.signed('POST', '/fapi/v1/marginType', { symbol: 'ETHUSDT', marginType: 'ISOLATED' });
    expect(((await same.json()) as Row).code).toBe(-4046);
    expect(await json(sim.signed('GET', '/fapi/v1/positionSide/dual'))).toEqual({ dualSidePosition: false });
    const dual = await sim.signed('POST', '/fapi/v1/positionSide/dual', { dualSidePosition: 'false' });
    expect(((await dual.json()) as Row).code).toBe(-4059);
    const br = await json(sim.signed('GET', '/fapi/v1/leverageBracket', { symbol: 'BTCUSDT' }));
    expect(br.brackets[0]).toMatchObject({ bracket: 1, notionalFloor: 0 });
  });

  it('listenKey: POST returns the active key, PUT extends, DELETE closes', async () => {
    const a = await json(sim.call('POST', '/fapi/v1/listenKey'));
    const b = await json(sim.call('POST', '/fapi/v1/listenKey'));
    expect(b.listenKey).toBe(a.listenKey);
    expect(await json(sim.call('PUT', '/fapi/v1/listenKey'))).toEqual({ listenKey: a.listenKey });
    expect(await json(sim.call('DELETE', '/fapi/v1/listenKey'))).toEqual({});
    const put = await sim.call('PUT', '/fapi/v1/listenKey');
    expect(await put.json()).toEqual({ code: -1125, msg: 'This listenKey does not exist.' });
  });

  it('unknown paths answer 404', async () => {
    expect((await sim.call('GET', '/fapi/v1/nope')).status).toBe(404);
  });
});
