import { DeliverPolicy } from '@nats-io/jetstream';
import type { Logger } from 'pino';
import {
  BUCKETS, POLICY_KEYS, STREAMS, subjects,
  type JournalEntry, type OrderEvent, type PositionUpdate, type VenueOrder, type VenuePosition, type VenueReport,
} from '../../protocols/index.js';
import type { Clock } from '../clock/index.js';
import { decode, encode, msgHeaders } from '../codec.js';
import { RuntimeError } from '../errors.js';
import type { Bus } from '../nats/index.js';
import type { BinanceVenue } from '../venues/binance/types.js';

const TERMINAL = new Set(['filled', 'rejected', 'canceled', 'expired', 'denied']);
const QT_ID = /^qt[A-Za-z0-9]{18}-/;

/** What one reconciliation pass found and did. Every action carries a deterministic id. */
export interface ReconcileReport {
  runId: string;
  ts: number;
  venuePositions: number;
  ourPositions: number;
  adopted: string[];
  /** Orphans left for a pass: a fill this pass reported for the symbol may be what opened them. */
  deferred: string[];
  mismatched: string[];
  queried: string[];
  canceledStale: string[];
  reports: number;
}

export interface ReconcilerOptions {
  bus: Bus;
  venue: BinanceVenue;
  clock: Clock;
  logger: Logger;
  /** Look-back for order events whose orders may still be live. @default 24 h */
  lookbackMs?: number;
  /** A `submitted` order younger than this (clock ms) that the venue does not know is left to its order machine. @default 300000 */
  placeGraceMs?: number;
  /** How long an orphan with a just-reported fill waits for its position actor before it is adopted anyway. @default 60000 */
  adoptDeferMs?: number;
  /** First deferral per symbol, kept across passes by the reconciler worker. */
  deferrals?: Map<string, number>;
}

async function latestPositions(bus: Bus): Promise<Map<string, PositionUpdate>> {
  const out = new Map<string, PositionUpdate>();
  const info = await bus.jsm.streams.info(STREAMS.positions);
  if (info.state.messages === 0) return out;
  const c = await bus.js.consumers.get(STREAMS.positions, { filter_subjects: subjects.positionAll, deliver_policy: DeliverPolicy.LastPerSubject });
  const pending = (await c.info()).num_pending;
  if (!pending) return out;
  for await (const m of await c.fetch({ max_messages: pending, expires: 2_000 })) {
    const p = decode<PositionUpdate>(m.data);
    const prev = out.get(p.symbol);
    if (!prev || p.ts >= prev.ts) out.set(p.symbol, p);
    if (m.info.pending === 0) break;
  }
  return out;
}

/** Orders our actors last reported as live (non-terminal), from order events in the look-back window. */
async function liveOrders(bus: Bus, since: number): Promise<Map<string, OrderEvent>> {
  const last = new Map<string, OrderEvent>();
  const info = await bus.jsm.streams.info(STREAMS.orders);
  if (info.state.messages === 0) return last;
  const c = await bus.js.consumers.get(STREAMS.orders, { filter_subjects: 'qt.order.*.event', deliver_policy: DeliverPolicy.StartTime, opt_start_time: new Date(since).toISOString() });
  const pending = (await c.info()).num_pending;
  if (!pending) return last;
  for await (const m of await c.fetch({ max_messages: pending, expires: 2_000 })) {
    const e = decode<OrderEvent>(m.data);
    last.set(e.clientOrderId, e);
    if (m.info.pending === 0) break;
  }
  for (const [k, e] of last) if (TERMINAL.has(e.status)) last.delete(k);
  return last;
}

function report(o: VenueOrder | undefined, coid: string, symbol: string, ts: number): VenueReport {
  if (!o) return { type: 'report', source: 'reconcile', clientOrderId: coid, symbol, status: 'NOT_FOUND', executedQty: 0, avgPrice: 0, reason: 'venue has no such order (reconciliation)', ts };
  return {
    type: 'report', source: 'reconcile', clientOrderId: coid, symbol, status: o.status === 'UNKNOWN' ? 'UNKNOWN' : o.status,
    ...(o.orderId ? { orderId: o.orderId } : {}), executedQty: o.filledQty, avgPrice: o.avgPrice, ts,
  };
}

