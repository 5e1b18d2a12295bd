import { enqueueActions, setup } from 'xstate';
import {
  DLQ_REASON_HEADER, OUTPUT_EVENT, subjects,
  type JournalEntry, type OrderCommand, type OrderStatus, type OutputEvent, type SubmitCommand, type Timers, type VenueReport,
} from '../../protocols/index.js';
import type { OrderOptions } from './effects.js';
import { orderMachine, type OrderOutEvent } from './order.machine.js';

type CancelCommand = Extract<OrderCommand, { type: 'cancel' }>;

export interface OrdersInput {
  symbol: string;
  /** Per-order settings (query backoff, processing window). */
  order?: Partial<OrderOptions>;
  /** Closed orders are dropped from memory this long after closing. @default 600000 (10 min) */
  pruneAfterMs?: number;
  /** Client order ids of pruned orders remembered, so a late duplicate submit cannot re-place them. @default 5000 */
  rememberClosed?: number;
}

/** One live (or recently closed) order: routing data only, the order itself is the child actor. */
export interface OrderEntry {
  status: OrderStatus;
  leg: SubmitCommand['leg'];
  intentId: string;
  closedAt: number | null;
}

export interface OrdersContext {
  symbol: string;
  order: Partial<OrderOptions>;
  pruneAfterMs: number;
  rememberClosed: number;
  orders: Record<string, OrderEntry>;
  /** Pruned client order ids, oldest first (bounded LRU). */
  done: string[];
  timers: Timers;
  stats: { submits: number; duplicates: number; cancels: number; reports: number; late: number; orphans: number; rejected: number };
}

export type OrdersEvent =
  | { type: 'submit'; command: SubmitCommand; at: number }
  | { type: 'cancel'; command: CancelCommand; at: number }
  | { type: 'report'; report: VenueReport; at: number }
  | { type: 'qt.timer'; name: string; dueAt: number; at: number }
  | { type: 'qt.fresh'; reason: string; at: number }
  | OrderOutEvent;

const QUERY = 'q:';
const PRUNE = 'prune';

function journal(symbol: string, at: number, msgId: string, summary: string, data: Record<string, unknown>, clientOrderId?: string): OutputEvent {
  const j: JournalEntry = { kind: 'reconcile', ts: at, symbol, ...(clientOrderId ? { clientOrderId } : {}), summary, data };
  return { type: OUTPUT_EVENT, subject: subjects.journal('reconcile'), msgId, data: j };
}

function withoutKey<V>(r: Record<string, V>, k: string): Record<string, V> {
  const { [k]: _gone, ...rest } = r;
  return rest;
}

/**
 * The orders of one symbol (hosted as `orders.<SYM>`): one spawned {@link orderMachine} per client
 * order id, persisted with this actor's snapshot. Submits are idempotent by client order id (also
 * after the order was pruned), reports are routed to their order, and each order's outputs
 * (exec commands, events, journal) are emitted here because only the root's emits reach the host.
 */
