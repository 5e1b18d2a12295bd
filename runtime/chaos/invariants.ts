/**
 * The chaos invariants, as pure functions of the simulator's records and the runtime's. Each
 * returns violations rather than throwing, so one run reports every broken rule at once.
 */
import type { JournalEntry, OrderEvent, PositionUpdate, SupervisionEvent } from '../../protocols/index.js';
import type { ActorRecord, RuntimeRecords } from './records.js';
import type { Outage, SimHistory, SimOrder, Violation } from './types.js';

const EPS = 1e-9;
const QT_ID = /^qt[A-Za-z0-9]{18}-/;
/** Max time a venue position may go without an accepted reduce-only stop (market ms). */
export const MAX_STOP_GAP_MS = 5_000;

const near = (a: number, b: number) => Math.abs(a - b) <= EPS * Math.max(1, Math.abs(a), Math.abs(b));

/** 1. The venue never saw one client order id twice. */
export function uniqueClientOrderIds(h: SimHistory): Violation[] {
  const seen = new Map<string, SimOrder>();
  const out: Violation[] = [];
  for (const o of h.orders) {
    const prev = seen.get(o.clientOrderId);
    if (prev) out.push({ invariant: 'unique-client-order-ids', symbol: o.symbol, clientOrderId: o.clientOrderId, detail: `venue orders ${prev.orderId} and ${o.orderId} share ${o.clientOrderId}` });
    else seen.set(o.clientOrderId, o);
  }
  return out;
}

/** Signed venue position per symbol, from the venue's own trades (BUY +, SELL −). */
export function venuePositions(h: SimHistory): Map<string, number> {
  const out = new Map<string, number>();
  for (const t of h.trades) out.set(t.symbol, (out.get(t.symbol) ?? 0) + (t.side === 'BUY' ? 1 : -1) * Number(t.qty));
  for (const [s, q] of out) out.set(s, Math.abs(q) < 1e-9 ? 0 : Number(q.toPrecision(12)));
  return out;
}

/** Filled quantity per client order id at the venue (our ids only; liquidations are the venue's). */
function venueFilled(h: SimHistory): Map<string, SimOrder> {
  return new Map(h.orders.filter((o) => QT_ID.test(o.clientOrderId) && Number(o.executedQty) > 0).map((o) => [o.clientOrderId, o]));
}

/** 2. Every venue fill reached our order events (by quantity per order: fills recovered by query carry no trade). */
export function noLostFills(h: SimHistory, events: OrderEvent[]): Violation[] {
  const ours = new Map<string, number>();
  const last = new Map<string, OrderEvent>();
  for (const e of events) {
    ours.set(e.clientOrderId, Math.max(ours.get(e.clientOrderId) ?? 0, e.filledQty));
    last.set(e.clientOrderId, e);
  }
  const out: Violation[] = [];
  const venue = venueFilled(h);
  for (const [coid, o] of venue) {
    const got = ours.get(coid) ?? 0;
    const want = Number(o.executedQty);
    const l = last.get(coid);
    const was = l ? `; our last event: ${l.status}${l.reason ? ` (${l.reason})` : ''}` : '; no order event at all';
    if (!near(got, want)) out.push({ invariant: 'no-lost-fills', symbol: o.symbol, clientOrderId: coid, detail: `venue filled ${want} of ${coid} (${o.type} ${o.side}, ${o.status}); our order events say ${got}${was}` });
  }
  for (const [coid, got] of ours) {
    if (got > 0 && !venue.has(coid)) {
      const e = events.find((x) => x.clientOrderId === coid)!;
      out.push({ invariant: 'no-lost-fills', symbol: e.symbol, clientOrderId: coid, detail: `our events say ${coid} filled ${got}; the venue filled nothing` });
    }
  }
  return out;
}

/** 5. The journal holds every fill: per order, the journaled fill quantities (unique trades) add up to the venue's. */
export function journalHoldsFills(h: SimHistory, fills: JournalEntry[]): Violation[] {
  const byCoid = new Map<string, Map<string, number>>();
  for (const j of fills) {
    if (!j.clientOrderId) continue;
    const d = j.data as { tradeId?: unknown; qty?: unknown };
    const m = byCoid.get(j.clientOrderId) ?? new Map<string, number>();
    m.set(String(d.tradeId), Number(d.qty) || 0);
    byCoid.set(j.clientOrderId, m);
  }
  const out: Violation[] = [];
  for (const [coid, o] of venueFilled(h)) {
    const got = [...(byCoid.get(coid)?.values() ?? [])].reduce((a, b) => a + b, 0);
    const want = Number(o.executedQty);
    if (!near(got, want)) out.push({ invariant: 'journal-holds-fills', symbol: o.symbol, clientOrderId: coid, detail: `venue filled ${want} of ${coid}; journal fills add up to ${Number(got.toPrecision(12))} (${byCoid.get(coid)?.size ?? 0} entries)` });
  }
  return out;
}