/**
 * One reconciliation pass — the start-up path, and then every 30 s. The venue is the truth:
 * orphan venue positions are adopted (and so protected by their position actor), orders our actors
 * still think live are queried so fills missed while we were down are recovered, stale reduce-only
 * orders with our ids and no position behind them are cancelled. New entries are denied while it
 * runs (`reconciling` in qt_policy). Every message it publishes has a deterministic id.
 */
export async function reconcileOnce(o: ReconcilerOptions): Promise<ReconcileReport> {
  const { bus, venue, clock } = o;
  const ts = clock.now();
  const runId = `rec:${venue.venue}:${ts}`;
  const policy = await bus.kvm.open(BUCKETS.policy);
  await policy.put(POLICY_KEYS.reconciling, encode({ on: true, runId, ts }));
  const r: ReconcileReport = { runId, ts, venuePositions: 0, ourPositions: 0, adopted: [], deferred: [], mismatched: [], queried: [], canceledStale: [], reports: 0 };
  const pub = (subject: string, data: unknown, msgID: string) => bus.js.publish(subject, encode(data), { msgID, headers: msgHeaders() });
  try {
    const [venuePos, ours, live, open] = await Promise.all([
      venue.positions(),
      latestPositions(bus),
      liveOrders(bus, ts - (o.lookbackMs ?? 86_400_000)),
      venue.openOrders(),
    ]);
    r.venuePositions = venuePos.length;
    r.ourPositions = [...ours.values()].filter((p) => p.qty > 0 && p.state !== 'closed' && p.state !== 'flat').length;
    const bySymbol = new Map<string, VenuePosition>(venuePos.filter((p) => p.qty > 0).map((p) => [p.symbol, p]));

    // 1. Fills we may have missed: settle every order we think is live by asking the venue.
    const filling = new Set<string>();
    for (const [coid, e] of live) {
      const v = await venue.getOrder(e.symbol, coid);
      // A recent place may still be queued in the executor (its symbol's queue, order pacing,
      // retries while a breaker is open): the venue's "no such order" proves nothing yet, and as
      // a report it made the order machine declare rejected an order that filled a second later.
      // The order machine settles its own placements by queries that queue behind the place.
      if (!v && e.status === 'submitted' && ts - e.ts < (o.placeGraceMs ?? 300_000)) continue;
      const rep = report(v, coid, e.symbol, ts);
      await pub(subjects.order(e.symbol, 'report'), rep, `rec:${coid}:${rep.status}:${rep.executedQty}`);
      r.queried.push(coid);
      r.reports++;
      if (rep.executedQty > 0) filling.add(e.symbol);
    }
    // 2. Orphans: a venue position our actors do not hold.
    for (const [symbol, vp] of bySymbol) {
      const mine = ours.get(symbol);
      const held = mine && mine.qty > 0 && mine.state !== 'closed' && mine.state !== 'flat';
      // Deferred since the first pass that put it off; past `adoptDeferMs` it is adopted anyway,
      // so adoption is never put off for good.
      const since = o.deferrals?.get(symbol) ?? ts;
      if (!held && filling.has(symbol) && ts - since < (o.adoptDeferMs ?? 60_000)) {
        // The fill just reported may be this very position, still on its way through the order
        // machine: adopting it as well counted it twice (ours 2× the venue's after a NATS restart).
        r.deferred.push(symbol);
        o.deferrals?.set(symbol, since);
      } else if (!held) {
        const side = vp.amount > 0 ? 'LONG' : 'SHORT';
        await pub(subjects.actorInput('position', symbol), { type: 'adopt', side, qty: vp.qty, entry: vp.entryPrice, ts }, `adopt:${symbol}:${side}:${vp.qty}:${vp.entryPrice}`);
        r.adopted.push(symbol);
      } else if (Math.abs(mine.qty - vp.qty) > 1e-12 || (mine.side === 'LONG') !== vp.amount > 0) {
        r.mismatched.push(symbol);
      }
    }
    // A deferral lasts only while each pass defers the symbol again.
    for (const s of o.deferrals?.keys() ?? []) if (!r.deferred.includes(s)) o.deferrals!.delete(s);
    // Our actors hold a position the venue does not have (filled stop while down, liquidation…).
    for (const [symbol, p] of ours) {
      if (p.qty > 0 && p.state !== 'closed' && p.state !== 'flat' && !bySymbol.has(symbol)) r.mismatched.push(symbol);
    }
    // 3. Stale protective orders of ours with nothing left to protect.
    for (const vo of open) {
      if (!QT_ID.test(vo.clientOrderId) || !(vo.reduceOnly || vo.closePosition) || bySymbol.has(vo.symbol)) continue;
      const after = await venue.cancelOrder(vo.symbol, vo.clientOrderId);
      const rep = report(after ?? { ...vo, status: 'CANCELED' }, vo.clientOrderId, vo.symbol, ts);
      await pub(subjects.order(vo.symbol, 'report'), rep, `rec:${vo.clientOrderId}:${rep.status}:${rep.executedQty}`);
      r.canceledStale.push(vo.clientOrderId);
      r.reports++;
    }
    const entry: JournalEntry = {
      kind: 'reconcile', ts,
      summary: `reconciled ${venue.venue}: ${r.adopted.length} adopted, ${r.deferred.length} deferred, ${r.queried.length} queried, ${r.canceledStale.length} stale cancelled, ${r.mismatched.length} mismatched`,
      data: { ...r },
    };
    await pub(subjects.journal('reconcile'), entry, runId);
    if (r.mismatched.length) o.logger.warn({ mismatched: r.mismatched }, 'positions differ from the venue after reconciliation');
    return r;
  } finally {
    await policy.put(POLICY_KEYS.reconciling, encode({ on: false, runId, ts: clock.now() }));
  }
}

