import { describe, expect, it } from 'vitest';
import { harness } from './testkit.js';
import type { OrderTradeUpdateEvent } from './types.js';

describe('MARKET', () => {
  it('fills at the ask for a small buy and pays the taker fee', () => {
    const h = harness();
    const o = h.place({ side: 'BUY', type: 'MARKET', quantity: '0.010' });
    expect(o.status).toBe('FILLED');
    expect(o.avgPrice).toBe('30000.10000');
    expect(o.executedQty).toBe('0.010');
    const t = h.engine.userTrades('BTCUSDT')[0];
    expect(t?.commission).toBe('0.15000050'); // 0.01 * 30000.1 * 0.0005
    expect(t?.maker).toBe(false);
  });

  it('sweeps several levels when larger than the top level', () => {
    const h = harness();
    // Top level holds 50k USDT ≈ 1.666 BTC; 3 BTC must walk deeper.
    const o = h.place({ side: 'SELL', type: 'MARKET', quantity: '3' });
    expect(o.status).toBe('FILLED');
    const prices = new Set(h.engine.userTrades('BTCUSDT').map((t) => t.price));
    expect(prices.size).toBeGreaterThan(1);
    expect(Number(o.avgPrice)).toBeLessThan(29_999.9);
  });

  it('expires the rest when the whole book is exhausted (partial fill)', () => {
    const h = harness({ book: { levels: 2, topLevelNotional: 30_000, levelGrowth: 0 }, initialBalance: 1e7 });
    const o = h.place({ side: 'BUY', type: 'MARKET', quantity: '5' });
    expect(o.status).toBe('EXPIRED');
    expect(Number(o.executedQty)).toBeCloseTo(1.998, 6);
  });
});