type Interval = { from: number; to: number };

function subtract(gap: Interval, outages: Outage[]): number {
  let len = gap.to - gap.from;
  for (const o of outages) len -= (1 - (o.factor ?? 0)) * Math.max(0, Math.min(gap.to, o.to) - Math.max(gap.from, o.from));
  return len;
}

/**
 * 3. Every venue position had an accepted reduce-only STOP_MARKET on the closing side, with no
 * uncovered stretch longer than {@link MAX_STOP_GAP_MS} (market time) — outages the scenario
 * injected (node dead, NATS down) are subtracted from a gap. `now` closes still-open positions.
 */
export function stopCoverage(h: SimHistory, now: number, outages: Outage[] = []): Violation[] {
  return stopGaps(h, now, outages)
    .filter((g) => g.netMs > MAX_STOP_GAP_MS)
    .map((g) => ({
      invariant: 'stop-coverage', symbol: g.symbol, clientOrderId: g.entry,
      detail: `${g.side} ${g.symbol} opened at ${g.opened} (entry ${g.entry}) had no venue-side stop for ${g.to - g.from} ms from ${g.from}${g.netMs !== g.to - g.from ? ` (${Math.round(g.netMs)} ms net of injected outages)` : ''}${g.stillOpen ? ' — still unprotected at the end' : ''}`,
    }));
}

/** One stretch of a venue position without a venue-side stop. */
export interface StopGap {
  symbol: string;
  side: 'LONG' | 'SHORT';
  /** Client order id of the order that opened the position. */
  entry: string;
  opened: number;
  from: number;
  to: number;
  /** The gap net of injected outages, ms (market time). */
  netMs: number;
  /** The position was open and unprotected when the records were read. */
  stillOpen: boolean;
}

/** Positions opened at the venue (from its trades), and each stretch without a stop ({@link stopCoverage}). */
export function stopGaps(h: SimHistory, now: number, outages: Outage[] = []): StopGap[] {
  const out: StopGap[] = [];
  const bySymbol = new Map<string, SimHistory['trades']>();
  for (const t of h.trades) bySymbol.set(t.symbol, [...(bySymbol.get(t.symbol) ?? []), t]);
  const coidOf = new Map(h.orders.map((o) => [o.orderId, o.clientOrderId]));
  for (const [symbol, trades] of bySymbol) {
    trades.sort((a, b) => a.time - b.time || a.id - b.id);
    const opens: Array<Interval & { side: 'LONG' | 'SHORT'; entry: string }> = [];
    let amt = 0;
    let cur: (typeof opens)[number] | undefined;
    for (const t of trades) {
      const next = amt + (t.side === 'BUY' ? 1 : -1) * Number(t.qty);
      const flat = Math.abs(next) < 1e-9;
      if (cur && (flat || Math.sign(next) !== Math.sign(amt))) {
        cur.to = t.time;
        cur = undefined;
      }
      if (!cur && !flat) {
        cur = { from: t.time, to: Infinity, side: next > 0 ? 'LONG' : 'SHORT', entry: coidOf.get(t.orderId) ?? `order ${t.orderId}` };
        opens.push(cur);
      }
      amt = flat ? 0 : next;
    }
    const stops = h.orders.filter((o) => o.symbol === symbol && (o.origType || o.type) === 'STOP_MARKET' && (o.reduceOnly || o.closePosition));
    for (const p of opens) {
      const end = Math.min(p.to, now);
      if (!(end > p.from)) continue;
      const closing = p.side === 'LONG' ? 'SELL' : 'BUY';
      const cover = stops
        .filter((s) => s.side === closing)
        .map((s) => ({ from: s.time, to: s.status === 'NEW' || s.status === 'PARTIALLY_FILLED' ? Infinity : s.updateTime }))
        .filter((c) => c.to > p.from && c.from < end)
        .sort((a, b) => a.from - b.from);
      let t = p.from;
      const gaps: Interval[] = [];
      for (const c of cover) {
        if (c.from > t) gaps.push({ from: t, to: Math.min(c.from, end) });
        t = Math.max(t, c.to);
        if (t >= end) break;
      }
      if (t < end) gaps.push({ from: t, to: end });
      for (const g of gaps) {
        out.push({ symbol, side: p.side, entry: p.entry, opened: p.from, from: g.from, to: g.to, netMs: subtract(g, outages), stillOpen: g.to === now && p.to > now });
      }
    }
  }
  return out;
}

