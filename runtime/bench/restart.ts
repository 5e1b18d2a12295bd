/**
 * Time from `kill -9` of a trading node back to trading, with the chaos suite's own kill and
 * restart (runtime/chaos/env.ts): the simulator runs as its own process (speed 1, wall clock), so
 * the venue keeps its state while the node is dead, as a real exchange would.
 */
import { subjects } from '../../protocols/index.js';
import { simHistory } from '../chaos/records.js';
import { startLiveEnv } from './live-env.js';
import { summary } from './stats.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const MINUTE = 60_000;

/** Wall time of the first venue order accepted at or after `since` (the external simulator's clock is wall time). */
async function firstOrderAfter(simUrl: string, since: number, deadline: number, entry: boolean): Promise<number | undefined> {
  while (Date.now() < deadline) {
    const h = await simHistory(simUrl).catch(() => undefined);
    const t = h?.orders.filter((o) => o.time >= since && (!entry || o.clientOrderId.endsWith('-entry'))).map((o) => o.time);
    if (t?.length) return Math.min(...t);
    await sleep(100);
  }
  return undefined;
}

/** Kills the node `kills` times, each ~`phaseSec` after a candle close, and times its way back. */
export async function benchKillRestart(o: { symbols: number; kills: number; phaseSec: number }): Promise<Record<string, unknown>> {
  await using env = await startLiveEnv({ symbols: o.symbols, speed: 1, mode: 'external', env: { QT_STRATEGY__STOP_PCT: '0.001', QT_STRATEGY__STOP_ATR: '0.2', QT_STRATEGY__VOLATILE_STOP_ATR: '0.3' } });
  // Trading first: an order at the venue.
  if ((await firstOrderAfter(env.simUrl, 0, Date.now() + 150_000, false)) === undefined) throw new Error('the node placed no order within 150 s');
  const rows: Array<{ healthy: number; firstCandle?: number; firstOrder?: number; firstEntry?: number; phase: number }> = [];
  for (let i = 0; i < o.kills; i++) {
    const phase = o.phaseSec * 1_000;
    await sleep(((phase - (Date.now() % MINUTE)) + MINUTE) % MINUTE);
    // Symbol actors publish a signal for every candle they process (HOLD included).
    let firstCandle: number | undefined;
    const sub = env.bus.nc.subscribe(subjects.signalAll, { callback: () => void (firstCandle ??= Date.now()) });
    const down = await env.kill9();
    const t0 = Date.now();
    firstCandle = undefined;
    await env.restartNode(down);
    const healthy = Date.now() - down;
    const deadline = Date.now() + 2.5 * MINUTE;
    const [order, entry] = await Promise.all([firstOrderAfter(env.simUrl, t0, deadline, false), firstOrderAfter(env.simUrl, t0, deadline, true)]);
    while (firstCandle === undefined && Date.now() < deadline) await sleep(100);
    sub.unsubscribe();
    const row = { healthy, phase: o.phaseSec, ...(firstCandle !== undefined ? { firstCandle: firstCandle - down } : {}), ...(order !== undefined ? { firstOrder: order - down } : {}), ...(entry !== undefined ? { firstEntry: entry - down } : {}) };
    rows.push(row);
    process.stderr.write(`  kill -9 #${i + 1}: ${JSON.stringify(row)}\n`);
  }
  const s = (k: 'healthy' | 'firstCandle' | 'firstOrder' | 'firstEntry') => {
    const xs = rows.map((r) => r[k]).filter((x): x is number => x !== undefined);
    const m = summary(xs);
    return xs.length ? { n: m.n, p50_ms: Math.round(m.p50), max_ms: Math.round(m.max) } : { n: 0 };
  };
  return {
    symbols: o.symbols, kills: o.kills, killed_at: `${o.phaseSec} s after a candle close (speed 1, external simulator)`,
    to_tree_healthy: s('healthy'), to_first_candle_processed: s('firstCandle'), to_first_order_accepted: s('firstOrder'), to_first_entry_accepted: s('firstEntry'),
    note: 'all from the kill; a candle processed = its signal published; orders from the simulator\'s records',
  };
}
