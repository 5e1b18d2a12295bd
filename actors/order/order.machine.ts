import { enqueueActions, setup } from 'xstate';
import { ORDER_STATUSES, type OrderStatus, type OutputEvent, type SubmitCommand, type VenueReport } from '../../protocols/index.js';
import { DEFAULT_ORDER_OPTIONS, eventOut, execOut, fillsOut, reconcileOut, type JournaledFills, type OrderOptions } from './effects.js';
import { classifyReport, CLOSED, exact, IN_FLIGHT, ORDER_TRANSITIONS, RESTORABLE, type ReportDecision } from './table.js';

export interface OrderInput {
  command: SubmitCommand;
  at: number;
  /** Hosted as a child: outputs go to the parent as `order.out` instead of being emitted. @default false */
  parented?: boolean;
  opts?: Partial<OrderOptions>;
}

export interface OrderContext {
  command: SubmitCommand;
  status: OrderStatus;
  prev: OrderStatus | null;
  beforePending: OrderStatus | null;
  filledQty: number;
  avgPrice: number;
  fees: number;
  trades: string[];
  /** What this order's `fill` journal entries add up to (absent in snapshots from before it existed). */
  jrn?: JournaledFills;
  orderId: string | number | null;
  reason: string | null;
  /** A rejection's venue code and local refusal kind (absent in snapshots from before they existed). */
  rejectCode?: number | null;
  refusal?: string | null;
  /** Exec commands emitted so far (the `n` of their msgIds). */
  execN: number;
  visits: Partial<Record<OrderStatus, number>>;
  sentAt: number | null;
  createdAt: number;
  updatedAt: number;
  /** Next status query of an in-flight order and its backoff. */
  query: { dueAt: number | null; delayMs: number };
  /** Reports that did not fit the table (newest last, ≤ 10). */
  invalid: Array<{ from: OrderStatus; to: string; status: string; source: string; at: number }>;
  reconcileQueries: number;
  /**
   * A cancel was asked for and not refused: until the order is closed its timer re-sends the cancel
   * (also after a fill that raced it). Absent in snapshots from before it existed: false.
   */
  cancelWanted?: boolean;
  parented: boolean;
  opts: OrderOptions;
}

/** Sent to the parent after every event a child handled. */
export interface OrderOutEvent {
  type: 'order.out';
  clientOrderId: string;
  outputs: OutputEvent[];
  status: OrderStatus;
  nextQueryAt: number | null;
  closed: boolean;
  at: number;
}

export type OrderMachineEvent =
  | { type: 'submit'; at: number }
  | { type: 'deny'; reason: string; at: number }
  | { type: 'cancel'; reason: string; at: number }
  /** The amend path: no venue op exists for it yet, but the table's pending_update edges are live. */
  | { type: 'update.request'; at: number }
  | { type: 'update.reject'; reason: string; at: number }
  /** The venue refused the cancel and the order works on: back to the state before pending_cancel. */
  | { type: 'cancel.reject'; reason: string; at: number }
  | { type: 'report'; report: VenueReport; at: number }
  | { type: 'query.due'; at: number };

type Ctx = OrderContext;
type Patch = Partial<Ctx>;

function fillNumbers(c: Ctx, r: VenueReport, newTrade: boolean): Patch {
  const fill = newTrade ? r.fill : undefined;
  const patch: Patch = {};
  if (fill) {
    patch.trades = [...c.trades, String(fill.tradeId)].slice(-c.opts.maxTrades);
    patch.fees = exact(c.fees + fill.fee);
  }
  if (r.orderId !== undefined) patch.orderId = r.orderId;
  // The venue's cumulative figures are authoritative; trades fill in when a source lacks them.
  if (r.executedQty > c.filledQty) {
    patch.filledQty = exact(r.executedQty);
    patch.avgPrice = r.avgPrice > 0 ? exact(r.avgPrice) : fill ? exact((c.avgPrice * c.filledQty + fill.price * fill.qty) / (c.filledQty + fill.qty)) : c.avgPrice;
  } else if (fill && r.executedQty === 0 && fill.qty > 0) {
    const q = exact(c.filledQty + fill.qty);
    patch.filledQty = q;
    patch.avgPrice = exact((c.avgPrice * c.filledQty + fill.price * fill.qty) / q);
  }
  return patch;
}

/**
 * Journals what this report added to the fills (see {@link fillsOut}). A snapshot from before the
 * ledger existed is taken as fully journaled: re-journaling it would count its fills twice.
 */
function journalFills(c: Ctx, patch: Patch, at: number, trade: VenueReport['fill'] | undefined, out: OutputEvent[]): JournaledFills {
  const prior = c.jrn ?? { qty: c.filledQty, notional: exact(c.filledQty * c.avgPrice), left: 0 };
  const j = fillsOut({ ...c, ...patch }, prior, at, trade);
  out.push(...j.out);
  return j.jrn;
}

