import { describe, expect, it } from 'vitest';
import { harness, T0 } from './testkit.js';
import type { AccountUpdateEvent } from './types.js';

describe('reduceOnly and closePosition', () => {
  it('a reduce-only STOP_MARKET protects a long and cannot flip it', () => {
    const h = harness();
    h.place({ side: 'BUY', type: 'MARKET', quantity: '0.2' });
    const sl = h.place({ side: 'SELL', type: 'STOP_MARKET', stopPrice: '29400', quantity: '0.5', reduceOnly: 'true' });
    expect(sl.reduceOnly).toBe(true);
    h.px(29400);
    expect(h.engine.getOrder('BTCUSDT', { orderId: sl.orderId }).executedQty).toBe('0.200');
    expect(h.amt()).toBe(0);
  });

  it('a reduce-only STOP_MARKET protects a short', () => {
    const h = harness();
    h.place({ side: 'SELL', type: 'MARKET', quantity: '0.2' });
    const sl = h.place({ side: 'BUY', type: 'STOP_MARKET', stopPrice: '30600', quantity: '0.2', reduceOnly: true });
    h.px(30650);
    expect(h.engine.getOrder('BTCUSDT', { orderId: sl.orderId }).status).toBe('FILLED');
    expect(h.amt()).toBe(0);
  });

  it('-2022 when a reduce-only order would increase (flat or same side)', () => {
    const h = harness();
    expect(h.rejectCode({ side: 'SELL', type: 'MARKET', quantity: '0.1', reduceOnly: 'true' })).toBe(-2022);
    h.place({ side: 'BUY', type: 'MARKET', quantity: '0.1' });
    expect(h.rejectCode({ side: 'BUY', type: 'STOP_MARKET', stopPrice: '31000', quantity: '0.1', reduceOnly: 'true' })).toBe(-2022);
  });

  it('a reduce-only stop expires if the position is gone when it fires', () => {
    const h = harness();
    h.place({ side: 'BUY', type: 'MARKET', quantity: '0.1' });
    const sl = h.place({ side: 'SELL', type: 'STOP_MARKET', stopPrice: '29000', quantity: '0.1', reduceOnly: 'true' });
    h.place({ side: 'SELL', type: 'MARKET', quantity: '0.1' });
    h.px(28900);
    expect(h.engine.getOrder('BTCUSDT', { orderId: sl.orderId }).status).toBe('EXPIRED');
    expect(h.amt()).toBe(0);
  });

  it('closePosition STOP_MARKET / TAKE_PROFIT_MARKET close the whole position, whatever its size', () => {
    const h = harness();
    h.place({ side: 'BUY', type: 'MARKET', quantity: '0.1' });
    const tp = h.place({ side: 'SELL', type: 'TAKE_PROFIT_MARKET', stopPrice: '30900', closePosition: 'true' });
    const sl = h.place({ side: 'SELL', type: 'STOP_MARKET', stopPrice: '29100', closePosition: 'true' });
    expect(tp.closePosition).toBe(true);
    expect(tp.origQty).toBe('0.000');
    h.place({ side: 'BUY', type: 'MARKET', quantity: '0.25' }); // position grows after the TP was placed
    h.px(30950);
    const v = h.engine.getOrder('BTCUSDT', { orderId: tp.orderId });
    expect(v.status).toBe('FILLED');
    expect(v.executedQty).toBe('0.350');
    expect(h.amt()).toBe(0);
    h.px(29000);
    expect(h.engine.getOrder('BTCUSDT', { orderId: sl.orderId }).status).toBe('EXPIRED');
  });
});

