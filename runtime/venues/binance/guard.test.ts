import { describe, expect, it } from 'vitest';
import type { OrderRequest, SymbolRules } from '../../../protocols/venue.js';
import { OrderRefusedError } from './errors.js';
import { gridDecimals } from '../../../protocols/grid.js';
import { buildOrderParams, toGrid } from './guard.js';

const BTC: SymbolRules = {
  symbol: 'BTCUSDT', baseAsset: 'BTC', quoteAsset: 'USDT', status: 'TRADING', tickSize: 0.1, minPrice: 0.1, maxPrice: 1_000_000,
  stepSize: 0.001, minQty: 0.001, maxQty: 1000, marketStepSize: 0.001, marketMinQty: 0.001, marketMaxQty: 120, minNotional: 5,
  pricePrecision: 2, qtyPrecision: 3,
};

const refusal = (req: OrderRequest, ref?: number): OrderRefusedError => {
  try {
    buildOrderParams(req, BTC, ref);
  } catch (err) {
    if (err instanceof OrderRefusedError) return err;
    throw err;
  }
  throw new Error('expected a refusal');
};

describe('grid rounding', () => {
  it('counts decimals of grid sizes, including exponent notation', () => {
    expect([gridDecimals(0.1), gridDecimals(1), gridDecimals(0.001), gridDecimals(1e-8), gridDecimals(2.5e-7)]).toEqual([1, 0, 3, 8, 8]);
  });

  it('snaps with integer step counts and prints exactly the grid decimals', () => {
    expect(toGrid(0.3, 0.1, 'down')).toBe('0.3');
    expect(toGrid(60_000.06, 0.1, 'nearest')).toBe('60000.1');
    expect(toGrid(60_000.06, 0.1, 'down')).toBe('60000.0');
    expect(toGrid(60_000.01, 0.1, 'up')).toBe('60000.1');
    expect(toGrid(0.0029999, 0.001, 'down')).toBe('0.002');
    expect(toGrid(1.23456789, 1e-8, 'nearest')).toBe('1.23456789');
    // Values on the grid stay there at any step count (the division's noise is relative).
    expect(toGrid(1_680_000.4, 0.1, 'down')).toBe('1680000.4');
    expect(toGrid(16_800.009, 0.001, 'down')).toBe('16800.009');
    expect(toGrid(1_680.0086, 0.0001, 'up')).toBe('1680.0086');
    expect(toGrid(1_680_000.41, 0.1, 'down')).toBe('1680000.4');
    expect(toGrid(1_680_000.41, 0.1, 'up')).toBe('1680000.5');
  });
});

