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
  /** Symbols whose book differs from the venue's this pass (including those corrected). */
  mismatched: string[];
  /** Symbols whose position actor was sent the venue's position: the same difference on two passes. */
  corrected: string[];
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
  /**
   * A difference between our book and the venue's is corrected only when a later pass, at least
   * this long after the first, finds the same difference. @default 5000
   */
  mismatchGraceMs?: number;
  /** Differences seen and not yet corrected, kept across passes by the reconciler worker. */
  mismatches?: Map<string, PendingMismatch>;
  /** Only these symbols (a prompt pass after an unknown order's fill); every symbol when absent. */
  symbols?: readonly string[];
}

/** A difference between our book and the venue's, waiting for a second look. */
export interface PendingMismatch {
  /** Venue minus ours, signed (LONG positive). */
  diff: number;
  since: number;
}

const held = (p: PositionUpdate | undefined): p is PositionUpdate => !!p && p.qty > 0 && p.state !== 'closed' && p.state !== 'flat';
const signedOf = (p: PositionUpdate | undefined) => (held(p) ? (p.side === 'SHORT' ? -p.qty : p.qty) : 0);
const same = (a: number, b: number) => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));

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

/** The venue's open order and our last event agree: same working status, same filled quantity. */
function sameOpenState(v: VenueOrder, e: OrderEvent): boolean {
  const status = (v.status === 'NEW' && e.status === 'accepted') || (v.status === 'PARTIALLY_FILLED' && e.status === 'partially_filled');
  return status && Math.abs(v.filledQty - e.filledQty) <= 1e-9 * Math.max(1, e.qty);
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
 * still think live are queried so fills missed while we were down are recovered, a book that still
 * differs from the venue's on a later pass is replaced by the venue's, stale reduce-only orders with
 * our ids and no position behind them are cancelled. New entries are denied while it runs
 * (`reconciling` in qt_policy). Every message it publishes has a deterministic id.
 */
export async function reconcileOnce(o: ReconcilerOptions): Promise<ReconcileReport> {
  const { bus, venue, clock } = o;
  const ts = clock.now();
  const scope = o.symbols ? new Set(o.symbols) : null;
  const inScope = (s: string) => !scope || scope.has(s);
  const runId = `rec:${venue.venue}:${ts}${scope ? `:${[...scope].sort().join(',')}` : ''}`;
  const policy = await bus.kvm.open(BUCKETS.policy);
  await policy.put(POLICY_KEYS.reconciling, encode({ on: true, runId, ts }));
  const r: ReconcileReport = { runId, ts, venuePositions: 0, ourPositions: 0, adopted: [], deferred: [], mismatched: [], corrected: [], queried: [], canceledStale: [], reports: 0 };
  const pub = (subject: string, data: unknown, msgID: string) => bus.js.publish(subject, encode(data), { msgID, headers: msgHeaders() });
  // A scoped pass asks the venue per symbol: the all-symbol open-orders request weighs 40.
  const perSymbol = <T>(f: (s?: string) => Promise<T[]>) => (scope ? Promise.all([...scope].map((s) => f(s))).then((x) => x.flat()) : f());
  try {
    const [venuePos, allOurs, live, open] = await Promise.all([
      perSymbol((s) => venue.positions(s)),
      latestPositions(bus),
      liveOrders(bus, ts - (o.lookbackMs ?? 86_400_000)),
      perSymbol((s) => venue.openOrders(s)),
    ]);
    const ours = new Map([...allOurs].filter(([s]) => inScope(s)));
    r.ourPositions = [...ours.values()].filter(held).length;
    const bySymbol = new Map<string, VenuePosition>(venuePos.filter((p) => p.qty > 0 && inScope(p.symbol)).map((p) => [p.symbol, p]));
    r.venuePositions = bySymbol.size;

    // 1. Fills we may have missed: settle every order we think is live by asking the venue. One
    // still open is in the open-orders answer already; only the others cost a query each (weight 1:
    // at 500 protected positions, four orders each, a query per order was 2,000 weight a pass, most
    // of the minute's budget, taken from the order tier that stops and cancels need).
    const openById = new Map(open.map((vo) => [vo.clientOrderId, vo]));
    const filling = new Set<string>();
    for (const [coid, e] of live) {
      if (!inScope(e.symbol)) continue;
      const v = openById.get(coid) ?? (await venue.getOrder(e.symbol, coid));
      // A recent place may still be queued in the executor (its symbol's queue, order pacing,
      // retries while a breaker is open): the venue's "no such order" proves nothing yet, and as
      // a report it made the order machine declare rejected an order that filled a second later.
      // The order machine settles its own placements by queries that queue behind the place.
      if (!v && e.status === 'submitted' && ts - e.ts < (o.placeGraceMs ?? 300_000)) continue;
      const rep = report(v, coid, e.symbol, ts);
      // Open at the venue exactly as our order actor last said: nothing to tell it. At 500 protected
      // positions that was some 2,000 publishes a pass, each a round trip on the node's one loop.
      if (!(v && openById.has(coid) && sameOpenState(v, e))) {
        await pub(subjects.order(e.symbol, 'report'), rep, `rec:${coid}:${rep.status}:${rep.executedQty}`);
        r.reports++;
      }
      r.queried.push(coid);
      if (rep.executedQty > 0) filling.add(e.symbol);
    }
    // 2. Orphans: a venue position our actors do not hold.
    for (const [symbol, vp] of bySymbol) {
      if (held(ours.get(symbol))) continue;
      // Deferred since the first pass that put it off; past `adoptDeferMs` it is adopted anyway,
      // so adoption is never put off for good.
      const since = o.deferrals?.get(symbol) ?? ts;
      if (filling.has(symbol) && ts - since < (o.adoptDeferMs ?? 60_000)) {
        // The fill just reported may be this very position, still on its way through the order
        // machine: adopting it as well counted it twice (ours 2× the venue's after a NATS restart).
        r.deferred.push(symbol);
        o.deferrals?.set(symbol, since);
      } else {
        const side = vp.amount > 0 ? 'LONG' : 'SHORT';
        // The venue's update time tells this position from an identical one opened again later:
        // without it, a second orphan of the same size and entry within the dedup window was dropped.
        await pub(subjects.actorInput('position', symbol), { type: 'adopt', side, qty: vp.qty, entry: vp.entryPrice, ts }, `adopt:${symbol}:${side}:${vp.qty}:${vp.entryPrice}:${vp.updateTime}`);
        r.adopted.push(symbol);
      }
    }
    // A deferral lasts only while each pass defers the symbol again.
    for (const s of o.deferrals?.keys() ?? []) if (inScope(s) && !r.deferred.includes(s)) o.deferrals!.delete(s);
    // 3. Books that differ from the venue's: a size or side the venue does not have, or a position
    // it closed (liquidation, ADL, a close by hand: fills of orders we never placed).
    for (const [symbol, mine] of ours) {
      if (!held(mine)) continue;
      if (await correct(o, pub, r, { symbol, mine, vp: bySymbol.get(symbol), filling: filling.has(symbol), ts })) r.corrected.push(symbol);
    }
    for (const s of o.mismatches?.keys() ?? []) if (inScope(s) && !r.mismatched.includes(s)) o.mismatches!.delete(s);
    // 4. Stale protective orders of ours with nothing left to protect.
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
      summary: `reconciled ${venue.venue}${scope ? ` (${[...scope].join(', ')})` : ''}: ${r.adopted.length} adopted, ${r.deferred.length} deferred, ${r.queried.length} queried, ${r.canceledStale.length} stale cancelled, ${r.mismatched.length} mismatched, ${r.corrected.length} corrected`,
      data: { ...r },
    };
    await pub(subjects.journal('reconcile'), entry, runId);
    const waiting = r.mismatched.filter((s) => !r.corrected.includes(s));
    if (waiting.length) o.logger.warn({ mismatched: waiting }, 'positions differ from the venue; corrected if the next pass finds the same');
    return r;
  } finally {
    await policy.put(POLICY_KEYS.reconciling, encode({ on: false, runId, ts: clock.now() }));
  }
}

