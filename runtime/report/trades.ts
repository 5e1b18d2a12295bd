import type { JournalEntry } from '../../protocols/index.js';
import { ExitDataSchema, FillDataSchema, PnlDataSchema, type Trade } from './shapes.js';

export interface Reconstruction {
  trades: Trade[];
  /** Entries of the kinds read that did not match their shape (reported, never guessed at). */
  invalid: Array<{ kind: string; ts: number; reason: string }>;
  /** Intents with fills whose position is still open (not counted as trades). */
  openIntents: string[];
}

const EPS = 1e-9;

/**
 * Trades from the journal: every `pnl` line is one trade; intents with fills but no `pnl` line
 * are rebuilt from their fills (entry leg opens, other legs close) once fully closed, with the
 * exit reason of their last `exit` line (else the last closing leg).
 */
export function reconstructTrades(entries: readonly JournalEntry[]): Reconstruction {
  const trades: Trade[] = [];
  const invalid: Reconstruction['invalid'] = [];
  const seen = new Set<string>();
  const fills = new Map<string, Array<{ e: JournalEntry; d: ReturnType<typeof FillDataSchema.parse> }>>();
  const exits = new Map<string, string>();
  for (const e of entries) {
    if (e.kind === 'pnl') {
      const r = PnlDataSchema.safeParse(e.data);
      if (!r.success || !e.symbol) {
        invalid.push({ kind: e.kind, ts: e.ts, reason: r.success ? 'no symbol' : r.error.issues[0]?.message ?? 'invalid' });
        continue;
      }
      const d = r.data;
      const openedAt = d.openedAt ?? d.closedAt;
      const id = e.intentId ?? `${e.symbol}:${openedAt}`;
      if (seen.has(id)) continue; // the same close journaled twice
      seen.add(id);
      trades.push({
        id, symbol: e.symbol, side: d.side, qty: d.qty, entry: d.avgEntry, exit: d.avgExit, gross: d.realizedPnl + d.fees - d.funding, fees: d.fees, funding: d.funding,
        net: d.realizedPnl, ret: d.realizedPnl / (d.qty * d.avgEntry), exitReason: d.reason, attribution: e.attribution || 'unknown', openedAt, closedAt: d.closedAt, source: 'pnl',
      });
    } else if (e.kind === 'fill' || e.kind === 'exit') {
      if (!e.intentId) continue;
      if (e.kind === 'exit') {
        const r = ExitDataSchema.safeParse(e.data);
        if (r.success) exits.set(e.intentId, r.data.reason);
        else invalid.push({ kind: e.kind, ts: e.ts, reason: r.error.issues[0]?.message ?? 'invalid' });
        continue;
      }
      const r = FillDataSchema.safeParse(e.data);
      if (!r.success) {
        invalid.push({ kind: e.kind, ts: e.ts, reason: r.error.issues[0]?.message ?? 'invalid' });
        continue;
      }
      const list = fills.get(e.intentId) ?? [];
      list.push({ e, d: r.data });
      fills.set(e.intentId, list);
    }
  }
  const openIntents: string[] = [];
  for (const [intentId, list] of fills) {
    if (seen.has(intentId)) continue;
    const opens = list.filter((f) => f.d.leg === 'entry');
    const closes = list.filter((f) => f.d.leg !== 'entry');
    const oq = opens.reduce((a, f) => a + f.d.qty, 0);
    const cq = closes.reduce((a, f) => a + f.d.qty, 0);
    if (oq <= 0 || cq < oq * (1 - EPS)) {
      if (oq > 0) openIntents.push(intentId);
      continue;
    }
    const vwap = (xs: typeof list) => xs.reduce((a, f) => a + f.d.price * f.d.qty, 0) / xs.reduce((a, f) => a + f.d.qty, 0);
    // The orders actor's fill lines carry no side; our intent ids end with it.
    const entrySide = opens[0]!.d.side ?? intentId.split(':').at(-1);
    if (entrySide !== 'BUY' && entrySide !== 'SELL') {
      invalid.push({ kind: 'fill', ts: opens[0]!.e.ts, reason: `no side for the entry fills of ${intentId}` });
      continue;
    }
    const side = entrySide === 'BUY' ? 'LONG' : 'SHORT';
    const entry = vwap(opens);
    const exit = vwap(closes);
    const gross = (exit - entry) * oq * (side === 'LONG' ? 1 : -1);
    const fees = list.reduce((a, f) => a + f.d.fee, 0);
    const net = gross - fees;
    const first = opens[0]!.e;
    trades.push({
      id: intentId, symbol: first.symbol ?? intentId.split(':')[0] ?? '?', side, qty: oq, entry, exit, gross, fees, funding: 0, net, ret: net / (oq * entry),
      exitReason: exits.get(intentId) ?? closes.at(-1)!.d.leg, attribution: first.attribution || 'unknown',
      openedAt: Math.min(...opens.map((f) => f.e.ts)), closedAt: Math.max(...closes.map((f) => f.e.ts)), source: 'fills',
    });
  }
  trades.sort((a, b) => a.closedAt - b.closedAt || a.id.localeCompare(b.id));
  return { trades, invalid, openIntents };
}
