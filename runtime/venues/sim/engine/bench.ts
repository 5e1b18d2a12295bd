/**
 * In-process throughput benchmark for `npm run bench`. Not a test: timing depends on the machine. Wall
 * time is measured with performance.now() on purpose, since it measures this process, not market time.
 */
import { performance } from 'node:perf_hooks';
import { createSimulatedClock } from '../../../clock/index.js';
import { createSimEngine } from './engine.js';

/** Result of `benchEngine`. */
export interface BenchResult {
  orders: number;
  seconds: number;
  ordersPerSec: number;
  /** Market updates (prints) ingested per second in the same loop. */
  printsPerSec: number;
}

/**
 * Places `orders` orders (a mix of MARKET, resting LIMIT GTC, IOC and cancels) against one symbol while
 * feeding a print every 10 orders, and reports orders per second.
 * @param orders @default 20_000
 */
export function benchEngine(orders = 20_000): BenchResult {
  const clock = createSimulatedClock(Date.UTC(2024, 0, 1));
  const engine = createSimEngine({ clock, symbols: [{ symbol: 'BTCUSDT', tickSize: 0.1, stepSize: 0.001 }], initialBalance: 1e12 });
  let price = 30_000;
  let prints = 0;
  const t0 = performance.now();
  for (let i = 0; i < orders; i++) {
    if (i % 10 === 0) {
      price = Math.round((price + (((i * 7919) % 21) - 10) * 0.1) * 10) / 10;
      engine.ingest({ kind: 'trade', symbol: 'BTCUSDT', time: clock.now(), price, qty: 0.5, isBuyerMaker: i % 20 === 0 });
      prints++;
      clock.advance(100);
      // Keep the book of resting orders bounded (MAX_NUM_ORDERS is 200).
      if (i % 1000 === 0) engine.cancelAllOrders('BTCUSDT');
    }
    const side = i % 2 === 0 ? 'BUY' : 'SELL';
    const k = i % 4;
    if (k === 0) engine.placeOrder({ symbol: 'BTCUSDT', side, type: 'MARKET', quantity: '0.010' });
    else if (k === 1) {
      const px = (side === 'BUY' ? price - 5 : price + 5).toFixed(1);
      const o = engine.placeOrder({ symbol: 'BTCUSDT', side, type: 'LIMIT', timeInForce: 'GTC', quantity: '0.010', price: px });
      if (i % 8 === 1) engine.cancelOrder('BTCUSDT', { orderId: o.orderId });
    } else if (k === 2) {
      engine.placeOrder({ symbol: 'BTCUSDT', side, type: 'LIMIT', timeInForce: 'IOC', quantity: '0.005', price: (side === 'BUY' ? price + 1 : price - 1).toFixed(1) });
    } else {
      engine.placeOrder({ symbol: 'BTCUSDT', side, type: 'MARKET', quantity: '0.002' });
    }
  }
  const seconds = (performance.now() - t0) / 1000;
  engine.close();
  return { orders, seconds, ordersPerSec: orders / seconds, printsPerSec: prints / seconds };
}