describe('local order checks', () => {
  const base = { symbol: 'BTCUSDT', clientOrderId: 'g-1' } as const;

  it('rounds qty down, LIMIT prices passively, and sends strings only', () => {
    const p = buildOrderParams({ ...base, side: 'BUY', type: 'LIMIT', qty: 0.0029, price: 59_999.99 }, BTC, undefined);
    expect(p).toMatchObject({ quantity: '0.002', price: '59999.9', timeInForce: 'GTC', newClientOrderId: 'g-1' });
    const s = buildOrderParams({ ...base, side: 'SELL', type: 'LIMIT', qty: 0.002, price: 60_000.01, postOnly: true }, BTC, undefined);
    expect(s).toMatchObject({ price: '60000.1', timeInForce: 'GTX' });
  });

  it('refuses the -4006 inputs: non-finite and non-positive stop prices', () => {
    const stop = { ...base, side: 'SELL', type: 'STOP_MARKET', qty: 0.002, reduceOnly: true } as const;
    expect(refusal({ ...stop, stopPrice: Number.NaN }, 60_000)).toMatchObject({ reason: 'NOT_FINITE', field: 'stopPrice' });
    expect(refusal({ ...stop, stopPrice: -1_200 }, 60_000)).toMatchObject({ reason: 'NOT_POSITIVE', field: 'stopPrice' });
    expect(refusal({ ...stop, stopPrice: 0 }, 60_000)).toMatchObject({ reason: 'NOT_POSITIVE' });
    // Positive but below one tick rounds to zero: still refused, not sent as "0.0".
    expect(refusal({ ...stop, stopPrice: 0.04 }, 60_000)).toMatchObject({ reason: 'NOT_POSITIVE' });
  });

  it('refuses stops and take-profits on the wrong side of the mark', () => {
    const sl = { ...base, type: 'STOP_MARKET', qty: 0.002, reduceOnly: true } as const;
    expect(refusal({ ...sl, side: 'SELL', stopPrice: 60_500 }, 60_000)).toMatchObject({ reason: 'WRONG_SIDE' });
    expect(refusal({ ...sl, side: 'BUY', stopPrice: 59_500 }, 60_000)).toMatchObject({ reason: 'WRONG_SIDE' });
    const tp = { ...base, type: 'TAKE_PROFIT_MARKET', qty: 0.002, reduceOnly: true } as const;
    expect(refusal({ ...tp, side: 'SELL', stopPrice: 59_000 }, 60_000)).toMatchObject({ reason: 'WRONG_SIDE' });
    expect(refusal({ ...tp, side: 'BUY', stopPrice: 61_000 }, 60_000)).toMatchObject({ reason: 'WRONG_SIDE' });
    const trail = { ...base, type: 'TRAILING_STOP_MARKET', qty: 0.002, callbackRate: 1 } as const;
    expect(refusal({ ...trail, side: 'SELL', activationPrice: 59_000 }, 60_000)).toMatchObject({ reason: 'WRONG_SIDE', field: 'activationPrice' });
    expect(buildOrderParams({ ...sl, side: 'SELL', stopPrice: 58_800.04 }, BTC, 60_000)).toMatchObject({ stopPrice: '58800.0', reduceOnly: 'true', workingType: 'MARK_PRICE' });
  });

  it('refuses sizes under the filters and shapes the venue would reject', () => {
    const m = { ...base, side: 'BUY', type: 'MARKET' } as const;
    expect(refusal({ ...m, qty: 0.0009 }, 60_000)).toMatchObject({ reason: 'BELOW_MIN_QTY' });
    expect(refusal({ ...m, qty: 500 }, 60_000)).toMatchObject({ reason: 'ABOVE_MAX_QTY' });
    // USDT → contracts done naively: $4 worth at a mark of 1000 is under the $5 minimum notional.
    expect(refusal({ ...m, qty: 4 / 1_000 }, 1_000)).toMatchObject({ reason: 'BELOW_MIN_NOTIONAL' });
    expect(refusal({ ...m, qty: 0.002, price: 1 } as OrderRequest, 60_000)).toMatchObject({ reason: 'UNEXPECTED_FIELD', field: 'price' });
    expect(refusal({ ...base, side: 'SELL', type: 'STOP_MARKET', stopPrice: 59_000, closePosition: true, qty: 1 }, 60_000)).toMatchObject({ reason: 'UNEXPECTED_FIELD', field: 'qty' });
    expect(refusal({ ...base, side: 'BUY', type: 'LIMIT', qty: 0.01 }, undefined)).toMatchObject({ reason: 'MISSING_FIELD', field: 'price' });
    expect(refusal({ ...m, qty: 0.002, clientOrderId: 'has space' }, 60_000)).toMatchObject({ reason: 'INVALID', field: 'clientOrderId' });
    expect(refusal({ ...base, side: 'SELL', type: 'STOP_MARKET', qty: 0.002, stopPrice: 59_000 }, undefined)).toMatchObject({ field: 'mark' });
  });

  it('exempts reduce-only and closePosition orders from min notional', () => {
    expect(buildOrderParams({ ...base, side: 'SELL', type: 'MARKET', qty: 0.001, reduceOnly: true }, BTC, 1_000)).toMatchObject({ quantity: '0.001' });
    expect(buildOrderParams({ ...base, side: 'SELL', type: 'STOP_MARKET', stopPrice: 900, closePosition: true }, BTC, 1_000)).toMatchObject({ closePosition: 'true' });
  });
});
