/**
 * Throughput probe of `runBacktest`, called the way runtime/bench/extra.ts calls it:
 * `node --import tsx runtime/backtest/measure.ts [ai|fallback] [symbols] [candles]`.
 * Run it under `node --cpu-prof` to profile the full pipeline.
 */
import { runBacktest } from '../cli/backtest.js';
import { loadConfig } from '../config/index.js';

const [signals = 'ai', symbols = '50', candles = '300'] = process.argv.slice(2);
const cfg = loadConfig({ env: {}, overrides: { strategy: { minConfidence: 0.51 } } });
const r = await runBacktest({ cfg, data: 'synthetic', symbols: Number(symbols), candles: Number(candles), seed: 3, signals: signals === 'fallback' ? 'fallback' : 'ai' });
process.stdout.write(`${JSON.stringify({
  signals: r.signalSource, candleEvents: r.candleEvents, wallSeconds: Math.round(r.wallSeconds * 1000) / 1000, candlesPerSecond: r.candlesPerSecond,
  venueOrders: r.venueOrders, venueRejects: r.venueRejects, inferenceBatches: r.inferenceBatches, bus: r.bus, trades: r.report.summary.trades, journal: r.journal.length,
})}\n`);
