/**
 * The executor: the only code that sends orders to the venue. It consumes the orders actors'
 * `qt.order.<SYM>.exec` commands and answers each with a VenueReport on `qt.order.<SYM>.report`.
 *
 * Policy for "not sent" errors (rate limit, open circuit, venue closed): nothing reached the venue,
 * so the command is retried in place (same client order id) with backoff for up to
 * `notSentGiveUpMs`. Retrying in place — rather than nak-with-delay — keeps the commands of one
 * symbol in order, so a status query can never overtake the place it asks about. When the budget is
 * spent a place is answered REJECTED `not sent: …` only if this process made every attempt
 * (first delivery): the command is then acked and never sent, which proves no order exists. A
 * redelivered place may have been sent by a crashed predecessor, so it is answered UNKNOWN instead
 * and the order machine keeps querying. Every place thus ends in a report: never silently pending.
 *
 * It starts only on a one-way-mode account, and an entry goes out only once the venue holds its
 * leverage (runtime/trading/leverage.ts); protective orders never wait for that.
 */
import { AckPolicy, DeliverPolicy, type ConsumerMessages, type JsMsg } from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import { z } from 'zod';
import {
  DLQ_REASON_HEADER, DLQ_SOURCE_HEADER, OrderCommandSchema, STREAMS, subjects,
  type SubmitCommand, type VenueOrder, type VenueReport,
} from '../../protocols/index.js';
import type { Clock } from '../clock/index.js';
import { decode, encode, msgHeaders } from '../codec.js';
import { InjectedCrash, RuntimeError } from '../errors.js';
import { ensureDurable, type Bus } from '../nats/index.js';
import { OrderRefusedError } from '../venues/binance/errors.js';
import type { BinanceVenue } from '../venues/binance/types.js';
import { createLeverageGuard, LeverageRejectedError, requireOneWayMode, requireQuoteFees, requireSingleAssetMode } from './leverage.js';
import { orderRequest } from './order-request.js';
import { createOrderPacer, type PacePriority, type PacerOptions } from './pacer.js';

export type WorkerExit = { kind: 'normal' } | { kind: 'shutdown' } | { kind: 'crash'; error: Error };

/** A supervised worker (structurally a supervisor ChildHandle). */
export interface TradingWorker {
  readonly exited: Promise<WorkerExit>;
  stop(): Promise<void>;
  kill(): void;
  inject(error: Error): void;
  info(): Record<string, unknown>;
}

export interface ExecutorOptions {
  bus: Bus;
  venue: Pick<BinanceVenue, 'venue' | 'placeOrder' | 'cancelOrder' | 'getOrder' | 'setLeverage' | 'positionMode' | 'feeBurn' | 'multiAssetsMargin'>;
  /** Leverage of entries, set on the venue before a symbol's first entry (`strategy.leverage`). @default 3 */
  leverage?: number;
  clock: Clock;
  logger: Logger;
  /** @default 'qt_executor' */
  durable?: string;
  /** How long a command that could not be sent is retried before it is given up. @default 20000 */
  notSentGiveUpMs?: number;
  /** @default 250 */
  retryBaseMs?: number;
  /** @default 5000 */
  retryMaxMs?: number;
  /** A new consumer starts this far back, so commands emitted just before the first start run. @default 60000 */
  replayWindowMs?: number;
  /** Commands held at once (queued per symbol and for order capacity). @default 20000 */
  maxAckPending?: number;
  /** @default 30 */
  ackWaitSec?: number;
  /**
   * A place command older than this (JetStream time) is refused, not sent: the order machine
   * declares an order that the venue never saw dead after its processing window (5 s), so a place
   * executed later would be a live order nobody tracks. @default 4000
   */
  maxPlaceAgeMs?: number;
  /**
   * An entry still waiting for order capacity this long after its command was stored is refused
   * (not sent): the risk verdict and the price it was sized at are that old. Protective orders are
   * never refused for waiting. @default 10000
   */
  maxEntryWaitMs?: number;
  /** Order-count pacing, protective orders first (runtime/trading/pacer.ts). @default Binance's limits × 0.8 */
  pacer?: PacerOptions;
}

