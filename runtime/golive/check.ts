import { STREAMS, subjects, type JournalEntry, type PositionUpdate, type SupervisionEvent } from '../../protocols/index.js';
import { decode } from '../codec.js';
import { scanStream } from '../console/index.js';
import type { Bus } from '../nats/index.js';
import { GoLiveConfigSchema, type GoLiveConfig, type GoLiveGates } from './config.js';

/** One gate's verdict, with the number it was judged on. */
export interface GateResult {
  name: 'paper-hours' | 'max-drawdown' | 'unprotected-positions' | 'escalations';
  pass: boolean;
  value: number;
  limit: number;
  detail: string;
}

/** The whole check: it passes only when every gate does. */
export interface GoLiveReport {
  pass: boolean;
  /** First and last journal entry of the record (null when the journal is empty). */
  period: { from: number; to: number } | null;
  gates: GateResult[];
  config: GoLiveConfig;
  checkedAt: number;
}

export interface CheckGoLiveOptions {
  bus: Bus;
  gates?: GoLiveGates;
  /** @default Date.now */
  now?: () => number;
}

const HOUR = 3_600_000;

async function journalSpan(bus: Bus): Promise<{ from: number; to: number } | null> {
  const info = await bus.jsm.streams.info(STREAMS.journal);
  if (info.state.messages === 0) return null;
  const tsOf = async (seq: number) => {
    const m = await bus.jsm.streams.getMessage(STREAMS.journal, { seq });
    if (!m) throw new Error(`journal message ${seq} vanished while reading the record`);
    try {
      const e = decode<JournalEntry>(m.data);
      if (typeof e?.ts === 'number') return e.ts;
    } catch {
      // fall through to the server's receive time
    }
    return m.time.getTime();
  };
  return { from: await tsOf(info.state.first_seq), to: await tsOf(info.state.last_seq) };
}

const ofVenue = (e: JournalEntry, venue: string | undefined) => !venue || e.data?.venue === undefined || e.data.venue === venue;
const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/**
 * Max peak-to-trough drop of `data.equity` (or `data.equityUsd`) over the pnl entries, or the
 * largest `data.drawdown` a writer reported, whichever is worse.
 */
export function maxDrawdown(entries: JournalEntry[]): number {
  let peak = -Infinity;
  let worst = 0;
  for (const e of [...entries].sort((a, b) => a.ts - b.ts)) {
    const eq = num(e.data?.equity) ?? num(e.data?.equityUsd);
    if (eq !== undefined) {
      peak = Math.max(peak, eq);
      if (peak > 0) worst = Math.max(worst, (peak - eq) / peak);
    }
    const dd = num(e.data?.drawdown);
    if (dd !== undefined) worst = Math.max(worst, dd);
  }
  return worst;
}

/** An alert entry that says a position stood without a venue stop (resolutions do not count). */
export function isUnprotectedAlert(e: JournalEntry): boolean {
  if (e.data?.resolved === true) return false;
  const key = e.data?.key;
  if (typeof key === 'string') return key.startsWith('unprotected:');
  return /unprotected|no venue-side stop/i.test(e.summary ?? '');
}

/**
 * Reads the paper/shadow record from the streams and judges it against the gates: hours of
 * record (first to last journal entry), max drawdown from pnl entries, no unprotected positions
 * (alerts, or a PositionUpdate naked for longer than the grace), and no escalations.
 */