describe('LIMIT', () => {
  it('rests, then fills as maker when a later print trades through', () => {
    const h = harness();
    const o = h.place({ side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', quantity: '0.5', price: '29900' });
    expect(o.status).toBe('NEW');
    h.px(29950);
    expect(h.engine.getOrder('BTCUSDT', { orderId: o.orderId }).status).toBe('NEW');
    h.px(29899.9, 2);
    const done = h.engine.getOrder('BTCUSDT', { orderId: o.orderId });
    expect(done.status).toBe('FILLED');
    expect(done.avgPrice).toBe('29900.00000');
    expect(h.engine.userTrades('BTCUSDT')[0]?.maker).toBe(true);
    expect(h.engine.userTrades('BTCUSDT')[0]?.commission).toBe('2.99000000'); // 0.5 * 29900 * 0.0002
  });

  it('partially fills from small prints, touch prints giving less than through prints', () => {
    const h = harness();
    const o = h.place({ side: 'SELL', type: 'LIMIT', timeInForce: 'GTC', quantity: '1', price: '30100' });
    h.px(30100, 1); // touch: 30 % of 1
    let v = h.engine.getOrder('BTCUSDT', { origClientOrderId: o.clientOrderId });
    expect(v.status).toBe('PARTIALLY_FILLED');
    expect(v.executedQty).toBe('0.300');
    h.px(30100.5, 0.2); // through: 100 % of 0.2
    v = h.engine.getOrder('BTCUSDT', { orderId: o.orderId });
    expect(v.executedQty).toBe('0.500');
    h.px(30200, 5);
    expect(h.engine.getOrder('BTCUSDT', { orderId: o.orderId }).status).toBe('FILLED');
    const kinds = h.events.filter((e): e is OrderTradeUpdateEvent => e.e === 'ORDER_TRADE_UPDATE' && e.o.i === o.orderId).map((e) => e.o.X);
    expect(kinds).toEqual(['NEW', 'PARTIALLY_FILLED', 'PARTIALLY_FILLED', 'FILLED']);
  });

  it('takes the crossing part as taker and rests the rest (GTC)', () => {
    const h = harness({ book: { levels: 5, topLevelNotional: 15_000.05, levelGrowth: 0 } });
    const o = h.place({ side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', quantity: '1', price: '30000.1' });
    expect(o.status).toBe('PARTIALLY_FILLED');
    expect(o.executedQty).toBe('0.500');
    expect(h.engine.openOrders('BTCUSDT')).toHaveLength(1);
  });

  it('IOC expires the unfilled rest', () => {
    const h = harness({ book: { levels: 5, topLevelNotional: 15_000.05, levelGrowth: 0 } });
    const o = h.place({ side: 'BUY', type: 'LIMIT', timeInForce: 'IOC', quantity: '1', price: '30000.1' });
    expect(o.status).toBe('EXPIRED');
    expect(o.executedQty).toBe('0.500');
    expect(h.engine.openOrders()).toHaveLength(0);
  });

  it('FOK fills all or nothing', () => {
    const h = harness({ book: { levels: 5, topLevelNotional: 15_000.05, levelGrowth: 0 } });
    const none = h.place({ side: 'BUY', type: 'LIMIT', timeInForce: 'FOK', quantity: '1', price: '30000.1' });
    expect(none.status).toBe('EXPIRED');
    expect(none.executedQty).toBe('0.000');
    // Levels are 1 bp (3.0 USDT) apart and hold ~0.5 BTC each, so 1 BTC needs the third level.
    const all = h.place({ side: 'BUY', type: 'LIMIT', timeInForce: 'FOK', quantity: '1', price: '30006.1' });
    expect(all.status).toBe('FILLED');
  });

  it('GTX (post-only) is rejected with -5022 when it would take, and not recorded', () => {
    const h = harness();
    expect(h.rejectCode({ side: 'BUY', type: 'LIMIT', timeInForce: 'GTX', quantity: '0.1', price: '30000.1' })).toBe(-5022);
    expect(h.engine.history().orders).toHaveLength(0);
    const ok = h.place({ side: 'BUY', type: 'LIMIT', timeInForce: 'GTX', quantity: '0.1', price: '29999.9' });
    expect(ok.status).toBe('NEW');
  });
});

describe('cancel and lookup', () => {
  it('cancels by clientOrderId; a second cancel is -2011; unknown lookup is -2013', () => {
    const h = harness();
    const o = h.place({ side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', quantity: '0.1', price: '29000', newClientOrderId: 'abc-1' });
    expect(h.engine.cancelOrder('BTCUSDT', { origClientOrderId: 'abc-1' }).status).toBe('CANCELED');
    expect(() => h.engine.cancelOrder('BTCUSDT', { orderId: o.orderId })).toThrow(expect.objectContaining({ code: -2011, msg: 'Unknown order sent.' }));
    expect(() => h.engine.getOrder('BTCUSDT', { orderId: 999 })).toThrow(expect.objectContaining({ code: -2013 }));
    expect(() => h.engine.getOrder('BTCUSDT', {})).toThrow(expect.objectContaining({ code: -1102 }));
  });

  it('rejects a duplicate clientOrderId among open AND historical orders (-4116)', () => {
    const h = harness();
    h.place({ side: 'BUY', type: 'MARKET', quantity: '0.01', newClientOrderId: 'dup' });
    expect(h.rejectCode({ side: 'SELL', type: 'MARKET', quantity: '0.01', newClientOrderId: 'dup' })).toBe(-4116);
    // Other symbols have their own namespace.
    expect(h.engine.placeOrder({ symbol: 'ETHUSDT', side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', quantity: '0.01', price: '1000', newClientOrderId: 'dup' }).clientOrderId).toBe('dup');
  });

  it('auto-generates unique clientOrderIds', () => {
    const h = harness();
    const a = h.place({ side: 'BUY', type: 'MARKET', quantity: '0.01' });
    const b = h.place({ side: 'BUY', type: 'MARKET', quantity: '0.01' });
    expect(a.clientOrderId).not.toBe(b.clientOrderId);
    expect(a.clientOrderId.length).toBeGreaterThan(0);
  });
});

describe('conditional orders', () => {
  it('STOP_MARKET triggers on contract price and fills as market', () => {
    const h = harness();
    const o = h.place({ side: 'BUY', type: 'STOP_MARKET', stopPrice: '30500', quantity: '0.1' });
    h.px(30400);
    expect(h.engine.getOrder('BTCUSDT', { orderId: o.orderId }).status).toBe('NEW');
    h.px(30500);
    const v = h.engine.getOrder('BTCUSDT', { orderId: o.orderId });
    expect(v.status).toBe('FILLED');
    expect(v.avgPrice).toBe('30500.10000');
    const trade = h.events.filter((e): e is OrderTradeUpdateEvent => e.e === 'ORDER_TRADE_UPDATE' && e.o.x === 'TRADE').at(-1);
    expect(trade?.o.o).toBe('MARKET');
    expect(trade?.o.ot).toBe('STOP_MARKET');
  });

  it('MARK_PRICE working type ignores the contract price', () => {
    const h = harness();
    const o = h.place({ side: 'SELL', type: 'STOP_MARKET', stopPrice: '29500', quantity: '0.1', workingType: 'MARK_PRICE' });
    h.px(29400, 1, false); // last trades through but mark stays
    expect(h.engine.getOrder('BTCUSDT', { orderId: o.orderId }).status).toBe('NEW');
    h.mark(29499);
    expect(h.engine.getOrder('BTCUSDT', { orderId: o.orderId }).status).toBe('FILLED');
  });

  it('TAKE_PROFIT_MARKET triggers on the profit side', () => {
    const h = harness();
    const o = h.place({ side: 'SELL', type: 'TAKE_PROFIT_MARKET', stopPrice: '30600', quantity: '0.1' });
    h.px(30599.9);
    expect(h.engine.getOrder('BTCUSDT', { orderId: o.orderId }).status).toBe('NEW');
    h.px(30600);
    expect(h.engine.getOrder('BTCUSDT', { orderId: o.orderId }).status).toBe('FILLED');
  });

  it('wrong-side stops are rejected with -2021 (would immediately trigger)', () => {
    const h = harness();
    expect(h.rejectCode({ side: 'SELL', type: 'STOP_MARKET', stopPrice: '30100', quantity: '0.1' })).toBe(-2021);
    expect(h.rejectCode({ side: 'BUY', type: 'STOP_MARKET', stopPrice: '29900', quantity: '0.1' })).toBe(-2021);
    expect(h.rejectCode({ side: 'SELL', type: 'TAKE_PROFIT_MARKET', stopPrice: '29900', quantity: '0.1' })).toBe(-2021);
    expect(h.rejectCode({ side: 'BUY', type: 'TAKE_PROFIT_MARKET', stopPrice: '30100', quantity: '0.1' })).toBe(-2021);
  });

  it('the -4006 story: a stop price computed as ≤ 0 is rejected, not silently placed', () => {
    const h = harness();
    // The legacy exit brain computed SL from a zero entry price: 0 * (1 - 0.02) = 0.
    expect(h.rejectCode({ side: 'SELL', type: 'STOP_MARKET', stopPrice: '0', quantity: '0.1' })).toBe(-4006);
    expect(h.rejectCode({ side: 'SELL', type: 'STOP_MARKET', stopPrice: '-5', quantity: '0.1' })).toBe(-4006);
    expect(h.rejectCode({ side: 'SELL', type: 'STOP_MARKET', quantity: '0.1' })).toBe(-1102);
    expect(h.engine.history().rejects.map((r) => r.code)).toEqual([-4006, -4006, -1102]);
  });

  it('TRAILING_STOP_MARKET activates, follows the high and fires on the callback', () => {
    const h = harness();
    h.place({ side: 'BUY', type: 'MARKET', quantity: '0.1' });
    const o = h.place({ side: 'SELL', type: 'TRAILING_STOP_MARKET', quantity: '0.1', reduceOnly: 'true', activationPrice: '30300', callbackRate: '1' });
    expect(o.activatePrice).toBe('30300.0');
    expect(o.priceRate).toBe('1');
    h.px(30200);
    h.px(30300); // activates at 30300
    h.px(31000); // new high
    h.px(30700); // 0.97 % below: no
    expect(h.engine.getOrder('BTCUSDT', { orderId: o.orderId }).status).toBe('NEW');
    h.px(30690); // 1 % below 31000 = 30690
    expect(h.engine.getOrder('BTCUSDT', { orderId: o.orderId }).status).toBe('FILLED');
    expect(h.amt()).toBe(0);
  });

  it('TRAILING_STOP_MARKET validates callbackRate (0.1–5) and activation side', () => {
    const h = harness();
    expect(h.rejectCode({ side: 'SELL', type: 'TRAILING_STOP_MARKET', quantity: '0.1', callbackRate: '6' })).toBe(-1130);
    expect(h.rejectCode({ side: 'SELL', type: 'TRAILING_STOP_MARKET', quantity: '0.1', callbackRate: '0.05' })).toBe(-1130);
    expect(h.rejectCode({ side: 'SELL', type: 'TRAILING_STOP_MARKET', quantity: '0.1' })).toBe(-1102);
    expect(h.rejectCode({ side: 'SELL', type: 'TRAILING_STOP_MARKET', quantity: '0.1', callbackRate: '1', activationPrice: '29000' })).toBe(-2021);
    // Without activationPrice it is active at once from the current price.
    const o = h.place({ side: 'BUY', type: 'TRAILING_STOP_MARKET', quantity: '0.1', callbackRate: '0.5' });
    h.px(29000);
    h.px(29145);
    expect(h.engine.getOrder('BTCUSDT', { orderId: o.orderId }).status).toBe('FILLED');
  });
});