const ExecSchema = z.strictObject({
  op: z.enum(['place', 'cancel', 'query']),
  command: z.union([OrderCommandSchema, z.strictObject({ clientOrderId: z.string().min(1), symbol: z.string() })]),
});

/** Pacing tier of a new order: stop-losses and market exits first, then take-profits, then entries. */
export function paceTier(c: SubmitCommand): PacePriority {
  if (!c.reduceOnly && !c.closePosition) return 'entry';
  return c.orderType === 'STOP_MARKET' || c.orderType === 'TRAILING_STOP_MARKET' || c.orderType === 'MARKET' ? 'stop' : 'reduce';
}

/** Venue view of an order → the report the orders actor consumes. */
export function orderReport(o: VenueOrder, source: VenueReport['source'], ts: number): VenueReport {
  return {
    type: 'report', source, clientOrderId: o.clientOrderId, symbol: o.symbol, status: o.status,
    ...(o.orderId !== undefined ? { orderId: o.orderId } : {}),
    executedQty: o.filledQty, avgPrice: o.avgPrice,
    ...(o.reject ? { reason: o.reject.reason, code: o.reject.code } : {}),
    ts: o.updateTime || ts,
  };
}

/** The client order id of a command (before validation: only to order its handling), '' when absent. */
function orderIdOf(data: unknown): string {
  const id = typeof data === 'object' && data !== null ? (data as { command?: { clientOrderId?: unknown } }).command?.clientOrderId : undefined;
  return typeof id === 'string' ? id : '';
}

/** The client order id of a status query (before validation: only for counting queued copies). */
function queryIdOf(data: unknown): string | undefined {
  const id = orderIdOf(data);
  return id && (data as { op?: unknown }).op === 'query' ? id : undefined;
}

/** Deterministic msgId of a report: the same venue fact published twice is stored once. */
export function reportMsgId(r: VenueReport): string {
  return `rep:${r.clientOrderId}:${r.status}:${r.executedQty}${r.fill ? `:${r.fill.tradeId}` : ''}`;
}

/** Publishes a report on `qt.order.<SYM>.report`. */
export async function publishReport(bus: Bus, r: VenueReport): Promise<void> {
  await bus.js.publish(subjects.order(r.symbol, 'report'), encode(r), { msgID: reportMsgId(r), headers: msgHeaders() });
}

class Abandoned extends RuntimeError {
  override name = 'Abandoned';
}

