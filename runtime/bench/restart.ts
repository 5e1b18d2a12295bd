/**
 * Time from `kill -9` of a trading node back to trading, with the chaos suite's own kill and
 * restart (runtime/chaos/env.ts): the simulator runs as its own process (speed 1, wall clock), so
 * the venue keeps its state while the node is dead, as a real exchange would.
 */
import { STREAMS, subjects } from '../../protocols/index.js';
import { simHistory } from '../chaos/records.js';
import { readTimed, startLiveEnv, TIGHT_STOPS } from './live-env.js';
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
export async function benchKillRestart(o: { symbols: number; kills: number; phasesSec: number[] }): Promise<Record<string, unknown>> {
  await using env = await startLiveEnv({ symbols: o.symbols, speed: 1, mode: 'external', env: TIGHT_STOPS });
  // Trading first: an order at the venue.
  if ((await firstOrderAfter(env.simUrl, 0, Date.now() + 150_000, false)) === undefined) throw new Error('the node placed no order within 150 s');
  const rows: Array<{ healthy: number; nextClose: number; firstCandle?: number; firstOrder?: number; firstEntry?: number; phase: number }> = [];
  for (let i = 0; i < o.kills; i++) {
    const phaseSec = o.phasesSec[i % o.phasesSec.length]!;
    const phase = phaseSec * 1_000;
    await sleep(((phase - (Date.now() % MINUTE)) + MINUTE) % MINUTE);
    const down = await env.kill9();
    const t0 = Date.now();
    await env.restartNode(down);
    const healthy = Date.now() - down;
    const deadline = Date.now() + 2.5 * MINUTE;
    const [order, entry] = await Promise.all([firstOrderAfter(env.simUrl, t0, deadline, false), firstOrderAfter(env.simUrl, t0, deadline, true)]);
    // Symbol actors store a signal for every candle they process (HOLD included); a restored actor
    // republishing its outbox is deduplicated by JetStream, so a stored one is new work.
    let firstCandle: number | undefined;
    while (firstCandle === undefined && Date.now() < deadline) {
      const ats = (await readTimed(env.bus, STREAMS.signals, subjects.signalAll)).filter((m) => !m.subject.endsWith('.regime') && m.at > down).map((m) => m.at);
      if (ats.length) firstCandle = Math.min(...ats);
      else await sleep(500);
    }
    const row = { healthy, phase: phaseSec, nextClose: Math.ceil(down / MINUTE) * MINUTE - down, ...(firstCandle !== undefined ? { firstCandle: firstCandle - down } : {}), ...(order !== undefined ? { firstOrder: order - down } : {}), ...(entry !== undefined ? { firstEntry: entry - down } : {}) };
    rows.push(row);
    process.stderr.write(`  kill -9 #${i + 1}: ${JSON.stringify(row)}\n`);
  }
  const s = (k: 'healthy' | 'nextClose' | 'firstCandle' | 'firstOrder' | 'firstEntry', after?: 'nextClose') => {
    const xs = rows.filter((r) => r[k] !== undefined).map((r) => r[k]! - (after ? r[after] : 0));
    const m = summary(xs);
    return xs.length ? { n: m.n, p50_ms: Math.round(m.p50), max_ms: Math.round(m.max) } : { n: 0 };
  };
  return {
    symbols: o.symbols, kills: o.kills, killed_at: `${o.phasesSec.join(' / ')} s after a candle close, in turn (speed 1, external simulator)`,
    to_tree_healthy: s('healthy'), to_next_candle_close: s('nextClose'), to_first_candle_processed: s('firstCandle'), to_first_order_accepted: s('firstOrder'), to_first_entry_accepted: s('firstEntry'),
    first_candle_after_next_close: s('firstCandle', 'nextClose'), first_entry_after_next_close: s('firstEntry', 'nextClose'),
    per_kill_ms: rows.map((r) => `phase ${r.phase} s: healthy ${r.healthy}, next close ${r.nextClose}, candle ${Math.round(r.firstCandle ?? NaN)}, order ${r.firstOrder ?? '-'}, entry ${r.firstEntry ?? '-'}`).join('; '),
    note: 'times from the kill unless said; a candle processed = its signal stored in QT_SIGNALS; orders from the simulator\'s records (first order: any leg, e.g. a protective stop)',
  };
}
