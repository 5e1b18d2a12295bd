import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { runBacktest, type BacktestResult } from '../cli/backtest.js';
import { loadConfig } from '../config/index.js';

/** JSON with sorted keys, so a digest pins values, not the order fields happen to be written in. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o).filter((k) => o[k] !== undefined).sort().map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

const digest = (r: BacktestResult) => createHash('sha256')
  .update(canonical({ journal: r.journal, report: r.report, candleEvents: r.candleEvents, venueOrders: r.venueOrders, batches: r.inferenceBatches }))
  .digest('hex').slice(0, 32);

/**
 * Pins the results of fixed-seed backtests to digests recorded BEFORE the throughput work on the
 * bus, feed and actors (issue #5). This is the one place a recorded value is legitimate: an
 * optimisation must replay exactly the same journal and report. A change that legitimately
 * alters results updates the digest and says why in its commit. Last such change: entries go
 * through the adapter's order checks (rounded to step and tick) instead of reaching the engine
 * unrounded and being refused -1111, so these runs now trade (venue-bridge.test.ts pins that).
 * And: a close's ensemble signals are ranked strongest first, as the live brain publishes them;
 * the ensemble run's journal is ordered differently (same 7 trades, win rate, 61 venue orders).
 */
const cases = [
  { name: 'fallback rule, 4 synthetic symbols × 600 candles, seed 5', minConfidence: 0.51, symbols: 4, candles: 600, seed: 5, signals: 'fallback', digest: '37a2a1259295b7ab51ffd8dd7c991f0e' },
  // A low confidence bar, so the ensemble's signals reach risk, orders and positions too.
  { name: 'ONNX ensemble, 4 synthetic symbols × 400 candles, seed 3', minConfidence: 0.3, symbols: 4, candles: 400, seed: 3, signals: 'ai', digest: '30771570422128b7d179c7422137c742' },
] as const;

describe('backtest results stay the same across optimisations', () => {
  for (const c of cases) {
    it(c.name, async () => {
      const cfg = loadConfig({ env: {}, overrides: { strategy: { minConfidence: c.minConfidence } } });
      const r = await runBacktest({ cfg, data: 'synthetic', symbols: c.symbols, candles: c.candles, seed: c.seed, signals: c.signals });
      expect(r.report.summary.trades).toBeGreaterThan(0);
      expect(r.bus.deadLettered).toBe(0);
      expect(digest(r)).toBe(c.digest);
    }, 120_000);
  }
});
