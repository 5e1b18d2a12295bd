/**
 * NautilusTrader's OrderStatus transition table (DESIGN.md section 5) as data, plus the pure
 * mapping of a venue report onto it. The order machine is generated from this table, so the table
 * is the one place where an edge can be added or removed.
 */
import type { OrderStatus, VenueReport } from '../../protocols/index.js';

/** Allowed `from → to` pairs; any pair not listed is invalid and goes to reconciliation. */
export const ORDER_TRANSITIONS: Readonly<Record<OrderStatus, readonly OrderStatus[]>> = {
  initialized: ['submitted', 'denied', 'canceled', 'expired'],
  submitted: ['accepted', 'rejected', 'canceled', 'partially_filled', 'filled', 'pending_cancel', 'pending_update'],
  accepted: ['partially_filled', 'filled', 'triggered', 'pending_cancel', 'pending_update', 'canceled', 'expired', 'rejected'],
  triggered: ['partially_filled', 'filled', 'pending_cancel', 'pending_update', 'canceled', 'expired', 'rejected'],
  partially_filled: ['partially_filled', 'filled', 'pending_cancel', 'pending_update', 'canceled', 'expired', 'accepted'],
  pending_update: ['accepted', 'rejected', 'canceled', 'expired', 'triggered', 'partially_filled', 'filled', 'pending_cancel', 'pending_update'],
  pending_cancel: ['canceled', 'accepted', 'expired', 'partially_filled', 'filled', 'rejected', 'pending_cancel'],
  // A fill that raced the cancel: real on every venue.
  canceled: ['partially_filled', 'filled'],
  filled: [],
  rejected: [],
  expired: [],
  denied: [],
};

/** Whether the table allows `from → to`. */
export function canTransition(from: OrderStatus, to: OrderStatus): boolean {
  return ORDER_TRANSITIONS[from].includes(to);
}

/** Statuses the venue is still deciding about: a status query is re-issued until it settles them. */
export const IN_FLIGHT: readonly OrderStatus[] = ['submitted', 'pending_cancel', 'pending_update'];
/** Statuses after which the order is closed for us (canceled may still take a raced fill). */
export const CLOSED: readonly OrderStatus[] = ['filled', 'rejected', 'expired', 'denied', 'canceled'];
/** States a cancel/modify reject may restore (the previous state before pending_*). */
export const RESTORABLE: readonly OrderStatus[] = ['submitted', 'accepted', 'triggered', 'partially_filled'];

/** Exact decimal arithmetic for venue quantities and prices (12 significant digits, no float drift). */
export function exact(x: number): number {
  return x === 0 ? 0 : Number(x.toPrecision(12));
}

/** What the state of an order needs for classifying a report. */
export interface ReportView {
  status: OrderStatus;
  filledQty: number;
  trades: readonly string[];
  /** Status before pending_cancel / pending_update, restored when the cancel or modify failed. */
  beforePending: OrderStatus | null;
  /** Last time a place was known to be (possibly) sent; NOT_FOUND only proves absence after the window. */
  sentAt: number | null;
  processingWindowMs: number;
}

/** How a report applies to an order. */
export type ReportDecision =
  /** A transition the table (or a reject-restore) allows. */
  | { kind: 'apply'; to: OrderStatus; newTrade: boolean; restore: boolean; reason?: string; via?: 'accepted' }
  /** Same status, but more filled or a trade not seen before: update numbers, no transition. */
  | { kind: 'update'; newTrade: boolean }
  /** Nothing new (a duplicate or an older view of the order). */
  | { kind: 'noop' }
  /** Not settled yet (UNKNOWN, or NOT_FOUND inside the processing window): stays in flight. */
  | { kind: 'inflight' }
  /** Does not fit the table: not applied, reconciliation requested. */
  | { kind: 'invalid'; to: OrderStatus | 'not_found' };

const EPS = 1e-12;

function target(r: VenueReport, status: OrderStatus, beforePending: OrderStatus | null): OrderStatus {
  switch (r.status) {
    case 'NEW':
      if (r.triggered) return 'triggered';
      // A cancel/modify that failed leaves a triggered order triggered.
      if ((status === 'pending_cancel' || status === 'pending_update') && beforePending === 'triggered') return 'triggered';
      return status === 'triggered' ? 'triggered' : 'accepted';
    case 'PARTIALLY_FILLED':
      return 'partially_filled';
    case 'FILLED':
      return 'filled';
    case 'CANCELED':
      return 'canceled';
    case 'EXPIRED':
      return 'expired';
    default:
      return 'rejected';
  }
}

/** Maps a venue report onto the order's state: the one place where reports are interpreted. */
export function classifyReport(v: ReportView, r: VenueReport, at: number): ReportDecision {
  const newTrade = r.fill !== undefined && !v.trades.includes(String(r.fill.tradeId));
  if (r.status === 'UNKNOWN') return { kind: 'inflight' };
  if (r.status === 'NOT_FOUND') {
    const placing = v.status === 'submitted' || ((v.status === 'pending_cancel' || v.status === 'pending_update') && v.beforePending === 'submitted');
    if (placing) {
      if (v.sentAt !== null && at - v.sentAt >= v.processingWindowMs) {
        return { kind: 'apply', to: 'rejected', newTrade: false, restore: false, reason: `not found at the venue ${at - v.sentAt} ms after sending` };
      }
      return { kind: 'inflight' };
    }
    // Venues archive closed orders without fills; absence then says nothing new.
    if (v.status === 'rejected' || v.status === 'expired' || v.status === 'denied' || (v.status === 'canceled' && v.filledQty === 0)) return { kind: 'noop' };
    return { kind: 'invalid', to: 'not_found' };
  }
  const progress = r.executedQty > v.filledQty + EPS;
  // An older view of the order (less filled than we know): only its trade detail is news.
  if (r.executedQty + EPS < v.filledQty) return newTrade ? { kind: 'update', newTrade } : { kind: 'noop' };
  // Still open at the venue while our cancel is pending: the cancel has not taken effect (it was
  // lost, is still queued, or this is an older report). Restoring `accepted` would drop the cancel;
  // the order stays pending and its timer re-sends the cancel. A venue refusal is `cancel.reject`.
  if (v.status === 'pending_cancel' && r.status === 'NEW' && !progress) return newTrade ? { kind: 'update', newTrade } : { kind: 'inflight' };
  const to = target(r, v.status, v.beforePending);
  if (to === v.status) {
    if (to === 'partially_filled' && progress) return { kind: 'apply', to, newTrade, restore: false };
    return progress || newTrade ? { kind: 'update', newTrade } : { kind: 'noop' };
  }
  // A NEW seen again after a fill or trigger is an older view, not a step back.
  if (r.status === 'NEW' && !progress && (v.status === 'partially_filled' || v.status === 'triggered')) return { kind: 'noop' };
  const reason = r.reason;
  if (canTransition(v.status, to)) return { kind: 'apply', to, newTrade, restore: false, ...(reason ? { reason } : {}) };
  // The venue answered about an order we only knew as submitted (e.g. a MARKET order that expired at
  // once): it accepted the order first, so the valid path is submitted → accepted → to.
  if (v.status === 'submitted' && canTransition('accepted', to)) return { kind: 'apply', to, newTrade, restore: false, via: 'accepted', ...(reason ? { reason } : {}) };
  const pending = v.status === 'pending_cancel' || v.status === 'pending_update';
  if (pending && to === v.beforePending && RESTORABLE.includes(to)) return { kind: 'apply', to, newTrade, restore: true, ...(reason ? { reason } : {}) };
  return { kind: 'invalid', to };
}