function view(c: Ctx, r: VenueReport, at: number): ReportDecision {
  return classifyReport({ status: c.status, filledQty: c.filledQty, trades: c.trades, beforePending: c.beforePending, sentAt: c.sentAt, processingWindowMs: c.opts.processingWindowMs }, r, at);
}

/** Status change bookkeeping shared by every transition. */
function moveTo(c: Ctx, to: OrderStatus, at: number, reason: string | null): Patch {
  const inflight = IN_FLIGHT.includes(to);
  const pending = to === 'pending_cancel' || to === 'pending_update';
  return {
    status: to,
    prev: c.status,
    reason,
    visits: { ...c.visits, [to]: (c.visits[to] ?? 0) + 1 },
    updatedAt: at,
    beforePending: pending ? (c.status === 'pending_cancel' || c.status === 'pending_update' ? c.beforePending : c.status) : null,
    query: inflight ? (IN_FLIGHT.includes(c.status) && c.query.dueAt !== null ? c.query : { dueAt: at + c.opts.queryBaseMs, delayMs: c.opts.queryBaseMs }) : { dueAt: null, delayMs: c.opts.queryBaseMs },
  };
}

/**
 * One order as NautilusTrader's OrderStatus machine: one state per status, edges generated from
 * {@link ORDER_TRANSITIONS}. Venue reports are mapped by `classifyReport`; a report that does not
 * fit is never applied — it is recorded, journaled and answered with a status query. In-flight
 * orders keep a query deadline with backoff; the parent turns it into a host timer.
 */