/**
 * One book against the venue's. A difference is acted on only when a later pass, at least
 * `mismatchGraceMs` after the first, finds the same one and no fill of ours was just reported for
 * the symbol: the venue answers positions and our actors publish theirs at different moments, so a
 * fill on its way through the order and position actors looks like drift once, and resizing to the
 * venue then counted that fill twice when it landed. The position actor gets the venue's position
 * (`adopt`, qty 0 when the venue is flat), and the journal both figures; both ids are derived from
 * the difference and when it was first seen, so a repeated pass cannot apply it twice.
 */
async function correct(
  o: ReconcilerOptions,
  pub: (subject: string, data: unknown, msgID: string) => Promise<unknown>,
  r: ReconcileReport,
  a: { symbol: string; mine: PositionUpdate; vp: VenuePosition | undefined; filling: boolean; ts: number },
): Promise<boolean> {
  const { symbol, mine, vp, ts } = a;
  const theirs = vp ? vp.amount : 0;
  const ourSigned = signedOf(mine);
  const diff = theirs - ourSigned;
  if (same(theirs, ourSigned)) return false;
  r.mismatched.push(symbol);
  const seen = o.mismatches?.get(symbol);
  if (a.filling || !seen || !same(seen.diff, diff)) {
    o.mismatches?.set(symbol, { diff, since: ts });
    return false;
  }
  if (ts - seen.since < (o.mismatchGraceMs ?? 5_000)) return false;
  o.mismatches!.delete(symbol);
  const side = vp ? (vp.amount > 0 ? 'LONG' : 'SHORT') : mine.side ?? 'LONG';
  const qty = vp?.qty ?? 0;
  // With the venue flat there is no venue entry; ours stands in (the schema wants a price).
  const entry = vp?.entryPrice || mine.avgEntry || mine.markPrice;
  const id = `fix:${symbol}:${seen.since}:${ourSigned}>${theirs}`;
  await pub(subjects.actorInput('position', symbol), { type: 'adopt', side, qty, entry, ts }, id);
  const data = {
    venue: vp ? { side, qty, entry: vp.entryPrice, amount: vp.amount } : { side: null, qty: 0, entry: null, amount: 0 },
    ours: { side: mine.side, qty: mine.qty, avgEntry: mine.avgEntry, state: mine.state, ts: mine.ts },
    firstSeen: seen.since, runId: r.runId,
  };
  const summary = `${symbol}: venue ${vp ? `${side} ${qty} @ ${vp.entryPrice}` : 'flat'}, ours ${mine.side} ${mine.qty} @ ${mine.avgEntry} since ${seen.since}: the position takes the venue's`;
  await pub(subjects.journal('reconcile'), { kind: 'reconcile', ts, symbol, summary, data } satisfies JournalEntry, `${id}:journal`);
  o.logger.warn({ symbol, venue: data.venue, ours: data.ours }, 'position corrected to the venue');
  return true;
}