export async function checkGoLive(opts: CheckGoLiveOptions): Promise<GoLiveReport> {
  const cfg = GoLiveConfigSchema.parse(opts.gates ?? {});
  const now = (opts.now ?? Date.now)();
  const period = await journalSpan(opts.bus);
  const since = period?.from ?? now;
  const pnl: JournalEntry[] = [];
  const alerts: JournalEntry[] = [];
  await scanStream<JournalEntry>(opts.bus, STREAMS.journal, subjects.journal('pnl'), ({ data }) => void (ofVenue(data, cfg.venue) && pnl.push(data)));
  await scanStream<JournalEntry>(opts.bus, STREAMS.journal, subjects.journal('alert'), ({ data }) => void (ofVenue(data, cfg.venue) && isUnprotectedAlert(data) && alerts.push(data)));

  const graceMs = cfg.unprotectedGraceSec * 1_000;
  const naked = new Map<string, number>();
  const latest = new Map<string, PositionUpdate>();
  await scanStream<PositionUpdate>(opts.bus, STREAMS.positions, subjects.positionAll, ({ data: p }) => {
    if (typeof p?.symbol !== 'string') return;
    if (p.unprotectedSince !== null && p.ts - p.unprotectedSince > graceMs) naked.set(p.symbol, Math.max(naked.get(p.symbol) ?? 0, p.ts - p.unprotectedSince));
    const prev = latest.get(p.symbol);
    if (!prev || p.ts >= prev.ts) latest.set(p.symbol, p);
  }, { from: { sinceMs: since } });
  // A position still naked right now counts even if no update said so yet.
  for (const p of latest.values()) {
    if (p.unprotectedSince !== null && p.state !== 'closed' && p.state !== 'flat' && now - p.unprotectedSince > graceMs) naked.set(p.symbol, Math.max(naked.get(p.symbol) ?? 0, now - p.unprotectedSince));
  }

  const escalated: SupervisionEvent[] = [];
  await scanStream<SupervisionEvent>(opts.bus, STREAMS.supervision, subjects.supervisionAll, ({ subject, data }) => {
    if (subject.endsWith('.escalated') && data?.type === 'escalated') escalated.push(data);
  }, { from: { sinceMs: since } });

  const hours = period ? (period.to - period.from) / HOUR : 0;
  const dd = maxDrawdown(pnl);
  const alertSymbols = [...new Set(alerts.map((a) => a.symbol ?? String(a.data?.key ?? '?').replace(/^unprotected:/, '')))];
  const gates: GateResult[] = [
    { name: 'paper-hours', pass: hours >= cfg.minHours, value: round(hours), limit: cfg.minHours,
      detail: period ? `${round(hours)} h of record (${iso(period.from)} → ${iso(period.to)}), need ${cfg.minHours} h` : 'journal is empty: no paper record' },
    { name: 'max-drawdown', pass: pnl.length >= cfg.minPnlEntries && dd <= cfg.maxDrawdown, value: round(dd, 4), limit: cfg.maxDrawdown,
      detail: pnl.length < cfg.minPnlEntries ? `${pnl.length} pnl entries, need ${cfg.minPnlEntries}: nothing proves the drawdown` : `${pct(dd)} max drawdown over ${pnl.length} pnl entries, limit ${pct(cfg.maxDrawdown)}` },
    { name: 'unprotected-positions', pass: alerts.length === 0 && naked.size === 0, value: alerts.length + naked.size, limit: 0,
      detail: alerts.length === 0 && naked.size === 0 ? `no position went without a stop for more than ${cfg.unprotectedGraceSec} s`
        : [alerts.length ? `${alerts.length} unprotected-stop alerts (${alertSymbols.join(', ')})` : '', naked.size ? `naked > ${cfg.unprotectedGraceSec} s: ${[...naked].map(([s, ms]) => `${s} ${Math.round(ms / 1000)} s`).join(', ')}` : ''].filter(Boolean).join('; ') },
    { name: 'escalations', pass: escalated.length <= cfg.maxEscalations, value: escalated.length, limit: cfg.maxEscalations,
      detail: escalated.length ? `escalated: ${[...new Set(escalated.map((e) => e.path))].join(', ')}` : 'no supervision escalations in the period' },
  ];
  return { pass: gates.every((g) => g.pass), period, gates, config: cfg, checkedAt: now };
}

const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;
const pct = (x: number) => `${round(x * 100, 2)}%`;
const iso = (ms: number) => new Date(ms).toISOString();

/** The report as text, one line per gate. */
export function renderGoLive(r: GoLiveReport): string {
  const lines = r.gates.map((g) => `${g.pass ? 'PASS' : 'FAIL'}  ${g.name.padEnd(22)} ${g.detail}`);
  return [...lines, '', r.pass ? 'go-live gate: PASSED' : 'go-live gate: FAILED — live trading stays locked'].join('\n');
}