describe('leverage, margin type and margin checks', () => {
  it('setLeverage validates 1..125 (-4028) and emits ACCOUNT_CONFIG_UPDATE', () => {
    const h = harness();
    expect(h.engine.setLeverage('BTCUSDT', 10)).toMatchObject({ leverage: 10, symbol: 'BTCUSDT' });
    expect(() => h.engine.setLeverage('BTCUSDT', 0)).toThrow(expect.objectContaining({ code: -4028 }));
    expect(() => h.engine.setLeverage('BTCUSDT', 126)).toThrow(expect.objectContaining({ code: -4028 }));
    expect(h.events.some((e) => e.e === 'ACCOUNT_CONFIG_UPDATE' && e.ac.l === 10)).toBe(true);
    expect(h.engine.positions('BTCUSDT')[0]?.leverage).toBe('10');
  });

  it('-2019 when the initial margin exceeds the available balance, depending on leverage', () => {
    const h = harness({ initialBalance: 1000 });
    h.engine.setLeverage('BTCUSDT', 2);
    // 0.1 BTC ≈ 3000 USDT notional needs 1500 at 2x.
    expect(h.rejectCode({ side: 'BUY', type: 'MARKET', quantity: '0.1' })).toBe(-2019);
    expect(h.rejectCode({ side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', quantity: '0.1', price: '29000' })).toBe(-2019);
    h.engine.setLeverage('BTCUSDT', 5);
    expect(h.place({ side: 'BUY', type: 'MARKET', quantity: '0.1' }).status).toBe('FILLED');
    // Resting orders reserve margin: a second one no longer fits.
    h.place({ side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', quantity: '0.05', price: '29000' });
    expect(Number(h.engine.account().totalOpenOrderInitialMargin)).toBeCloseTo(290, 6);
    expect(h.rejectCode({ side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', quantity: '0.1', price: '29000' })).toBe(-2019);
    // Closing never needs margin.
    expect(h.place({ side: 'SELL', type: 'MARKET', quantity: '0.1' }).status).toBe('FILLED');
  });

  it('margin type: -4046 same, -4047 open orders, -4048 position; isolated margin moves with the position', () => {
    const h = harness();
    expect(() => h.engine.setMarginType('BTCUSDT', 'CROSSED')).toThrow(expect.objectContaining({ code: -4046 }));
    const o = h.place({ side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', quantity: '0.01', price: '29000' });
    expect(() => h.engine.setMarginType('BTCUSDT', 'ISOLATED')).toThrow(expect.objectContaining({ code: -4047 }));
    h.engine.cancelOrder('BTCUSDT', { orderId: o.orderId });
    h.engine.setMarginType('BTCUSDT', 'ISOLATED');
    h.engine.setLeverage('BTCUSDT', 10);
    h.place({ side: 'BUY', type: 'MARKET', quantity: '0.1' });
    expect(() => h.engine.setMarginType('BTCUSDT', 'CROSSED')).toThrow(expect.objectContaining({ code: -4048 }));
    const p = h.engine.positions('BTCUSDT')[0];
    expect(p?.marginType).toBe('isolated');
    expect(Number(p?.isolatedWallet)).toBeCloseTo(300.001, 3);
  });
});

describe('fees, funding, liquidation', () => {
  it('charges taker then maker fees and realises PnL; income rows add up to the wallet change', () => {
    const h = harness();
    const w0 = h.wallet();
    h.place({ side: 'BUY', type: 'MARKET', quantity: '0.1' }); // 30000.1 taker
    h.place({ side: 'SELL', type: 'LIMIT', timeInForce: 'GTC', quantity: '0.1', price: '30100' });
    h.px(30200);
    const fees = 0.1 * 30000.1 * 0.0005 + 0.1 * 30100 * 0.0002;
    const pnl = 0.1 * (30100 - 30000.1);
    expect(h.wallet()).toBeCloseTo(w0 + pnl - fees, 6);
    const sum = h.engine.income({ limit: 1000 }).reduce((a, r) => a + Number(r.income), 0);
    expect(sum).toBeCloseTo(h.wallet() - w0, 8);
  });

  it('settles funding every 8h on the clock: longs pay a positive rate', () => {
    const h = harness();
    h.place({ side: 'BUY', type: 'MARKET', quantity: '1' });
    h.mark(30000, 0.0001);
    const w0 = h.wallet();
    h.clock.advance(T0 + 8 * 3600_000 - h.clock.now() - 1);
    expect(h.wallet()).toBe(w0);
    h.clock.advance(1);
    expect(h.wallet()).toBeCloseTo(w0 - 3, 8);
    const f = h.engine.income({ incomeType: 'FUNDING_FEE' });
    expect(f).toHaveLength(1);
    expect(f[0]?.income).toBe('-3.00000000');
    expect(h.events.some((e) => e.e === 'ACCOUNT_UPDATE' && e.a.m === 'FUNDING_FEE')).toBe(true);
    expect(h.engine.fundingRates('BTCUSDT').at(-1)?.fundingRate).toBe('0.00010000');
  });

  it('liquidates a cross position when the margin ratio reaches 100 % and records the order', () => {
    const h = harness({ initialBalance: 1000 });
    h.engine.setLeverage('BTCUSDT', 20);
    h.place({ side: 'BUY', type: 'MARKET', quantity: '0.5' }); // 15 000 notional on 1 000
    const liq = Number(h.engine.positions('BTCUSDT')[0]?.liquidationPrice);
    expect(liq).toBeGreaterThan(28_000);
    expect(liq).toBeLessThan(29_000);
    h.mark(Math.ceil(liq) + 5);
    expect(h.amt()).toBe(0.5);
    h.mark(Math.floor(liq) - 1);
    expect(h.amt()).toBe(0);
    const hist = h.engine.history();
    expect(hist.liquidations).toHaveLength(1);
    const lo = hist.orders.find((o) => o.orderId === hist.liquidations[0]);
    expect(lo?.clientOrderId.startsWith('autoclose-')).toBe(true);
    expect(lo?.status).toBe('FILLED');
    expect(h.wallet()).toBeGreaterThanOrEqual(0);
    expect(h.wallet()).toBeLessThan(100);
  });

  it('an isolated liquidation loses at most the isolated margin', () => {
    const h = harness({ initialBalance: 10_000 });
    h.engine.setMarginType('BTCUSDT', 'ISOLATED');
    h.engine.setLeverage('BTCUSDT', 50);
    h.place({ side: 'SELL', type: 'MARKET', quantity: '1' }); // 600 USDT isolated
    const w0 = h.wallet();
    h.mark(31_000);
    expect(h.amt()).toBe(0);
    expect(w0 - h.wallet()).toBeLessThanOrEqual(600 + 1e-6);
    expect(w0 - h.wallet()).toBeGreaterThan(500);
    const au = h.events.filter((e): e is AccountUpdateEvent => e.e === 'ACCOUNT_UPDATE').at(-1);
    expect(au?.a.P[0]?.pa).toBe('0.000');
  });
});
