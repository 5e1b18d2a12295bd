/**
 * Outputs of one order: executor commands, order events and journal entries, each with a
 * deterministic msgId so that a re-emission (restore, replay) is deduplicated by JetStream.
 */
import {
  OUTPUT_EVENT, subjects,
  type JournalEntry, type OrderEvent, type OrderStatus, type OutputEvent, type SubmitCommand, type VenueReport,
} from '../../protocols/index.js';

/** Settings of one order. */
export interface OrderOptions {
  /** First status re-query of an in-flight order. @default 2000 */
  queryBaseMs: number;
  /** Re-query backoff ceiling. @default 30000 */
  queryMaxMs: number;
  /** A NOT_FOUND only proves absence this long after the place was sent. @default 5000 */
  processingWindowMs: number;
  /** Reconciliation queries one order may request for invalid reports. @default 3 */
  maxReconcileQueries: number;
  /** Trade ids remembered for duplicate detection. @default 1000 */
  maxTrades: number;
}

export const DEFAULT_ORDER_OPTIONS: OrderOptions = { queryBaseMs: 2_000, queryMaxMs: 30_000, processingWindowMs: 5_000, maxReconcileQueries: 3, maxTrades: 1_000 };

/** What the executor receives on `qt.order.<SYM>.exec`. */
export interface ExecCommand {
  op: 'place' | 'cancel' | 'query';
  command: SubmitCommand | { clientOrderId: string; symbol: string };
}

/** The part of an order's context that outputs are built from. */
export interface OrderView {
  command: SubmitCommand;
  status: OrderStatus;
  prev: OrderStatus | null;
  filledQty: number;
  avgPrice: number;
  reason: string | null;
  rejectCode?: number | null;
  refusal?: string | null;
  visits: Partial<Record<OrderStatus, number>>;
}

/** An executor command; `n` numbers the order's exec commands. */
export function execOut(cmd: SubmitCommand, op: ExecCommand['op'], n: number): OutputEvent {
  const data: ExecCommand = { op, command: op === 'place' ? cmd : { clientOrderId: cmd.clientOrderId, symbol: cmd.symbol } };
  return { type: OUTPUT_EVENT, subject: subjects.order(cmd.symbol, 'exec'), msgId: `exec:${cmd.clientOrderId}:${op}:${n}`, data };
}

/** The OrderEvent for the order's current view, plus its `order` journal entry (fills: {@link fillsOut}). */
export function eventOut(v: OrderView, at: number, fill?: VenueReport['fill']): OutputEvent[] {
  const c = v.command;
  const visit = v.visits[v.status] ?? 1;
  const msgId = `ev:${c.clientOrderId}:${v.status}:${v.filledQty}${fill ? `:${fill.tradeId}` : ''}${visit > 1 ? `:v${visit}` : ''}`;
  // Only a rejection carries its code: a later status of the same order (a query) must not inherit it.
  const why = v.status === 'rejected' ? { ...(typeof v.rejectCode === 'number' ? { code: v.rejectCode } : {}), ...(v.refusal ? { refusal: v.refusal } : {}) } : {};
  const ev: OrderEvent = {
    clientOrderId: c.clientOrderId, intentId: c.intentId, leg: c.leg, symbol: c.symbol, side: c.side,
    status: v.status, prev: v.prev, qty: c.qty ?? 0, filledQty: v.filledQty, avgPrice: v.avgPrice,
    ...(fill ? { fill } : {}), ...(v.reason ? { reason: v.reason } : {}), ...why, attribution: c.attribution, ts: at,
  };
  const out: OutputEvent[] = [{ type: OUTPUT_EVENT, subject: subjects.order(c.symbol, 'event'), msgId, data: ev }];
  const base = { ts: at, symbol: c.symbol, intentId: c.intentId, clientOrderId: c.clientOrderId, attribution: c.attribution };
  if (v.status !== v.prev) {
    const j: JournalEntry = {
      ...base, kind: 'order',
      summary: `${c.leg} ${c.side} ${c.orderType} ${c.qty ?? 'close'} ${c.symbol}: ${v.prev ?? 'new'} → ${v.status}${v.reason ? ` (${v.reason})` : ''}`,
      data: { status: v.status, prev: v.prev, filledQty: v.filledQty, avgPrice: v.avgPrice, leg: c.leg, reduceOnly: c.reduceOnly, ...(v.reason ? { reason: v.reason } : {}), ...why },
    };
    out.push({ type: OUTPUT_EVENT, subject: subjects.journal('order'), msgId: `j${msgId}`, data: j });
  }
  return out;
}

