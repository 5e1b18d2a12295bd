/** Benchmarks of other layers, added as they land. Each returns one section of bench.json. */
export async function extraBenches(): Promise<Record<string, Record<string, unknown>>> {
  const out: Record<string, Record<string, unknown>> = {};
  const engine = await import('../venues/sim/engine/index.js');
  const e = engine.benchEngine(20_000);
  out.sim_engine = { orders: e.orders, orders_per_s: Math.round(e.ordersPerSec), prints_per_s: Math.round(e.printsPerSec) };
  const venue = await import('../venues/binance/bench.js');
  const rt = await venue.benchOrderRoundTrip(500);
  out.venue_order_round_trip = { ...rt };
  const market = await import('./market.js');
  out.symbols_in_process_50 = await market.benchSymbolsInProcess(50, 2_000);
  out.symbols_in_process_500 = await market.benchSymbolsInProcess(500, 400);
  const { natsEnv } = await import('../testing/nats-env.js');
  {
    await using env = await natsEnv({ host: { maxAckPending: 1024 } });
    out.symbols_hosted_50 = await market.benchSymbolsHosted(env, 50, 400);
  }
  const ai = await import('../ai/bench.js');
  out.ai_inference = { rows: await ai.benchInference() };
  const { runBacktest } = await import('../cli/backtest.js');
  const { loadConfig } = await import('../config/index.js');
  const cfg = loadConfig({ env: {}, overrides: { strategy: { minConfidence: 0.51 } } });
  const bt = await runBacktest({ cfg, data: 'synthetic', symbols: 50, candles: 300, seed: 3, signals: 'ai' });
  out.backtest_full_pipeline_50_symbols = {
    candle_events: bt.candleEvents, seconds: Math.round(bt.wallSeconds * 100) / 100, candle_events_per_s: bt.candlesPerSecond,
    venue_orders: bt.venueOrders, signals: 'ONNX ensemble (3 families), batched per candle close', inference_batches: bt.inferenceBatches,
    // Paired runs on 2 shared cores (medians of 3): ensemble 4.5k/s before the issue #5 work, 6.7k/s after;
    // fallback (which also trades) 2.2k/s → 2.8k/s. What remains is spread:
    // XState's interpreter on ~4 deliveries per candle, features math, candle validation, the engine's
    // prints and GC; no single hot spot is left that 100k/s could come from.
    goal: '≥ 100k/s: NOT met (≈6–7k/s with the ensemble, ≈2.8k/s with the fallback, which also trades; floor = XState per delivery + features + candle validation + engine prints + GC)',
  };
  return out;
}