type Exit = { kind: 'normal' } | { kind: 'shutdown' } | { kind: 'crash'; error: Error };

/**
 * The reconciler as a supervised worker: a pass at start, then every `everyMs`. A pass the venue
 * could not serve (timeout, 5xx, 429, open breaker: retryable) is tried again within
 * `retryMs` instead of crashing: restarted at once it failed again, and five failures in 10 s
 * escalated the whole venue subtree (market data, user stream, an in-process simulator) over a
 * venue outage. Anything else still crashes it.
 */
export async function startReconciler(o: ReconcilerOptions & { everyMs: number; retryMs?: number; onReport?: (r: ReconcileReport) => void }) {
  let resolveExit!: (e: Exit) => void;
  const exited = new Promise<Exit>((r) => (resolveExit = r));
  let ended = false;
  let timer: ReturnType<Clock['setTimeout']> | undefined;
  let passes = 0;
  let failedPasses = 0;
  let lastError: string | null = null;
  let last: ReconcileReport | undefined;
  const end = (e: Exit) => {
    if (ended) return;
    ended = true;
    o.clock.clearTimeout(timer);
    resolveExit(e);
  };
  const deferrals = new Map<string, number>();
  const pass = async () => {
    last = await reconcileOnce({ deferrals, ...o });
    passes++;
    lastError = null;
    o.onReport?.(last);
  };
  /** Runs a pass; resolves with the delay to the next one, rejects on a non-retryable failure. */
  const attempt = async (): Promise<number> => {
    try {
      await pass();
      return o.everyMs;
    } catch (e) {
      if (!(e instanceof RuntimeError) || !e.retryable) throw e;
      failedPasses++;
      lastError = e.message;
      o.logger.warn({ err: e.message, failedPasses }, 'reconciliation pass failed on the venue; trying again');
      return Math.min(o.everyMs, o.retryMs ?? 5_000);
    }
  };
  const loop = (delay: number) => {
    timer = o.clock.setTimeout(() => {
      if (ended) return;
      attempt().then(loop, (e: unknown) => end({ kind: 'crash', error: e instanceof Error ? e : new Error(String(e)) }));
    }, delay);
  };
  loop(await attempt());
  return {
    exited,
    stop: async () => end({ kind: 'shutdown' }),
    kill: () => end({ kind: 'shutdown' }),
    inject: (error: Error) => end({ kind: 'crash', error }),
    info: () => ({ passes, failedPasses, lastError, last: last ? { adopted: last.adopted.length, queried: last.queried.length, mismatched: last.mismatched } : null }),
    runNow: pass,
  };
}