export const ordersMachine = setup({
  types: { context: {} as OrdersContext, events: {} as OrdersEvent, input: {} as OrdersInput, emitted: {} as OutputEvent },
  actors: { order: orderMachine },
  actions: {
    submit: enqueueActions(({ context: c, event: e, enqueue }) => {
      if (e.type !== 'submit') return;
      const cmd = e.command;
      if (cmd.symbol !== c.symbol) {
        enqueue.assign({ stats: { ...c.stats, rejected: c.stats.rejected + 1 } });
        enqueue.emit({ type: OUTPUT_EVENT, subject: subjects.dlq(`orders.${c.symbol}`), data: cmd, headers: { [DLQ_REASON_HEADER]: `submit for ${cmd.symbol} on ${c.symbol}'s orders actor` } });
        return;
      }
      const id = cmd.clientOrderId;
      if (c.orders[id] || c.done.includes(id)) {
        enqueue.assign({ stats: { ...c.stats, duplicates: c.stats.duplicates + 1 } });
        return;
      }
      enqueue.spawnChild('order', { id, input: { command: cmd, at: e.at, parented: true, opts: c.order } });
      enqueue.assign({
        orders: { ...c.orders, [id]: { status: 'initialized', leg: cmd.leg, intentId: cmd.intentId, closedAt: null } },
        stats: { ...c.stats, submits: c.stats.submits + 1 },
      });
      enqueue.sendTo(id, { type: 'submit', at: e.at });
    }),
    cancel: enqueueActions(({ context: c, event: e, enqueue }) => {
      if (e.type !== 'cancel') return;
      const id = e.command.clientOrderId;
      enqueue.assign({ stats: { ...c.stats, cancels: c.stats.cancels + 1 } });
      if (c.orders[id]) {
        enqueue.sendTo(id, { type: 'cancel', reason: e.command.reason, at: e.at });
      } else if (!c.done.includes(id)) {
        // Not ours (or lost with a dropped snapshot): cancelling is always safe, so ask the venue.
        enqueue.emit({ type: OUTPUT_EVENT, subject: subjects.order(c.symbol, 'exec'), msgId: `exec:${id}:cancel:u`, data: { op: 'cancel', command: { clientOrderId: id, symbol: c.symbol } } });
        enqueue.emit(journal(c.symbol, e.at, `jrc:cancel-unknown:${id}`, `cancel for unknown order ${id} sent to the venue`, { reason: e.command.reason }, id));
      }
    }),
    report: enqueueActions(({ context: c, event: e, enqueue }) => {
      if (e.type !== 'report') return;
      const r = e.report;
      const id = r.clientOrderId;
      if (c.orders[id]) {
        enqueue.assign({ stats: { ...c.stats, reports: c.stats.reports + 1 } });
        enqueue.sendTo(id, { type: 'report', report: r, at: e.at });
      } else if (c.done.includes(id)) {
        enqueue.assign({ stats: { ...c.stats, late: c.stats.late + 1 } });
      } else {
        enqueue.assign({ stats: { ...c.stats, orphans: c.stats.orphans + 1 } });
        // A fill nobody here placed (liquidation, ADL, an order by hand) moved the venue position
        // behind the position actor's back: `unknownFill` makes the reconciler look at the symbol
        // now rather than at its next periodic pass. Its own reports are left out: they answer a
        // pass already made, and re-triggering on them would loop.
        const unknownFill = r.executedQty > 0 && r.source !== 'reconcile';
        enqueue.emit(journal(c.symbol, e.at, `jrc:orphan:${id}:${r.status}:${r.executedQty}`, `${r.source} report ${r.status} for unknown order ${id}: reconciliation must adopt or cancel it`, { report: r, unknownFill }, id));
      }
    }),
    out: enqueueActions(({ context: c, event: e, enqueue }) => {
      if (e.type !== 'order.out') return;
      for (const o of e.outputs) enqueue.emit(o);
      const prev = c.orders[e.clientOrderId];
      if (!prev) return;
      const timers = { ...c.timers };
      const q = QUERY + e.clientOrderId;
      if (e.nextQueryAt !== null) timers[q] = e.nextQueryAt;
      else delete timers[q];
      const closedAt = e.closed ? (prev.closedAt ?? e.at) : null;
      if (closedAt !== null) timers[PRUNE] = Math.min(timers[PRUNE] ?? Infinity, closedAt + c.pruneAfterMs);
      enqueue.assign({ orders: { ...c.orders, [e.clientOrderId]: { ...prev, status: e.status, closedAt } }, timers });
    }),
    timer: enqueueActions(({ context: c, event: e, enqueue }) => {
      if (e.type !== 'qt.timer') return;
      if (e.name.startsWith(QUERY)) {
        const id = e.name.slice(QUERY.length);
        enqueue.assign({ timers: withoutKey(c.timers, e.name) });
        if (c.orders[id]) enqueue.sendTo(id, { type: 'query.due', at: e.at });
        return;
      }
      if (e.name !== PRUNE) {
        enqueue.assign({ timers: withoutKey(c.timers, e.name) });
        return;
      }
      const orders = { ...c.orders };
      const done = [...c.done];
      let next: number | undefined;
      for (const [id, o] of Object.entries(c.orders)) {
        if (o.closedAt === null) continue;
        if (e.at - o.closedAt >= c.pruneAfterMs) {
          enqueue.stopChild(id);
          delete orders[id];
          done.push(id);
        } else {
          next = Math.min(next ?? Infinity, o.closedAt + c.pruneAfterMs);
        }
      }
      const timers = withoutKey(c.timers, PRUNE);
      if (next !== undefined) timers[PRUNE] = next;
      enqueue.assign({ orders, done: done.slice(-c.rememberClosed), timers });
    }),
    fresh: enqueueActions(({ context: c, event: e, enqueue }) => {
      if (e.type !== 'qt.fresh') return;
      enqueue.emit(journal(c.symbol, e.at, `jrc:fresh:${c.symbol}:${e.at}`, `orders state of ${c.symbol} lost (${e.reason}): venue orders must be reconciled`, { reason: e.reason }));
    }),
  },
}).createMachine({
  id: 'orders',
  context: ({ input }) => ({
    symbol: input.symbol, order: input.order ?? {}, pruneAfterMs: input.pruneAfterMs ?? 600_000, rememberClosed: input.rememberClosed ?? 5_000,
    orders: {}, done: [], timers: {},
    stats: { submits: 0, duplicates: 0, cancels: 0, reports: 0, late: 0, orphans: 0, rejected: 0 },
  }),
  on: {
    submit: { actions: 'submit' },
    cancel: { actions: 'cancel' },
    report: { actions: 'report' },
    'order.out': { actions: 'out' },
    'qt.timer': { actions: 'timer' },
    'qt.fresh': { actions: 'fresh' },
  },
});
