import { describe, expect, it } from 'vitest';
import { SimVenueError } from './errors.js';
import { harness } from './testkit.js';

describe('exchange filters and parameter errors (Binance codes)', () => {
  const h = harness();
  const lim = { side: 'BUY', type: 'LIMIT', timeInForce: 'GTC' } as const;

  it.each([
    ['missing symbol', { symbol: '', side: 'BUY', type: 'MARKET', quantity: '1' }, -1102],
    ['unknown symbol', { symbol: 'NOPEUSDT', side: 'BUY', type: 'MARKET', quantity: '1' }, -1121],
    ['missing side', { type: 'MARKET', quantity: '1' }, -1102],
    ['bad side', { side: 'HOLD', type: 'MARKET', quantity: '1' }, -1117],
    ['bad type', { side: 'BUY', type: 'STOP', quantity: '1' }, -1116],
    ['missing quantity', { side: 'BUY', type: 'MARKET' }, -1102],
    ['malformed quantity', { side: 'BUY', type: 'MARKET', quantity: 'abc' }, -1102],
    ['quantity 0', { side: 'BUY', type: 'MARKET', quantity: '0' }, -4003],
    ['quantity negative', { side: 'BUY', type: 'MARKET', quantity: '-1' }, -4003],
    ['quantity precision', { side: 'BUY', type: 'MARKET', quantity: '0.0001' }, -1111],
    ['quantity over max', { side: 'BUY', type: 'MARKET', quantity: '20000000' }, -1013],
    ['missing timeInForce', { side: 'BUY', type: 'LIMIT', quantity: '0.01', price: '29000' }, -1102],
    ['bad timeInForce', { ...lim, timeInForce: 'DAY', quantity: '0.01', price: '29000' }, -1115],
    ['missing price', { ...lim, quantity: '0.01' }, -1102],
    ['price 0', { ...lim, quantity: '0.01', price: '0' }, -4001],
    ['price precision', { ...lim, quantity: '0.01', price: '29000.05' }, -1111],
    ['percent price up', { ...lim, quantity: '0.01', price: '40000' }, -4016],
    ['percent price down', { ...lim, side: 'SELL', quantity: '0.01', price: '20000' }, -4024],
    ['min notional', { ...lim, symbol: 'ETHUSDT', quantity: '0.001', price: '1000' }, -4164],
    ['client id too long', { side: 'BUY', type: 'MARKET', quantity: '0.01', newClientOrderId: 'x'.repeat(37) }, -4015],
    ['hedge-mode position side', { side: 'BUY', type: 'MARKET', quantity: '0.01', positionSide: 'LONG' }, -4061],
    ['bad working type', { side: 'SELL', type: 'STOP_MARKET', stopPrice: '29000', quantity: '0.01', workingType: 'LAST' }, -4031],
    ['closePosition on LIMIT', { ...lim, quantity: '0.01', price: '29000', closePosition: 'true' }, -4136],
    ['closePosition with quantity', { side: 'SELL', type: 'STOP_MARKET', stopPrice: '29000', quantity: '0.01', closePosition: 'true' }, -4137],
    ['closePosition with reduceOnly', { side: 'SELL', type: 'STOP_MARKET', stopPrice: '29000', closePosition: 'true', reduceOnly: 'true' }, -1106],
  ] as const)('%s → %s', (_name, input, code) => {
    expect(h.rejectCode(input)).toBe(code);
  });

  it('-4014 when the price is within precision but off the tick grid', () => {
    const e = harness();
    // A symbol whose tick (0.5) is coarser than its precision (1 decimal).
    const x = harness({ symbols: [{ symbol: 'BTCUSDT', tickSize: 0.5, stepSize: 0.001, pricePrecision: 1 }] });
    expect(x.rejectCode({ ...lim, quantity: '0.01', price: '29000.3' })).toBe(-4014);
    expect(x.place({ ...lim, quantity: '0.01', price: '29000.5' }).price).toBe('29000.5');
    expect(e.place({ ...lim, quantity: '0.01', price: 29000.1 }).price).toBe('29000.1');
  });

  it('-1013 LOT_SIZE when the quantity is within precision but off the step grid', () => {
    const x = harness({ symbols: [{ symbol: 'BTCUSDT', tickSize: 0.1, stepSize: 0.005, quantityPrecision: 3 }] });
    const err = (() => {
      try {
        x.place({ side: 'BUY', type: 'MARKET', quantity: '0.012' });
      } catch (e) {
        return e as SimVenueError;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(SimVenueError);
    expect(err?.toJSON()).toEqual({ code: -1013, msg: 'Filter failure: MARKET_LOT_SIZE' });
    expect(err?.httpStatus).toBe(400);
  });

  it('MIN_NOTIONAL does not apply to reduce-only orders', () => {
    const x = harness();
    x.place({ side: 'BUY', type: 'MARKET', quantity: '0.01' });
    expect(x.place({ side: 'SELL', type: 'MARKET', quantity: '0.001', reduceOnly: true }).status).toBe('FILLED');
  });

  it('exchangeInfo exposes the filters with Binance names and strings', () => {
    const info = h.engine.exchangeInfo();
    const btc = info.symbols.find((s) => s.symbol === 'BTCUSDT');
    expect(btc?.pricePrecision).toBe(1);
    expect(btc?.quantityPrecision).toBe(3);
    const f = Object.fromEntries((btc?.filters ?? []).map((x) => [x.filterType, x]));
    expect(f.PRICE_FILTER?.tickSize).toBe('0.1');
    expect(f.LOT_SIZE?.stepSize).toBe('0.001');
    expect(f.MARKET_LOT_SIZE).toBeDefined();
    expect(f.MIN_NOTIONAL?.notional).toBe('5');
    expect(f.PERCENT_PRICE?.multiplierUp).toBe('1.0500');
  });
});