type Exit = { kind: 'normal' } | { kind: 'shutdown' } | { kind: 'crash'; error: Error };

export interface ReconcilerWorkerOptions extends ReconcilerOptions {
  everyMs: number;
  retryMs?: number;
  /** A fill of an order nobody knows is followed by a pass on its symbol this much later (a burst is one pass). @default 250 */
  promptMs?: number;
  onReport?: (r: ReconcileReport) => void;
}

/**
 * The reconciler as a supervised worker: a pass at start, then every `everyMs`. A pass the venue
 * could not serve (timeout, 5xx, 429, open breaker: retryable) is tried again within
 * `retryMs` instead of crashing: restarted at once it failed again, and five failures in 10 s
 * escalated the whole venue subtree (market data, user stream, an in-process simulator) over a
 * venue outage. Anything else still crashes it.
 *
 * Between periodic passes it runs scoped ones: on a symbol whose venue position moved without us
 * (the orders actor journals a fill of an order it does not know, flagged `unknownFill`: a
 * liquidation, an ADL, a close by hand), and on a symbol whose difference was seen for the first
 * time, once `mismatchGraceMs` has passed — so a ghost position is closed, or a grown one fully
 * stopped, within seconds instead of two periodic passes. It listens on the journal subject the
 * orders actor already writes rather than a subject of its own: a missed message (the reconciler
 * restarting) costs only the wait for the periodic pass.
 */