export const orderMachine = setup({
  types: { context: {} as Ctx, events: {} as OrderMachineEvent, input: {} as OrderInput, emitted: {} as OutputEvent },
  guards: {
    beforeWas: ({ context }, params: { to: OrderStatus }) => context.beforePending === params.to,
    reportTo: ({ context, event }, params: { to: OrderStatus }) => {
      if (event.type !== 'report') return false;
      const d = view(context, event.report, event.at);
      return d.kind === 'apply' && d.to === params.to;
    },
  },
  actions: {
    handle: enqueueActions(({ context: c, event: e, enqueue }) => {
      let patch: Patch = {};
      const out: OutputEvent[] = [];
      const emitEvent = (next: Ctx, fill?: VenueReport['fill']) => out.push(...eventOut(next, e.at, fill));
      switch (e.type) {
        case 'submit': {
          patch = { ...moveTo(c, 'submitted', e.at, null), sentAt: e.at, execN: c.execN + 1 };
          out.push(execOut(c.command, 'place', c.execN));
          emitEvent({ ...c, ...patch });
          break;
        }
        case 'deny':
        case 'update.reject':
        case 'cancel.reject':
        case 'update.request': {
          const to = e.type === 'deny' ? 'denied' : e.type === 'update.request' ? 'pending_update' : c.beforePending!;
          patch = moveTo(c, to, e.at, 'reason' in e ? e.reason : null);
          if (e.type === 'cancel.reject') patch.cancelWanted = false;
          emitEvent({ ...c, ...patch });
          break;
        }
        case 'cancel': {
          if (c.status === 'initialized') {
            patch = moveTo(c, 'canceled', e.at, e.reason);
            emitEvent({ ...c, ...patch });
            break;
          }
          // A repeated cancel re-asks the venue but is not a new status.
          patch = { ...(c.status === 'pending_cancel' ? {} : moveTo(c, 'pending_cancel', e.at, e.reason)), execN: c.execN + 1, cancelWanted: true };
          out.push(execOut(c.command, 'cancel', c.execN));
          if (c.status !== 'pending_cancel') emitEvent({ ...c, ...patch });
          break;
        }
        case 'query.due': {
          // The cancel's answer is the order's state (a finished order is answered from a query), so a
          // wanted cancel is re-sent instead of queried: a lost cancel cannot leave the order working.
          const recancel = c.cancelWanted === true && !CLOSED.includes(c.status);
          if (!IN_FLIGHT.includes(c.status) && !recancel) {
            patch = { query: { dueAt: null, delayMs: c.opts.queryBaseMs } };
            break;
          }
          const delayMs = Math.min(c.opts.queryMaxMs, c.query.delayMs * 2);
          patch = { execN: c.execN + 1, query: { dueAt: e.at + delayMs, delayMs } };
          out.push(execOut(c.command, recancel ? 'cancel' : 'query', c.execN));
          break;
        }
        case 'report': {
          const r = e.report;
          const d = view(c, r, e.at);
          if (d.kind === 'apply') {
            const reason = d.reason ?? (r.status === 'REJECTED' ? (r.reason ?? `rejected${r.code !== undefined ? ` (${r.code})` : ''}`) : null);
            let from = c;
            if (d.via) {
              from = { ...c, ...moveTo(c, d.via, e.at, null) };
              emitEvent(from);
            }
            patch = { ...fillNumbers(c, r, d.newTrade), ...moveTo(from, d.to, e.at, reason) };
            if (d.to === 'rejected') Object.assign(patch, { rejectCode: r.code ?? null, refusal: r.refusal ?? null });
            // A fill that raced a pending cancel leaves the rest working: keep the cancel's timer.
            if (c.cancelWanted && !CLOSED.includes(d.to) && patch.query?.dueAt === null) patch.query = { dueAt: e.at + c.opts.queryBaseMs, delayMs: c.opts.queryBaseMs };
            emitEvent({ ...c, ...patch }, d.newTrade ? r.fill : undefined);
            patch.jrn = journalFills(c, patch, e.at, d.newTrade ? r.fill : undefined, out);
          } else if (d.kind === 'update') {
            patch = { ...fillNumbers(c, r, d.newTrade), prev: c.status, updatedAt: e.at };
            emitEvent({ ...c, ...patch }, d.newTrade ? r.fill : undefined);
            patch.jrn = journalFills(c, patch, e.at, d.newTrade ? r.fill : undefined, out);
          } else if (d.kind === 'inflight') {
            if (IN_FLIGHT.includes(c.status) && c.query.dueAt === null) patch = { query: { dueAt: e.at + c.opts.queryBaseMs, delayMs: c.opts.queryBaseMs } };
          } else if (d.kind === 'invalid') {
            const querying = c.reconcileQueries < c.opts.maxReconcileQueries;
            const entry = { from: c.status, to: d.to, status: r.status, source: r.source, at: e.at };
            patch = { invalid: [...c.invalid, entry].slice(-10), reconcileQueries: c.reconcileQueries + (querying ? 1 : 0) };
            out.push(reconcileOut(c.command, c.status, d.to, r, c.invalid.length + c.reconcileQueries, e.at, querying));
            if (querying) {
              patch.execN = c.execN + 1;
              out.push(execOut(c.command, 'query', c.execN));
            }
          }
          break;
        }
      }
      enqueue.assign(patch);
      const next = { ...c, ...patch };
      if (!c.parented) {
        for (const o of out) enqueue.emit(o);
        return;
      }
      const msg: OrderOutEvent = {
        type: 'order.out', clientOrderId: c.command.clientOrderId, outputs: out, status: next.status, nextQueryAt: next.query.dueAt, closed: CLOSED.includes(next.status), at: e.at,
      };
      enqueue.sendParent(msg);
    }),
  },
}).createMachine({
  id: 'order',
  context: ({ input }) => ({
    command: input.command, status: 'initialized', prev: null, beforePending: null, filledQty: 0, avgPrice: 0, fees: 0, trades: [], jrn: { qty: 0, notional: 0, left: 0 },
    orderId: null, reason: null, execN: 0, visits: { initialized: 1 }, sentAt: null, createdAt: input.at, updatedAt: input.at,
    query: { dueAt: null, delayMs: 0 }, invalid: [], reconcileQueries: 0, parented: input.parented ?? false,
    opts: { ...DEFAULT_ORDER_OPTIONS, ...input.opts },
  }),
  initial: 'initialized',
  states: Object.fromEntries(ORDER_STATUSES.map((s) => [s, stateConfig(s)])),
});

function stateConfig(s: OrderStatus): { on: Record<string, unknown> } {
  const edges = ORDER_TRANSITIONS[s];
  const pending = s === 'pending_cancel' || s === 'pending_update';
  // Report targets: the table, plus the previous state a failed cancel/modify restores.
  // From submitted, a report may also imply the venue's accept first (submitted → accepted → to).
  const reportTargets = [...new Set([...edges, ...(pending ? RESTORABLE : []), ...(s === 'submitted' ? ORDER_TRANSITIONS.accepted : [])])];
  const on: Record<string, unknown> = {
    report: [...reportTargets.map((to) => ({ guard: { type: 'reportTo', params: { to } }, target: to === s ? undefined : to, actions: 'handle' })), { actions: 'handle' }],
    'query.due': { actions: 'handle' },
  };
  if (s === 'initialized') {
    on['submit'] = { target: 'submitted', actions: 'handle' };
    on['deny'] = { target: 'denied', actions: 'handle' };
    on['cancel'] = { target: 'canceled', actions: 'handle' };
  } else if (edges.includes('pending_cancel')) {
    on['cancel'] = { target: 'pending_cancel', actions: 'handle' };
  }
  if (edges.includes('pending_update')) on['update.request'] = { target: 'pending_update', actions: 'handle' };
  if (pending) {
    on[s === 'pending_update' ? 'update.reject' : 'cancel.reject'] = RESTORABLE.map((to) => ({ guard: { type: 'beforeWas', params: { to } }, target: to, actions: 'handle' }));
  }
  return { on };
}