/** Our last position update as a signed quantity. */
export function signedQty(p: PositionUpdate | undefined): number {
  if (!p || p.state === 'closed' || p.state === 'flat' || !(p.qty > 0)) return 0;
  return p.side === 'SHORT' ? -p.qty : p.qty;
}

/** 4. The runtime's positions equal the venue's. */
export function positionsMatch(h: SimHistory, ours: Map<string, PositionUpdate>): Violation[] {
  const venue = venuePositions(h);
  const out: Violation[] = [];
  for (const symbol of new Set([...venue.keys(), ...ours.keys()])) {
    const v = venue.get(symbol) ?? 0;
    const p = ours.get(symbol);
    const o = signedQty(p);
    if (!near(v, o)) out.push({ invariant: 'positions-match-venue', symbol, detail: `venue position ${v}, ours ${o} (last update: ${p ? `${p.state} ${p.side ?? ''} ${p.qty} at ${p.ts}` : 'none'})` });
  }
  return out;
}

const POOL_ACTOR = /\.(orders|positions)\.(orders|position)-[A-Z0-9]+$/;

/**
 * 6. No order or position actor ended in error: no `crashed` event for one that the scenario did
 * not inject (reason matching `injected`, or inside a tolerated wall-clock window), and no KV
 * snapshot in status `error`.
 */
export function noActorErrors(sup: SupervisionEvent[], actors: ActorRecord[], injected: RegExp, tolerated: Outage[] = []): Violation[] {
  const out: Violation[] = [];
  for (const e of sup) {
    if (e.type !== 'crashed' || !POOL_ACTOR.test(e.path)) continue;
    if (injected.test(e.reason ?? '') || tolerated.some((w) => e.ts >= w.from && e.ts <= w.to)) continue;
    out.push({ invariant: 'no-actor-errors', symbol: e.path.replace(/^.*-/, ''), detail: `${e.path} crashed at ${e.ts} (not injected): ${e.reason ?? '?'}` });
  }
  for (const a of actors) {
    if (a.status === 'error' || a.status === 'undecodable') out.push({ invariant: 'no-actor-errors', symbol: a.key.replace(/^[^.]*\./, ''), detail: `KV ${a.key} snapshot status ${a.status}: ${JSON.stringify(a.error)?.slice(0, 300)}` });
  }
  return out;
}

/** 7. Every `restarted` event names its cause, and that cause (a sibling's crash or exit) was reported before it. */
export function restartsExplained(sup: SupervisionEvent[]): Violation[] {
  const out: Violation[] = [];
  sup.forEach((e, i) => {
    if (e.type !== 'restarted') return;
    const reason = e.reason ?? '';
    const m = /^(.+) (crashed|exited)$/.exec(reason);
    const parent = e.path.slice(0, e.path.lastIndexOf('.'));
    const explained = m
      ? sup.slice(0, i).some((p) => p.path === `${parent}.${m[1]}` && (p.node ?? '') === (e.node ?? '') && (m[2] === 'crashed' ? p.type === 'crashed' : p.type === 'stopped' || p.type === 'crashed' || p.type === 'restarted' || p.type === 'started'))
      : /restart|manual|operator/i.test(reason);
    if (!explained) out.push({ invariant: 'restarts-explained', detail: `${e.path} restarted at ${e.ts} with ${reason ? `reason '${reason}' and no matching earlier event` : 'no reason'}` });
  });
  return out;
}

/** What {@link checkInvariants} needs besides the records. */
export interface InvariantContext {
  /** Market-time now (closes open positions for the stop check). */
  marketNow: number;
  /** Market-time outages injected by the scenario. */
  outages: Outage[];
  /** Wall-time windows whose order/position actor crashes the scenario caused (e.g. NATS down). */
  toleratedCrashes: Outage[];
  /** Crash reasons the scenario injected. */
  injected: RegExp;
}

/** Every invariant over one run. */
export function checkInvariants(h: SimHistory, r: RuntimeRecords, c: InvariantContext): Violation[] {
  return [
    ...uniqueClientOrderIds(h),
    ...noLostFills(h, r.orderEvents),
    ...stopCoverage(h, c.marketNow, c.outages),
    ...positionsMatch(h, r.positions),
    ...journalHoldsFills(h, r.journalFills),
    ...noActorErrors(r.supervision, r.actors, c.injected, c.toleratedCrashes),
    ...restartsExplained(r.supervision),
  ];
}
