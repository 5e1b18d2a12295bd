import { describe, expect, it } from 'vitest';
import { createSimulatedClock } from '../../../clock/index.js';
import { readKlineCsv } from '../market/replay.js';
import { benchEngine } from './bench.js';
import { SimVenueError } from './errors.js';
import type { Kline1m, MarketEvent, UserEvent } from './types.js';
import { createSimVenue } from './venue.js';

const CSV = '/work/shared/data/candles/BTCUSDT-1m.csv';
const candles: Kline1m[] = readKlineCsv(CSV, 2000);

/** A small deterministic strategy: crosses of two moving averages, with a protective stop and a TP. */
function runReplay(seed: number, minutes: number) {
  const first = candles[0] as Kline1m;
  const clock = createSimulatedClock(first.openTime);
  const venue = createSimVenue({ clock, seed, market: { kind: 'replay', candles: { BTCUSDT: candles.slice(0, minutes) } } });
  const { engine } = venue;
  const user: UserEvent[] = [];
  const market: MarketEvent[] = [];
  engine.subscribeUser((e) => user.push(e));
  engine.subscribeMarket((e) => market.push(e));
  const closes: number[] = [];
  engine.subscribeMarket((e) => {
    if (e.e !== 'kline' || !e.k.x) return;
    closes.push(Number(e.k.c));
    if (closes.length < 20) return;
    const fast = closes.slice(-5).reduce((a, b) => a + b, 0) / 5;
    const slow = closes.slice(-20).reduce((a, b) => a + b, 0) / 20;
    const amt = Number(engine.positions('BTCUSDT')[0]?.positionAmt);
    const want = fast > slow ? 0.05 : -0.05;
    if (Math.sign(amt) === Math.sign(want)) return;
    try {
      engine.cancelAllOrders('BTCUSDT');
      const side = want > 0 ? 'BUY' : 'SELL';
      const exit = want > 0 ? 'SELL' : 'BUY';
      engine.placeOrder({ symbol: 'BTCUSDT', side, type: 'MARKET', quantity: (Math.abs(want) + Math.abs(amt)).toFixed(3) });
      const px = Number(e.k.c);
      engine.placeOrder({ symbol: 'BTCUSDT', side: exit, type: 'STOP_MARKET', closePosition: true, stopPrice: (want > 0 ? px * 0.995 : px * 1.005).toFixed(1) });
      engine.placeOrder({ symbol: 'BTCUSDT', side: exit, type: 'LIMIT', timeInForce: 'GTC', reduceOnly: true, quantity: '0.025', price: (want > 0 ? px * 1.002 : px * 0.998).toFixed(1) });
    } catch (err) {
      if (!(err instanceof SimVenueError)) throw err;
    }
  });
  venue.start();
  clock.advance(minutes * 60_000 + 1);
  venue.stop();
  return { engine, user, market, history: engine.history() };
}

describe('sim venue on replayed real BTCUSDT candles', () => {
  it('same seed + same inputs ⇒ identical event sequence and identical fills', () => {
    const a = runReplay(7, 600);
    const b = runReplay(7, 600);
    expect(a.history.trades.length).toBeGreaterThan(10);
    expect(b.history).toEqual(a.history);
    expect(b.user).toEqual(a.user);
    expect(b.market).toEqual(a.market);
    const c = runReplay(8, 600);
    // Another seed changes intra-candle paths, hence the tape.
    expect(c.market).not.toEqual(a.market);
  });

  it('rebuilds the replayed candles exactly in klines and aggregates to 5m', () => {
    const { engine } = runReplay(1, 120);
    const rows = engine.klines('BTCUSDT', '1m', { limit: 1000 });
    expect(rows).toHaveLength(120);
    rows.forEach((r, i) => {
      const k = candles[i] as Kline1m;
      expect([r[0], Number(r[1]), Number(r[2]), Number(r[3]), Number(r[4])]).toEqual([k.openTime, k.open, k.high, k.low, k.close]);
    });
    const five = engine.klines('BTCUSDT', '5m', { limit: 1000 });
    expect(five.length).toBeGreaterThanOrEqual(24);
    expect(() => engine.klines('BTCUSDT', '7m')).toThrow(expect.objectContaining({ code: -1120 }));
  });

  it('keeps the books straight: every order is terminal or open, fills match trades, wallet matches income', () => {
    const { engine, history } = runReplay(3, 600);
    const open = new Set(engine.openOrders().map((o) => o.orderId));
    for (const o of history.orders) {
      const isOpen = o.status === 'NEW' || o.status === 'PARTIALLY_FILLED';
      expect(isOpen).toBe(open.has(o.orderId));
      const fills = history.trades.filter((t) => t.orderId === o.orderId).reduce((a, t) => a + Number(t.qty), 0);
      expect(fills).toBeCloseTo(Number(o.executedQty), 9);
      expect(Number(o.executedQty)).toBeLessThanOrEqual(Number(o.origQty) + 1e-12);
    }
    const income = history.income.reduce((a, r) => a + Number(r.income), 0);
    expect(Number(engine.account().totalWalletBalance)).toBeCloseTo(10_000 + income, 6);
    const net = history.trades.reduce((a, t) => a + (t.side === 'BUY' ? 1 : -1) * Number(t.qty), 0);
    expect(Number(engine.positions('BTCUSDT')[0]?.positionAmt)).toBeCloseTo(net, 9);
  });

  it('runs 500 synthetic symbols for a simulated hour', () => {
    const clock = createSimulatedClock(Date.UTC(2024, 0, 1));
    const venue = createSimVenue({ clock, seed: 2, market: { kind: 'synthetic', symbols: 500 }, feed: { printsPerCandle: 4, klinePartials: false } });
    venue.start();
    clock.advance(60 * 60_000);
    venue.stop();
    expect(venue.engine.symbols()).toHaveLength(500);
    // 60 closed candles plus the one that just opened (Binance also returns the open candle).
    expect(venue.engine.klines('SYM499USDT', '1m', { limit: 100 })).toHaveLength(61);
    expect(Number(venue.engine.premiumIndex('ETHUSDT').markPrice)).toBeGreaterThan(0);
  });

  it('benchEngine returns a positive orders/sec figure', () => {
    const r = benchEngine(2000);
    expect(r.orders).toBe(2000);
    expect(r.ordersPerSec).toBeGreaterThan(0);
  });
});
