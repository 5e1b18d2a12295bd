import { describe, expect, it } from 'vitest';
import { createSimulatedClock } from '../../../clock/index.js';
import type { Kline1m, MarketUpdate } from '../engine/types.js';
import { aggregate } from './aggregate.js';
import { createMarketFeed } from './feed.js';
import { candlePath } from './path.js';
import { mulberry32, rngFor } from './prng.js';
import { createReplaySource, parseKlineCsv, parseKlineJson } from './replay.js';
import { universe } from './symbols.js';
import { createSyntheticSource } from './synthetic.js';

const T = Date.UTC(2024, 0, 1);

const corr = (a: number[], b: number[]): number => {
  const ma = a.reduce((x, y) => x + y, 0) / a.length;
  const mb = b.reduce((x, y) => x + y, 0) / b.length;
  let n = 0, da = 0, db = 0;
  for (let i = 0; i < a.length; i++) {
    n += ((a[i] as number) - ma) * ((b[i] as number) - mb);
    da += ((a[i] as number) - ma) ** 2;
    db += ((b[i] as number) - mb) ** 2;
  }
  return n / Math.sqrt(da * db);
};

describe('prng', () => {
  it('is deterministic per seed and differs across seeds', () => {
    const a = mulberry32(42), b = mulberry32(42), c = mulberry32(43);
    const xa = [a.next(), a.next(), a.normal()];
    expect([b.next(), b.next(), b.normal()]).toEqual(xa);
    expect(c.next()).not.toBe(xa[0]);
  });
});

describe('universe', () => {
  it('starts with the majors and fills up with SYMnUSDT on valid grids', () => {
    const u = universe(500, 7);
    expect(u.slice(0, 5).map((p) => p.symbol)).toEqual(['BTCUSDT', 'ETHUSDT', 'SOLUSDT', 'XRPUSDT', 'BNBUSDT']);
    expect(u[5]?.symbol).toBe('SYM5USDT');
    expect(new Set(u.map((p) => p.symbol)).size).toBe(500);
    for (const p of u) {
      expect(Math.abs(p.basePrice / p.tickSize - Math.round(p.basePrice / p.tickSize))).toBeLessThan(1e-6);
      expect(p.basePrice * p.stepSize).toBeLessThan(60);
    }
  });
});

describe('synthetic source', () => {
  it('is reproducible, valid OHLC, correlated to the market factor, and cheap for 500 symbols', () => {
    const mk = () => createSyntheticSource({ symbols: universe(500, 3), seed: 3, startTime: T });
    const a = mk(), b = mk();
    const btc: number[] = [], eth: number[] = [];
    const regimes = new Set<string>();
    let bad = 0;
    for (let m = 0; m < 1440; m++) {
      const ca = a.next() as Kline1m[];
      const cb = b.next() as Kline1m[];
      if (m % 97 === 0) expect(cb).toEqual(ca);
      // Plain checks rather than expect() per candle: 1.4 M candles.
      for (const k of ca) if (k.high < Math.max(k.open, k.close) || k.low > Math.min(k.open, k.close) || !(k.volume > 0)) bad++;
      btc.push(Math.log((ca[0] as Kline1m).close / (ca[0] as Kline1m).open));
      eth.push(Math.log((ca[1] as Kline1m).close / (ca[1] as Kline1m).open));
      regimes.add(a.regime());
    }
    // 2 × 500 symbols × 1 day of minutes (its speed belongs to `npm run bench`, not here).
    expect(bad).toBe(0);
    expect(corr(btc, eth)).toBeGreaterThan(0.5);
    expect(regimes.size).toBeGreaterThan(1);
  });

  it('clusters volatility (autocorrelated absolute returns)', () => {
    const s = createSyntheticSource({ symbols: universe(1), seed: 11, startTime: T, jumpProb: 0 });
    const r: number[] = [];
    for (let i = 0; i < 20_000; i++) {
      const k = (s.next() as Kline1m[])[0] as Kline1m;
      r.push(Math.abs(Math.log(k.close / k.open)));
    }
    expect(corr(r.slice(1), r.slice(0, -1))).toBeGreaterThan(0.05);
  });
});

