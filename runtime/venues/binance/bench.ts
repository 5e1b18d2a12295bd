/**
 * Order round-trip benchmark over loopback: adapter → ccxt signing → HTTP → sim server → engine →
 * ack → parse. Called from `npm run bench`; not a test.
 */
import { createLiveClock } from '../../clock/index.js';
import { createSimEngine } from '../sim/engine/index.js';
import { createSimServer } from '../sim/server/index.js';
import { createBinanceVenue } from './venue.js';

/** Latency distribution of placeOrder → settled ack, in milliseconds. */
export interface OrderBenchResult {
  n: number;
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
  maxMs: number;
}

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return 0;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i] ?? 0;
}

/**
 * Places `n` marketable IOC limit orders (alternating sides, so the position stays small) against a
 * fresh simulator on loopback and reports p50/p99 of the full placeOrder call.
 * @param n orders to time. @default 200
 */
export async function benchOrderRoundTrip(n = 200): Promise<OrderBenchResult> {
  const clock = createLiveClock();
  const engine = createSimEngine({
    clock,
    symbols: [{ symbol: 'BTCUSDT', baseAsset: 'BTC', tickSize: 0.1, stepSize: 0.001, pricePrecision: 2, quantityPrecision: 3, minNotional: 5 }],
    initialBalance: 1_000_000,
  });
  const t0 = clock.now();
  engine.ingest({ kind: 'mark', symbol: 'BTCUSDT', time: t0, markPrice: 60_000, indexPrice: 60_000, fundingRate: 0.0001, nextFundingTime: t0 + 3_600_000 });
  engine.ingest({ kind: 'book', symbol: 'BTCUSDT', time: t0, bid: 59_999.9, ask: 60_000.1, bidQty: 5, askQty: 5 });
  engine.ingest({ kind: 'trade', symbol: 'BTCUSDT', time: t0, price: 60_000, qty: 0.01, isBuyerMaker: false });
  const apiKey = 'benchkey';
  const apiSecret = 'benchsecret';
  const server = await createSimServer({ engine, clock, credentials: [{ apiKey, apiSecret }], limits: { ordersPerMinute: 1_000_000, ordersPer10s: 1_000_000 } });
  const venue = createBinanceVenue({ mode: 'sim', restUrl: server.url, wsUrl: server.wsUrl, apiKey, apiSecret, clock });
  try {
    await venue.rules('BTCUSDT');
    const run = `b${clock.now().toString(36)}`;
    const samples: number[] = [];
    for (let i = 0; i < n + 10; i++) {
      const buy = i % 2 === 0;
      const start = performance.now();
      const o = await venue.placeOrder({
        symbol: 'BTCUSDT', side: buy ? 'BUY' : 'SELL', type: 'LIMIT', timeInForce: 'IOC', qty: 0.002,
        price: buy ? 60_100 : 59_900, clientOrderId: `${run}-${i}`,
      });
      const ms = performance.now() - start;
      if (o.status === 'UNKNOWN' || o.status === 'REJECTED') throw new Error(`bench order ${i} ended ${o.status}: ${o.reject?.reason ?? ''}`);
      // The first few warm up the HTTP keep-alive socket and the JIT.
      if (i >= 10) samples.push(ms);
    }
    samples.sort((a, b) => a - b);
    const mean = samples.reduce((a, b) => a + b, 0) / Math.max(1, samples.length);
    return { n: samples.length, p50Ms: quantile(samples, 0.5), p99Ms: quantile(samples, 0.99), meanMs: mean, maxMs: samples[samples.length - 1] ?? 0 };
  } finally {
    await venue.close();
    await server.close();
    engine.close();
  }
}