/** Starts the executor on a durable consumer of `qt.order.*.exec`. */
export async function startExecutor(o: ExecutorOptions): Promise<TradingWorker & { leverageObserved(symbol: string, leverage: number): void }> {
  const { bus, venue, clock } = o;
  const log = o.logger.child({ component: 'executor', venue: venue.venue });
  // Before anything else: on a hedge-mode or BNB-fee account not one command is taken.
  await requireOneWayMode(venue, log);
  await requireQuoteFees(venue, log);
  await requireSingleAssetMode(venue, log);
  const durable = o.durable ?? 'qt_executor';
  const giveUpMs = o.notSentGiveUpMs ?? 20_000;
  const baseMs = o.retryBaseMs ?? 250;
  const maxMs = o.retryMaxMs ?? 5_000;
  let resolveExit!: (e: WorkerExit) => void;
  const exited = new Promise<WorkerExit>((r) => (resolveExit = r));
  let ended = false;
  const chains = new Map<string, Promise<void>>();
  const held = new Set<JsMsg>();
  let keepAlive: ReturnType<typeof setInterval> | undefined;
  const counts = { place: 0, cancel: 0, query: 0, coalesced: 0, reports: 0, dlq: 0, notSent: 0, pending: 0 };
  // Status queries queued per client order id. An order held behind its place (pacing, a slow
  // venue) is queried again on its timer: 2, 4, 8 … s. At 500 symbols those copies piled up behind
  // the places and then each cost request weight: 4,000 queries for 1,175 orders in 4 minutes.
  // Only the last queued copy is sent; it reads the venue after every earlier one would have.
  const queuedQueries = new Map<string, number>();
  const pacer = createOrderPacer(o.pacer);
  const leverage = createLeverageGuard(venue, log);
  const entryLeverage = o.leverage ?? 3;

  const end = (e: WorkerExit) => {
    if (ended) return;
    ended = true;
    pacer.close(new Abandoned('executor stopping'));
    clearInterval(keepAlive);
    void sub?.stop();
    if (e.kind === 'crash') log.warn({ err: e.error }, 'executor crashed');
    resolveExit(e);
  };
  const fail = (e: unknown) => end({ kind: 'crash', error: e instanceof Error ? e : new RuntimeError(String(e)) });

  /** Runs `call` until it stops throwing "not sent" errors, or the give-up budget is spent. */
  async function retrying<T>(m: JsMsg, what: string, call: () => Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: Error }> {
    const started = clock.now();
    for (let attempt = 0; ; attempt++) {
      if (ended) throw new Abandoned(`${what}: executor stopping`);
      try {
        return { ok: true, value: await call() };
      } catch (err) {
        if (err instanceof OrderRefusedError || err instanceof LeverageRejectedError) throw err;
        const error = err instanceof Error ? err : new RuntimeError(String(err));
        const hint = (err as { retryAfterMs?: number }).retryAfterMs;
        const wait = Math.min(maxMs, Math.max(hint ?? 0, baseMs * 2 ** attempt));
        if (clock.now() - started + wait > giveUpMs) return { ok: false, error };
        log.warn({ what, attempt, err: error.message, wait }, 'venue call not executed; retrying with the same client order id');
        m.working();
        await clock.sleep(wait);
      }
    }
  }

  async function execute(m: JsMsg, receivedAt: number, op: 'place' | 'cancel' | 'query', cmd: { clientOrderId: string; symbol: string }, submit?: SubmitCommand): Promise<VenueReport | undefined> {
    const now = () => clock.now();
    const base = { type: 'report' as const, clientOrderId: cmd.clientOrderId, symbol: cmd.symbol, executedQty: 0, avgPrice: 0 };
    counts[op]++;
    if (op === 'place') {
      // Age when it reached this executor: a command replayed after a restart. Time spent queued
      // here behind its symbol's earlier commands or the pacer is ours, and does not count.
      const stored = m.info.timestampNanos / 1e6;
      const age = receivedAt - stored;
      if (age > (o.maxPlaceAgeMs ?? 4_000)) {
        counts.notSent++;
        log.warn({ clientOrderId: cmd.clientOrderId, ageMs: Math.round(age) }, 'stale place command refused (not sent)');
        return { ...base, source: 'rest', status: 'REJECTED', reason: `not sent: place command ${Math.round(age)} ms old (beyond the processing window)`, code: 0, ts: now() };
      }
      const notSent = (error: Error): VenueReport => {
        counts.notSent++;
        const code = (error as { code?: number }).code;
        if (m.info.deliveryCount === 1) {
          const refused = error instanceof OrderRefusedError ? { code: 0, refusal: error.reason } : code !== undefined ? { code } : {};
          return { ...base, source: 'rest', status: 'REJECTED', reason: `not sent: ${error.message}`, ...refused, ts: now() };
        }
        return { ...base, source: 'rest', status: 'UNKNOWN', reason: `not sent by this delivery (${error.message}); an earlier one may have been`, ts: now() };
      };
      try {
        // Queries of this order wait in its chain behind its place, so pacing cannot let a
        // NOT_FOUND overtake it; a stop or take-profit goes ahead of every waiting entry.
        const tier = paceTier(submit!);
        if (tier === 'entry') {
          // Unknown (timeout, 5xx, open breaker) is retried like any unsent call; the entry never
          // goes out at a leverage the venue has not confirmed.
          const lev = await retrying(m, `leverage ${cmd.symbol} ${entryLeverage}x`, () => leverage.ensure(cmd.symbol, entryLeverage));
          if (!lev.ok) return notSent(new RuntimeError(`leverage ${entryLeverage}x on ${cmd.symbol} not confirmed by the venue: ${lev.error.message}`));
        }
        // An entry late for its deadline is refused without spending the send it never makes.
        const granted = await pacer.acquire(tier, tier === 'entry' ? stored + (o.maxEntryWaitMs ?? 10_000) : Infinity);
        const waited = Date.now() - stored;
        if (granted === null) {
          counts.notSent++;
          log.warn({ clientOrderId: cmd.clientOrderId, waitedMs: Math.round(waited) }, 'entry waited too long for order capacity; refused (not sent)');
          return { ...base, source: 'rest', status: 'REJECTED', reason: `not sent: entry waited ${Math.round(waited)} ms for order capacity (protective orders go first)`, code: 0, ts: now() };
        }
        const r = await retrying(m, `place ${cmd.clientOrderId}`, () => venue.placeOrder(orderRequest(submit!)));
        if (r.ok) return orderReport(r.value, 'rest', now());
        return notSent(r.error);
      } catch (err) {
        if (err instanceof LeverageRejectedError) {
          log.warn({ clientOrderId: cmd.clientOrderId, symbol: cmd.symbol, leverage: err.leverage, code: err.code }, 'entry not sent: the venue refused its leverage');
          // Only this process's own first try proves no earlier delivery placed the order.
          if (m.info.deliveryCount > 1) return notSent(err);
          counts.notSent++;
          return { ...base, source: 'rest', status: 'REJECTED', reason: err.message, code: err.code, ts: now() };
        }
        if (!(err instanceof OrderRefusedError)) throw err;
        // A local refusal is proof: nothing was sent, so nothing exists at the venue.
        return { ...base, source: 'rest', status: 'REJECTED', reason: err.message, code: 0, refusal: err.reason, ts: now() };
      }
    }
    const r = await retrying(m, `${op} ${cmd.clientOrderId}`, () =>
      op === 'cancel' ? venue.cancelOrder(cmd.symbol, cmd.clientOrderId) : venue.getOrder(cmd.symbol, cmd.clientOrderId),
    );
    // A failed cancel or query leaves the order in flight: the order machine's timer asks again.
    if (!r.ok) {
      log.warn({ op, clientOrderId: cmd.clientOrderId, err: r.error.message }, 'venue unavailable; the order stays in flight');
      return undefined;
    }
    if (!r.value) return { ...base, source: 'query', status: 'NOT_FOUND', ts: now() };
    return orderReport(r.value, op === 'cancel' ? 'rest' : 'query', now());
  }

  async function handle(m: JsMsg, receivedAt: number, data: unknown, queryId: string | undefined): Promise<void> {
    let later = 0;
    if (queryId !== undefined) {
      later = (queuedQueries.get(queryId) ?? 1) - 1;
      if (later > 0) queuedQueries.set(queryId, later);
      else queuedQueries.delete(queryId);
    }
    let parsed: z.infer<typeof ExecSchema>;
    try {
      if (data instanceof Error) throw new RuntimeError(`undecodable exec command: ${data.message}`);
      const r = ExecSchema.safeParse(data);
      if (!r.success) throw new RuntimeError(`malformed exec command: ${r.error.issues.slice(0, 3).map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
      parsed = r.data;
      const symbol = m.subject.split('.')[2];
      if (parsed.command.symbol !== symbol) throw new RuntimeError(`exec for ${parsed.command.symbol} on ${symbol}'s subject`);
      if (parsed.op === 'place' && (!('type' in parsed.command) || parsed.command.type !== 'submit')) throw new RuntimeError('place without a submit command');
    } catch (err) {
      counts.dlq++;
      const reason = (err as Error).message.slice(0, 1024).replace(/[\r\n]+/g, ' ');
      await bus.js.publish(subjects.dlq('executor'), m.data, {
        msgID: `dlq:executor:${m.seq}`, headers: msgHeaders({ [DLQ_REASON_HEADER]: reason, [DLQ_SOURCE_HEADER]: m.subject }),
      });
      m.ack();
      return;
    }
    if (parsed.op === 'query' && later > 0) {
      counts.coalesced++;
      m.ack();
      return;
    }
    const cmd = parsed.command;
    const submit = 'type' in cmd && cmd.type === 'submit' ? cmd : undefined;
    const report = await execute(m, receivedAt, parsed.op, cmd, submit);
    if (report) {
      await publishReport(bus, report);
      counts.reports++;
    }
    m.ack();
  }

  const maxAckPending = o.maxAckPending ?? 20_000;
  const ackWaitMs = (o.ackWaitSec ?? 30) * 1_000;
  // The start time only matters at creation: an existing durable keeps its position.
  await ensureDurable(bus, STREAMS.orders, {
    durable_name: durable,
    filter_subject: subjects.orderEach('exec'),
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.StartTime,
    opt_start_time: new Date(clock.now() - (o.replayWindowMs ?? 60_000)).toISOString(),
    max_ack_pending: maxAckPending,
    ack_wait: nanos(ackWaitMs),
  }, log);
  const consumer = await bus.js.consumers.get(STREAMS.orders, durable);
  // Commands queued here (behind their symbol's earlier ones, or for order capacity) are still
  // being worked on: without this the server redelivers them after ack_wait, and the copy is
  // judged by its age while the original is about to be sent.
  keepAlive = setInterval(() => {
    for (const m of held) m.working();
  }, Math.max(100, ackWaitMs / 3));
  keepAlive.unref();
  const sub: ConsumerMessages = await consumer.consume({
    max_messages: Math.min(maxAckPending, 1_000),
    callback: (m) => {
      if (ended) return;
      const symbol = m.subject.split('.')[2] ?? '';
      const receivedAt = Date.now();
      counts.pending++;
      held.add(m);
      let data: unknown;
      try {
        data = decode(m.data);
      } catch (e) {
        data = e instanceof Error ? e : new Error(String(e));
      }
      const queryId = queryIdOf(data);
      if (queryId !== undefined) queuedQueries.set(queryId, (queuedQueries.get(queryId) ?? 0) + 1);
      // Per order in order (a query or cancel never overtakes its place); orders run in parallel.
      // Chained per symbol, a stop waited behind its entry's status query, and that query behind
      // the minute's request weight: 45 s unprotected at 500 symbols during the warm-up.
      const key = `${symbol}:${orderIdOf(data)}`;
      const next = (chains.get(key) ?? Promise.resolve()).then(() => (ended ? undefined : handle(m, receivedAt, data, queryId))).finally(() => (counts.pending--, held.delete(m)));
      const tail = next.catch(() => undefined);
      chains.set(key, tail);
      void tail.then(() => chains.get(key) === tail && chains.delete(key));
      next.catch((e: unknown) => (e instanceof Abandoned ? undefined : fail(e)));
    },
  });
  void (async () => {
    for await (const s of sub.status()) {
      if (s.type === 'consumer_deleted' || s.type === 'consumer_not_found' || s.type === 'stream_not_found') {
        fail(new RuntimeError(`executor consumer: ${s.type}`, { retryable: true }));
      }
    }
  })().catch(() => undefined);

  return {
    exited,
    async stop() {
      if (ended) return;
      await sub.close().catch(() => undefined);
      end({ kind: 'shutdown' });
      // In-progress venue calls finish (or abandon their retries) before stop resolves; unacked
      // commands are redelivered to the next executor.
      await Promise.all(chains.values());
    },
    kill: () => end({ kind: 'shutdown' }),
    inject: (e: Error) => fail(e instanceof Error ? e : new InjectedCrash()),
    info: () => ({ durable, ...counts, pacing: pacer.waiting(), leverage: leverage.known() }),
    leverageObserved: (symbol: string, lev: number) => leverage.observed(symbol, lev),
  };
}