describe('intra-candle path', () => {
  it('hits open, high, low and close exactly and splits the volume', () => {
    const k: Kline1m = { openTime: T, open: 100, high: 101.5, low: 99.2, close: 100.7, volume: 12.34, quoteVolume: 0, trades: 0, takerBuyVolume: 0 };
    for (let seed = 0; seed < 50; seed++) {
      const p = candlePath(k, 12, 60_000, { tickSize: 0.1, stepSize: 0.01 }, rngFor(seed));
      const prices = p.map((x) => x.price);
      expect(prices[0]).toBe(100);
      expect(prices.at(-1)).toBe(100.7);
      expect(Math.max(...prices)).toBe(101.5);
      expect(Math.min(...prices)).toBe(99.2);
      expect(p.reduce((a, x) => a + x.qty, 0)).toBeCloseTo(12.34, 6);
      expect(p.every((x, i) => i === 0 || x.offset > (p[i - 1] as { offset: number }).offset)).toBe(true);
    }
  });
});

describe('replay parsing', () => {
  it('parses the CSV format and Binance JSON arrays identically', () => {
    const csv = 'open_time_ms,open,high,low,close,volume\n1689678780000,29996.9,30002,29996.9,30001.9,60.905\n1689678840000,30002,30002,30001.3,30001.4,65.706\n';
    const json = JSON.stringify([
      [1689678780000, '29996.9', '30002', '29996.9', '30001.9', '60.905', 1689678839999],
      [1689678840000, '30002', '30002', '30001.3', '30001.4', '65.706', 1689678899999],
    ]);
    const a = parseKlineCsv(csv), b = parseKlineJson(json);
    expect(a).toHaveLength(2);
    expect(b).toEqual(a);
    const src = createReplaySource({ candles: { BTCUSDT: a } });
    expect(src.intervalMs).toBe(60_000);
    expect(src.next()?.[0]?.close).toBe(30001.9);
    expect(src.next()?.[0]?.close).toBe(30001.4);
    expect(src.next()).toBeUndefined();
  });

  it('aggregates 1m candles to 5m', () => {
    const ks: Kline1m[] = [0, 1, 2, 3, 4, 5].map((i) => ({ openTime: T + i * 60_000, open: 10 + i, high: 11 + i, low: 9 + i, close: 10.5 + i, volume: 1, quoteVolume: 10, trades: 1, takerBuyVolume: 0.5 }));
    const five = aggregate(ks, 300_000);
    expect(five).toHaveLength(2);
    expect(five[0]).toMatchObject({ openTime: T, open: 10, high: 15, low: 9, close: 14.5, volume: 5 });
  });
});

describe('feed', () => {
  const run = (seed: number): MarketUpdate[] => {
    const clock = createSimulatedClock(T);
    const profiles = universe(3, seed);
    const feed = createMarketFeed({
      clock, seed, source: createSyntheticSource({ symbols: profiles, seed, startTime: T }),
      grids: Object.fromEntries(profiles.map((p) => [p.symbol, { tickSize: p.tickSize, stepSize: p.stepSize }])),
    });
    const out: MarketUpdate[] = [];
    feed.subscribe((u) => out.push(u));
    feed.start();
    clock.advance(10 * 60_000);
    feed.stop();
    return out;
  };

  it('emits on the clock, same seed ⇒ identical sequence, different seed ⇒ different', () => {
    const a = run(5);
    expect(run(5)).toEqual(a);
    expect(run(6)).not.toEqual(a);
    const closed = a.filter((u) => u.kind === 'kline' && u.closed);
    expect(closed).toHaveLength(3 * 10);
    const kinds = new Set(a.map((u) => u.kind));
    expect([...kinds].sort()).toEqual(['book', 'kline', 'mark', 'trade']);
    const times = a.filter((u) => u.kind === 'trade').map((u) => (u as { time: number }).time);
    expect(times.every((t, i) => i === 0 || t >= (times[i - 1] as number))).toBe(true);
    expect(Math.max(...times)).toBeLessThanOrEqual(T + 10 * 60_000);
  });
});
