/**
 * A live node for the benchmarks: the chaos suite's environment (real nats-server, a real
 * `qt up --venue sim` process, the simulator in the node or as its own process), started with
 * settings that make the node trade as often as it can: the fallback rule with a low bar (set by
 * the chaos environment), and every risk and strategy limit raised so that nothing is denied.
 */
import { DeliverPolicy } from '@nats-io/jetstream';
import { ChaosEnv } from '../chaos/env.js';
import { STREAMS, subjects, type JournalEntry, type RiskVerdict } from '../../protocols/index.js';
import { decode } from '../codec.js';
import type { Bus } from '../nats/index.js';

export interface LiveEnvOptions {
  symbols: number;
  /** Market speed (the external simulator always runs at 1). */
  speed: number;
  mode?: 'inproc' | 'external';
  seed?: number;
  /** Extra QT_* variables for the node. */
  env?: Record<string, string>;
  log?: (line: string) => void;
  /** How long the node may take to fill its pools. @default 180000 */
  startTimeoutMs?: number;
}

/**
 * QT_* settings so that risk and the strategy approve every entry the fallback rule asks for:
 * a large paper account, a small fixed notional per symbol, no concentration limits. The order
 * rate keeps the risk brain's default (5 entries/s of market time, burst 10): lifted, 200+ entries
 * of one close asked the venue for more than Binance's 1,200 orders a minute once their stops and
 * take-profits followed, and the figures measured the venue's queue, not the node.
 * Marks are thinned with the speed, so the node sees about one per symbol and wall second, as live.
 */
export function tradeEverythingEnv(speed: number): Record<string, string> {
  return {
    QT_SIM__INITIAL_BALANCE: '1000000',
    QT_STRATEGY__EQUITY: '1000000',
    QT_STRATEGY__MAX_SYMBOL_FRACTION: '0.0005',
    QT_STRATEGY__MAX_TOTAL_FRACTION: '50',
    QT_STRATEGY__AGAINST_TREND: 'allow',
    QT_RISK__MAX_OPEN_POSITIONS: '5000',
    QT_RISK__MAX_EXPOSURE_X: '100',
    QT_RISK__MAX_SYMBOL_PCT: '10',
    QT_RISK__MAX_CLUSTER_PCT: '100',
    QT_RISK__MAX_DAILY_LOSS_PCT: '1',
    QT_RISK__MAX_WEEKLY_DRAWDOWN_PCT: '1',
    QT_RISK__COOLDOWN_MIN: '0',
    QT_MARKET__MARK_EVERY_MS: String(Math.round(1_000 * speed)),
    // No actor reads trade prints; at speed > 1 they would multiply the load a live node sees.
    QT_MARKET__TRADES: 'false',
    // Risk denies entries (RECONCILING) while a reconciliation pass runs, and at 500 symbols a
    // pass takes most of the time (the chaos environment runs one every 5 s): only the start-up one.
    QT_RECONCILE__EVERY_SEC: '3600',
    // A stop the venue rejected blocks every entry (UNPROTECTED_POSITION) after the grace period.
    QT_RISK__UNPROTECTED_GRACE_MS: '3600000',
    // The model supervisor (bias/drift alerts on the shadow ensemble) would switch risk to exits only.
    QT_AI__FALLBACK_POLICY: 'trade',
  };
}

/**
 * Tight stops: positions close within minutes, so every symbol enters again and again. Tighter
 * than 0.3 % gets stops rejected at 500 symbols (the price is past them when they arrive).
 */
export const TIGHT_STOPS: Record<string, string> = { QT_STRATEGY__STOP_PCT: '0.003', QT_STRATEGY__STOP_ATR: '0.3', QT_STRATEGY__VOLATILE_STOP_ATR: '0.4' };

/**
 * Wide exits: the strategy's stop distance is 20 % (stop, take-profit ladder and trailing
 * activation all scale with it), so a position stays open for the length of a bench run and a
 * 500-symbol node accumulates positions instead of closing them as fast as it opens them.
 */
export const WIDE_EXITS: Record<string, string> = { QT_STRATEGY__STOP_PCT: '0.2', QT_STRATEGY__STOP_ATR: '20', QT_STRATEGY__VOLATILE_STOP_ATR: '20' };

/** Starts NATS and a trading node; `close()` (or `await using`) stops both. */
export async function startLiveEnv(o: LiveEnvOptions): Promise<ChaosEnv & AsyncDisposable> {
  const log = o.log ?? ((l: string) => process.stderr.write(`  ${l}\n`));
  const env = await ChaosEnv.start({ mode: o.mode ?? 'inproc', symbols: o.symbols, speed: o.speed, seed: o.seed ?? 11, log, startTimeoutMs: o.startTimeoutMs ?? 180_000, extraEnv: { ...tradeEverythingEnv(o.speed), ...o.env } });
  return Object.assign(env, { [Symbol.asyncDispose]: () => env.close() });
}

/** One stored message with the server's receive time (wall ms, fractional). */
export interface TimedMsg {
  seq: number;
  subject: string;
  msgId: string;
  /** JetStream timestamp, wall ms. */
  at: number;
  data: Uint8Array;
}

/** Every message of `stream` on `filter`, with its JetStream timestamp (one fetch, as testing/wait.ts readStream). */
export async function readTimed(bus: Bus, stream: string, filter: string): Promise<TimedMsg[]> {
  const info = await bus.jsm.streams.info(stream);
  const last = info.state.last_seq;
  if (info.state.messages === 0) return [];
  const c = await bus.js.consumers.get(stream, { filter_subjects: filter, deliver_policy: DeliverPolicy.All });
  const pending = (await c.info()).num_pending;
  const out: TimedMsg[] = [];
  if (pending === 0) return out;
  const it = await c.fetch({ max_messages: pending, expires: 10_000 });
  for await (const m of it) {
    out.push({ seq: m.seq, subject: m.subject, msgId: m.headers?.get('Nats-Msg-Id') ?? '', at: Number(m.timestampNanos / 1000n) / 1000, data: m.data });
    if (m.seq >= last || out.length >= pending) break;
  }
  return out;
}

/**
 * The risk brain's verdicts journaled since `from` (wall ms): approvals, denials by code, and the
 * first reason of each code (the code alone does not say which limit or mode stopped an entry).
 */
export async function riskVerdicts(bus: Bus, from: number) {
  const denies = new Map<string, number>();
  const why = new Map<string, string>();
  let approved = 0;
  for (const m of await readTimed(bus, STREAMS.journal, subjects.journal('risk'))) {
    if (m.at < from) continue;
    const v = decode<JournalEntry>(m.data).data.verdict as RiskVerdict | undefined;
    if (v?.decision === 'approve') approved++;
    else {
      for (const r of v?.reasons ?? []) {
        denies.set(r.code, (denies.get(r.code) ?? 0) + 1);
        if (!why.has(r.code)) why.set(r.code, r.detail);
      }
    }
  }
  const top = [...denies].sort((a, b) => b[1] - a[1]).slice(0, 6);
  return { risk_approved: approved, risk_denied: Object.fromEntries(top), risk_denied_first_reason: Object.fromEntries(top.map(([c]) => [c, why.get(c)])) };
}
