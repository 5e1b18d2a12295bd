import { USDMClient, WebsocketClient } from 'binance';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_KEY, API_SECRET, startSim, type Sim } from './test-harness.js';

const quiet = { trace: () => {}, info: () => {}, error: () => {} } as never;

describe('binance SDK (tiagosiebler) USDMClient against the sim server', () => {
  let sim: Sim;
  let client: USDMClient;
  beforeAll(async () => {
    sim = await startSim();
    client = new USDMClient({ api_key: API_KEY, api_secret: API_SECRET, baseUrl: sim.server.url, disableTimeSync: true });
  });
  afterAll(async () => {
    await sim.close();
  });

  it('public endpoints', async () => {
    expect(await client.getServerTime()).toBeTypeOf('number');
    const info = await client.getExchangeInfo();
    expect(info.symbols.map((s) => s.symbol)).toEqual(expect.arrayContaining(['BTCUSDT', 'ETHUSDT']));
    const klines = await client.getKlines({ symbol: 'BTCUSDT', interval: '1m', limit: 3 });
    expect(klines.length).toBeGreaterThan(0);
    const book = await client.getOrderBook({ symbol: 'BTCUSDT', limit: 5 });
    expect(book.bids).toHaveLength(5);
    const mark = await client.getMarkPrice({ symbol: 'BTCUSDT' });
    expect(mark).toMatchObject({ symbol: 'BTCUSDT' });
    const t24 = await client.get24hrChangeStatistics({ symbol: 'BTCUSDT' });
    expect(t24).toMatchObject({ symbol: 'BTCUSDT' });
    const bt = await client.getSymbolOrderBookTicker({ symbol: 'BTCUSDT' });
    expect(bt).toMatchObject({ symbol: 'BTCUSDT' });
  });

  it('orders, positions, balances, account', async () => {
    await client.setLeverage({ symbol: 'BTCUSDT', leverage: 5 });
    const limit = await client.submitNewOrder({ symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', quantity: 0.002, price: 58_000 });
    expect(limit.status).toBe('NEW');
    expect((await client.getOrder({ symbol: 'BTCUSDT', orderId: limit.orderId })).status).toBe('NEW');
    expect((await client.getAllOpenOrders({ symbol: 'BTCUSDT' })).map((o) => o.orderId)).toContain(limit.orderId);
    expect((await client.cancelOrder({ symbol: 'BTCUSDT', orderId: limit.orderId })).status).toBe('CANCELED');

    const mkt = await client.submitNewOrder({ symbol: 'BTCUSDT', side: 'SELL', type: 'MARKET', quantity: 0.004, newOrderRespType: 'RESULT' });
    expect(mkt.status).toBe('FILLED');
    const positions = await client.getPositionsV3({ symbol: 'BTCUSDT' });
    expect(positions[0]).toMatchObject({ symbol: 'BTCUSDT', positionAmt: '-0.004' });
    expect((await client.getPositions({ symbol: 'BTCUSDT' }))[0]).toMatchObject({ leverage: '5' });
    const bal = await client.getBalanceV3();
    expect(bal[0]).toMatchObject({ asset: 'USDT' });
    const acct = await client.getAccountInformationV3();
    expect(Number(acct.totalWalletBalance)).toBeGreaterThan(0);
    const trades = await client.getAccountTrades({ symbol: 'BTCUSDT' });
    expect(trades.some((t) => t.orderId === mkt.orderId)).toBe(true);
    expect(await client.getCurrentPositionMode()).toEqual({ dualSidePosition: false });
  });

  it('surfaces Binance error bodies', async () => {
    await expect(client.getOrder({ symbol: 'BTCUSDT', orderId: 987654 })).rejects.toMatchObject({ code: -2013 });
  });

  it('listenKey lifecycle', async () => {
    const { listenKey } = await client.getFuturesUserDataListenKey();
    expect(listenKey).toMatch(/^[A-Za-z0-9]+$/);
    await client.keepAliveFuturesUserDataListenKey();
    await client.closeFuturesUserDataListenKey();
  });

  it('WebsocketClient receives klines through the routed /market/stream endpoint', async () => {
    const ws = new WebsocketClient({ wsUrl: sim.server.wsUrl, disableHeartbeat: true }, quiet);
    const got = new Promise<Record<string, unknown>>((resolve) => {
      ws.on('message', (m: unknown) => {
        // The SDK unwraps `{stream, data}` and tags the payload with `streamName`.
        const msg = m as Record<string, unknown>;
        if (msg['e'] === 'kline' && msg['streamName'] === 'btcusdt@kline_1m') resolve(msg);
      });
    });
    await ws.subscribe(['btcusdt@kline_1m'], 'usdm');
    const t = Math.floor(sim.clock.now() / 60_000) * 60_000;
    const push = setInterval(() => {
      sim.engine.ingest({
        kind: 'kline', symbol: 'BTCUSDT', closed: false,
        kline: { openTime: t, open: 60_000, high: 60_010, low: 59_990, close: 60_005, volume: 1, quoteVolume: 60_005, trades: 1, takerBuyVolume: 0.5 },
      });
    }, 50);
    try {
      expect(await got).toMatchObject({ e: 'kline', s: 'BTCUSDT' });
    } finally {
      clearInterval(push);
      ws.closeAll(true);
    }
  });

  it('WebsocketClient user data stream: listenKey over REST, ORDER_TRADE_UPDATE after a fill', async () => {
    const ws = new WebsocketClient(
      { api_key: API_KEY, api_secret: API_SECRET, wsUrl: sim.server.wsUrl, restOptions: { baseUrl: sim.server.url, disableTimeSync: true } },
      quiet,
    );
    const got = new Promise<Record<string, unknown>>((resolve) => {
      ws.on('message', (m: unknown) => {
        const msg = m as { e?: string; o?: Record<string, unknown> };
        if (msg.e === 'ORDER_TRADE_UPDATE' && msg.o?.['X'] === 'FILLED') resolve(msg.o);
      });
    });
    const opened = new Promise<void>((resolve) => ws.on('open', () => resolve()));
    await ws.subscribeUsdFuturesUserDataStream();
    await opened;
    try {
      await client.submitNewOrder({ symbol: 'ETHUSDT', side: 'BUY', type: 'MARKET', quantity: 0.01 });
      expect(await got).toMatchObject({ s: 'ETHUSDT', S: 'BUY', X: 'FILLED' });
    } finally {
      ws.closeAll(true);
    }
  });
});