/**
 * What the journal's `fill` entries of one order add up to. `left` is quantity journaled from the
 * venue's cumulative figures alone (no trade seen yet), which later trade details explain.
 */
export interface JournaledFills {
  qty: number;
  notional: number;
  left: number;
}

const EPS = 1e-12;
const ex = (x: number) => (x === 0 ? 0 : Number(x.toPrecision(12)));

/**
 * The `fill` journal entries for an order that now stands at `v.filledQty` (avg `v.avgPrice`), with
 * `trade` the new trade this report carried, if any. Entries' `qty`, `qty × price` and `fee` are
 * additive, so the journal's sums equal the venue's:
 * - a trade for quantity not yet journaled is journaled as itself;
 * - quantity the venue reports filled without a trade (a REST/query FILLED while the user stream
 *   was down) is journaled from the cumulative figures, id `cum:<filledQty>`, at the price that
 *   makes the order's journaled notional match the venue's average;
 * - a trade that arrives later for quantity already journaled that way adds its detail and fee
 *   with `qty: 0` (`tradeQty` keeps its size), so nothing is counted twice.
 * Ids are deterministic (trade id, or order + cumulative qty): a re-emission is deduplicated.
 */
export function fillsOut(v: OrderView, j: JournaledFills, at: number, trade?: VenueReport['fill']): { out: OutputEvent[]; jrn: JournaledFills } {
  const c = v.command;
  const out: OutputEvent[] = [];
  const next = { ...j };
  const entry = (id: string | number, qty: number, price: number, fee: number, extra: Record<string, unknown>): void => {
    const data = { ...extra, tradeId: id, qty, price, fee, filledQty: v.filledQty, avgPrice: v.avgPrice, leg: c.leg };
    const summary = qty > 0
      ? `${c.side} ${qty} ${c.symbol} @ ${price} (${c.leg}; filled ${v.filledQty}/${c.qty ?? '?'}${extra['inferred'] ? '; from the venue totals, no trade seen yet' : ''})`
      : `trade ${id} (${String(extra['tradeQty'])} @ ${price}) details a fill already journaled from the venue totals`;
    const je: JournalEntry = { ts: at, symbol: c.symbol, intentId: c.intentId, clientOrderId: c.clientOrderId, attribution: c.attribution, kind: 'fill', summary, data };
    out.push({ type: OUTPUT_EVENT, subject: subjects.journal('fill'), msgId: `jf:${c.clientOrderId}:${id}`, data: je });
  };
  if (trade) {
    // Quantity the venue's totals already account for but the journal does not yet comes first.
    const fresh = ex(Math.min(trade.qty, Math.max(0, v.filledQty - next.qty)));
    const covered = Math.min(trade.qty - fresh, next.left);
    next.qty = ex(next.qty + fresh);
    next.notional = ex(next.notional + fresh * trade.price);
    next.left = ex(next.left - covered);
    entry(trade.tradeId, fresh, trade.price, trade.fee, { ...trade, ...(fresh + EPS < trade.qty ? { tradeQty: trade.qty } : {}) });
  }
  const rest = ex(v.filledQty - next.qty);
  if (rest > EPS && v.avgPrice > 0) {
    const implied = ex((v.avgPrice * v.filledQty - next.notional) / rest);
    const price = implied > 0 ? implied : v.avgPrice;
    entry(`cum:${v.filledQty}`, rest, price, 0, { inferred: true });
    next.qty = v.filledQty;
    next.notional = ex(next.notional + rest * price);
    next.left = ex(next.left + rest);
  }
  return { out, jrn: next };
}

/** A `reconcile` journal entry for a report that does not fit the table. */
export function reconcileOut(c: SubmitCommand, from: OrderStatus, to: string, r: VenueReport, n: number, at: number, querying: boolean): OutputEvent {
  const j: JournalEntry = {
    kind: 'reconcile', ts: at, symbol: c.symbol, intentId: c.intentId, clientOrderId: c.clientOrderId, attribution: c.attribution,
    summary: `invalid transition ${from} → ${to} from a ${r.source} ${r.status} report; not applied, ${querying ? 'status query requested' : 'query budget spent: needs reconciliation'}`,
    data: { from, to, report: r, querying },
  };
  return { type: OUTPUT_EVENT, subject: subjects.journal('reconcile'), msgId: `jrc:${c.clientOrderId}:${from}:${to}:${n}`, data: j };
}