export async function startReconciler(o: ReconcilerWorkerOptions) {
  let resolveExit!: (e: Exit) => void;
  const exited = new Promise<Exit>((r) => (resolveExit = r));
  let ended = false;
  let timer: ReturnType<Clock['setTimeout']> | undefined;
  let promptTimer: ReturnType<Clock['setTimeout']> | undefined;
  let passes = 0;
  let failedPasses = 0;
  let lastError: string | null = null;
  let last: ReconcileReport | undefined;
  const grace = o.mismatchGraceMs ?? 5_000;
  const retryMs = Math.min(o.everyMs, o.retryMs ?? 5_000);
  const end = (e: Exit) => {
    if (ended) return;
    ended = true;
    o.clock.clearTimeout(timer);
    o.clock.clearTimeout(promptTimer);
    sub.unsubscribe();
    resolveExit(e);
  };
  const crash = (e: unknown) => end({ kind: 'crash', error: e instanceof Error ? e : new Error(String(e)) });
  const deferrals = o.deferrals ?? new Map<string, number>();
  const mismatches = o.mismatches ?? new Map<string, PendingMismatch>();
  // Symbols due for a scoped pass, and when.
  const due = new Map<string, number>();
  const soon = (symbol: string, delay: number) => {
    const at = o.clock.now() + delay;
    if (ended || (due.get(symbol) ?? Infinity) <= at) return;
    due.set(symbol, at);
    armPrompt();
  };
  const armPrompt = () => {
    o.clock.clearTimeout(promptTimer);
    if (ended || !due.size) return;
    promptTimer = o.clock.setTimeout(firePrompt, Math.max(0, Math.min(...due.values()) - o.clock.now()));
  };
  const firePrompt = () => {
    const now = o.clock.now();
    const symbols = [...due].filter(([, at]) => at <= now).map(([s]) => s);
    for (const s of symbols) due.delete(s);
    armPrompt();
    if (ended || !symbols.length) return;
    pass(symbols).catch((e: unknown) => {
      if (!(e instanceof RuntimeError) || !e.retryable) return crash(e);
      failedPasses++;
      lastError = e.message;
      for (const s of symbols) soon(s, retryMs);
    });
  };
  // Passes never overlap: each sets and clears `reconciling`, and two could act on one difference.
  let chain: Promise<unknown> = Promise.resolve();
  const pass = (symbols?: readonly string[]): Promise<ReconcileReport> => {
    const run = chain.then(async () => {
      const rep = await reconcileOnce({ ...o, deferrals, mismatches, ...(symbols ? { symbols } : {}) });
      passes++;
      lastError = null;
      last = rep;
      o.onReport?.(rep);
      for (const s of rep.mismatched) if (mismatches.get(s)?.since === rep.ts) soon(s, grace);
      return rep;
    });
    chain = run.catch(() => undefined);
    return run;
  };
  const sub = o.bus.nc.subscribe(subjects.journal('reconcile'), {
    callback: (err, m) => {
      if (err || ended) return;
      try {
        const e = decode<JournalEntry>(m.data);
        if (e.symbol && e.data?.unknownFill === true) soon(e.symbol, o.promptMs ?? 250);
      } catch {
        // A malformed entry only loses the prompt pass; the periodic one still comes.
      }
    },
  });
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
      return retryMs;
    }
  };
  const loop = (delay: number) => {
    timer = o.clock.setTimeout(() => {
      if (ended) return;
      attempt().then(loop, crash);
    }, delay);
  };
  try {
    loop(await attempt());
  } catch (e) {
    sub.unsubscribe();
    throw e;
  }
  return {
    exited,
    stop: async () => end({ kind: 'shutdown' }),
    kill: () => end({ kind: 'shutdown' }),
    inject: (error: Error) => end({ kind: 'crash', error }),
    info: () => ({ passes, failedPasses, lastError, last: last ? { adopted: last.adopted.length, queried: last.queried.length, mismatched: last.mismatched, corrected: last.corrected } : null }),
    /** A pass now (after any running one), on `symbols` only when given. */
    runNow: (symbols?: readonly string[]) => pass(symbols),
  };
}
