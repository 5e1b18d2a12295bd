/**
 * Memory of a node process (`qt up --venue sim`): RSS at 500 symbols with the simulator opening
 * positions on (nearly) every symbol, then RSS sampled over a run of N minutes, reported as the
 * slope of a least-squares line after warm-up, in MiB per hour.
 */
import { readFileSync } from 'node:fs';
import { MAX_STOP_GAP_MS, stopGaps } from '../chaos/invariants.js';
import { simHistory } from '../chaos/records.js';
import type { SimHistory } from '../chaos/types.js';
import { STREAMS, subjects, type JournalEntry, type Signal } from '../../protocols/index.js';
import { readStream } from '../testing/wait.js';
import { riskVerdicts, startLiveEnv, WIDE_EXITS } from './live-env.js';
import { summary } from './stats.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const MiB = 2 ** 20;

/** Resident set of a process, bytes (Linux /proc). */
export function rssOf(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(m[1]) * 1024;
}

/** Symbols with a non-zero net position at the venue, from its trades. */
export function openPositions(h: SimHistory): number {
  const net = new Map<string, number>();
  for (const t of h.trades) net.set(t.symbol, (net.get(t.symbol) ?? 0) + (t.side === 'BUY' ? 1 : -1) * Number(t.qty));
  return [...net.values()].filter((q) => Math.abs(q) > 1e-9).length;
}

/** Least-squares slope of y over x. */
function slope(xs: number[], ys: number[]): number {
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (xs[i]! - mx) * (ys[i]! - my);
    den += (xs[i]! - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

export interface RssOptions {
  symbols: number;
  speed: number;
  /** Minutes of RSS sampling for the drift. */
  minutes: number;
  /** Share of the run counted as warm-up (not in the slope). @default 1/3 */
  warmupShare?: number;
  /** Max wait for the positions to open, s. @default 420 */
  fillSec?: number;
  /** Risk's entry rate (market time). @default 50 */
  entriesPerSec?: number;
}

/**
 * Money safety under the fill: every stretch a venue position had no venue-side stop (the chaos
 * invariant's gaps, from the simulator's records, market time), and the risk-mode changes the CEO
 * brain journaled (an unprotected position past 60 s turns it CRITICAL: exits only).
 */
async function protection(env: Awaited<ReturnType<typeof startLiveEnv>>): Promise<Record<string, unknown>> {
  const h = await simHistory(env.simUrl);
  const now = Math.max(0, ...h.orders.map((o) => o.updateTime), ...h.trades.map((t) => t.time));
  const gaps = stopGaps(h, now);
  const ms = gaps.map((g) => g.to - g.from);
  const policy = (await readStream<JournalEntry>(env.bus, STREAMS.journal, subjects.journal('policy'))).map((m) => m.data.summary).filter((x) => /risk mode/.test(x));
  return {
    unprotected_stretches_ms: ms.length ? summary(ms) : 'none',
    over_5s: ms.filter((x) => x > MAX_STOP_GAP_MS).length,
    still_unprotected: gaps.filter((g) => g.stillOpen).length,
    risk_mode_changes: policy,
  };
}

/** Signals by side and symbols that had a BUY or SELL, over the whole run. */
async function signalCounts(env: Awaited<ReturnType<typeof startLiveEnv>>): Promise<Record<string, number>> {
  const sides: Record<string, number> = {};
  const tradeable = new Set<string>();
  for (const m of await readStream<Signal>(env.bus, STREAMS.signals, subjects.signalAll)) {
    if (m.subject.endsWith('.regime')) continue;
    sides[m.data.side] = (sides[m.data.side] ?? 0) + 1;
    if (m.data.side !== 'HOLD') tradeable.add(m.data.symbol);
  }
  return { ...sides, symbols_with_buy_or_sell: tradeable.size };
}

export async function benchRss(o: RssOptions): Promise<Record<string, unknown>> {
  const t0 = Date.now();
  // Positions must stay open to reach one per symbol, so exits are wide, and 50 entries/s fills
  // them within minutes (each entry brings its stop and take-profits: about 5 venue orders, within
  // 1,200 a minute). Earlier runs that settled at 200-300 open had stops minutes late and the CEO
  // brain in CRITICAL (exits only): `protection` below reports both.
  const rate = o.entriesPerSec ?? 50;
  // The momentum rule (the default). The RSI rule was tried: RSI(14) of 1m candles left 30-70 on
  // 175 symbols in 8 minutes (177 positions after 15), against momentum's 363 in 20. Neither
  // reaches every symbol: the synthetic market's regime is shared by all symbols, and in a range
  // regime few of them move. `signals.symbols_with_buy_or_sell` says how many could have entered.
  const extra = { ...WIDE_EXITS, QT_RISK__MAX_ORDERS_PER_SEC: String(rate), QT_RISK__ORDER_BURST: String(rate * 2) };
  await using env = await startLiveEnv({ symbols: o.symbols, speed: o.speed, env: extra });
  const startSec = Math.round((Date.now() - t0) / 1000);
  const pid = env.node!.proc.pid!;
  // Every symbol that gets a non-HOLD signal enters and stays in.
  const fillBy = Date.now() + (o.fillSec ?? 420) * 1_000;
  let open = 0;
  while (Date.now() < fillBy) {
    open = openPositions(await simHistory(env.simUrl));
    if (open >= o.symbols * 0.95) break;
    await sleep(5_000);
  }
  const atPositions = {
    open_positions: open, rss_mib: Math.round(rssOf(pid) / MiB), fill_seconds: Math.round((Date.now() - t0) / 1000) - startSec,
    protection: await protection(env), signals: await signalCounts(env), ...(await riskVerdicts(env.bus, 0)),
  };
  process.stderr.write(`  ${JSON.stringify(atPositions)}\n`);
  const xs: number[] = [];
  const ys: number[] = [];
  const s0 = Date.now();
  const end = s0 + o.minutes * 60_000;
  const every = Math.max(1_000, Math.min(10_000, (o.minutes * 60_000) / 60));
  while (Date.now() < end) {
    if (env.node?.proc.exitCode !== null) throw new Error(`node exited during the RSS run:\n${env.logTail(20)}`);
    xs.push((Date.now() - s0) / 3_600_000);
    ys.push(rssOf(pid) / MiB);
    await sleep(every);
  }
  const cut = Math.floor(xs.length * (o.warmupShare ?? 1 / 3));
  const open2 = openPositions(await simHistory(env.simUrl));
  return {
    symbols: o.symbols, speed: o.speed, node_start_seconds: startSec, risk_entries_per_sec: rate, exits: 'wide (stop distance 20 %)', signals: 'fallback rule momentum',
    at_positions: atPositions,
    drift: {
      minutes: o.minutes, samples: xs.length, warmup_samples: cut, rss_first_mib: Math.round(ys[0]!), rss_last_mib: Math.round(ys.at(-1)!), rss_max_mib: Math.round(Math.max(...ys)),
      slope_mib_per_hour: Math.round(slope(xs.slice(cut), ys.slice(cut)) * 10) / 10, open_positions_at_end: open2,
    },
    note: `RSS of the qt up process (node + in-process simulator); sampled every ${Math.round(every / 1000)} s; QT_BENCH_RSS_MIN sets the minutes`,
  };
}
