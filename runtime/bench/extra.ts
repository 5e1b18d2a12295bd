/** Benchmarks of other layers, added as they land. Each returns one section of bench.json. */
export async function extraBenches(): Promise<Record<string, Record<string, unknown>>> {
  const out: Record<string, Record<string, unknown>> = {};
  const engine = await import('../venues/sim/engine/index.js');
  const e = engine.benchEngine(20_000);
  out.sim_engine = { orders: e.orders, orders_per_s: Math.round(e.ordersPerSec), prints_per_s: Math.round(e.printsPerSec) };
  return out;
}
