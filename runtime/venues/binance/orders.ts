/**
 * Order placement with ambiguity handling. A timeout, a connection failure or a 5xx on POST /order
 * does not tell us whether the order exists: it stays in flight (UNKNOWN) and we ask the venue by
 * clientOrderId. Only the venue's word rejects it: a 4xx business error, or "-2013 Order does not
 * exist" once the venue's processing window has passed. A re-send after proven absence reuses the
 * clientOrderId, so the venue's duplicate check (-4116) stands between us and a double order.
 */
import type { Logger } from 'pino';
import type { OrderRequest, SymbolRules, VenueOrder } from '../../../protocols/venue.js';
import type { Clock } from '../../clock/index.js';
import { VenueRejectError, VenueUnavailableError } from './errors.js';
import { buildOrderParams, needsReference, type OrderParams } from './guard.js';
import type { WireOrder } from './messages.js';
import { parseOrder } from './parse.js';
import type { Rest } from './rest.js';

/** What order placement needs from the rest of the adapter. */
export interface OrderDeps {
  readonly rest: Rest;
  readonly clock: Clock;
  readonly log: Logger;
  readonly venue: string;
  rules(symbol: string): Promise<SymbolRules>;
  /** Current mark price (fresh enough to judge a trigger's side); `protect` for a protective order. */
  mark(symbol: string, protect?: boolean): Promise<number>;
  readonly resolve: { attempts: number; baseDelayMs: number; maxDelayMs: number; processingWindowMs: number; placementAttempts: number };
}

const DUPLICATE_CLIENT_ID = -4116;
const NO_SUCH_ORDER = -2013;
const UNKNOWN_ORDER = -2011;

type Resolution = { kind: 'found'; order: VenueOrder } | { kind: 'absent' } | { kind: 'unknown'; last: string };

/** Fetches an order by clientOrderId; undefined when the venue says it does not exist. */
export async function getOrder(d: OrderDeps, symbol: string, clientOrderId: string): Promise<VenueOrder | undefined> {
  try {
    const w = await d.rest.call<WireOrder>({ breaker: 'account', weight: 1, retry: 'idempotent', what: 'getOrder', tier: 'order' }, (ex) =>
      ex.fapiPrivateGetOrder({ symbol, origClientOrderId: clientOrderId }),
    );
    return parseOrder(w, d.venue);
  } catch (err) {
    if (err instanceof VenueRejectError && err.code === NO_SUCH_ORDER) return undefined;
    throw err;
  }
}

function delay(d: OrderDeps, attempt: number): number {
  const base = Math.min(d.resolve.maxDelayMs, d.resolve.baseDelayMs * 2 ** attempt);
  return base * (0.75 + Math.random() * 0.5);
}

/** Asks the venue about an in-flight order until it answers for sure or the query budget runs out. */
async function resolveInFlight(d: OrderDeps, symbol: string, cid: string, sentAt: number): Promise<Resolution> {
  let last = 'no answer';
  for (let i = 0; i < d.resolve.attempts; i++) {
    if (i > 0) await d.clock.sleep(delay(d, i - 1));
    try {
      const o = await getOrder(d, symbol, cid);
      if (o) return { kind: 'found', order: o };
      const waited = d.clock.now() - sentAt;
      if (waited >= d.resolve.processingWindowMs) return { kind: 'absent' };
      last = '-2013 inside the processing window';
      // Absence inside the window proves nothing; look again once it has passed.
      await d.clock.sleep(d.resolve.processingWindowMs - waited);
    } catch (err) {
      last = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    }
  }
  return { kind: 'unknown', last };
}

function inFlight(d: OrderDeps, req: OrderRequest, p: OrderParams): VenueOrder {
  return {
    venue: d.venue,
    symbol: req.symbol,
    clientOrderId: req.clientOrderId,
    side: req.side,
    type: req.type,
    status: 'UNKNOWN',
    qty: Number(p['quantity'] ?? 0),
    filledQty: 0,
    avgPrice: 0,
    price: Number(p['price'] ?? 0),
    stopPrice: Number(p['stopPrice'] ?? 0),
    reduceOnly: p['reduceOnly'] === 'true',
    closePosition: p['closePosition'] === 'true',
    updateTime: d.clock.now(),
  };
}

function rejected(d: OrderDeps, req: OrderRequest, p: OrderParams, code: number, reason: string): VenueOrder {
  return { ...inFlight(d, req, p), status: 'REJECTED', reject: { source: 'venue', code, reason } };
}

/**
 * Places an order and returns its settled state. Throws only when nothing can exist at the venue:
 * OrderRefusedError (local checks), RateLimitedError and CircuitOpenError (not sent / not executed).
 * Every ambiguous outcome ends as the venue's own record, or UNKNOWN when the query budget ran out.
 */
export async function placeOrder(d: OrderDeps, req: OrderRequest): Promise<VenueOrder> {
  const rules = await d.rules(req.symbol);
  // Stops and take-profits reduce risk: their reference mark may use the top of the weight reserve.
  const ref = needsReference(req) ? await d.mark(req.symbol, req.reduceOnly === true || req.closePosition === true) : undefined;
  const params = buildOrderParams(req, rules, ref);
  const cid = req.clientOrderId;
  const log = d.log.child({ symbol: req.symbol, clientOrderId: cid, type: req.type });

  for (let attempt = 1; ; attempt++) {
    const sentAt = d.clock.now();
    try {
      const w = await d.rest.call<WireOrder>({ breaker: 'order', weight: 0, retry: 'rateLimitOnly', order: true, what: 'placeOrder' }, (ex) =>
        ex.fapiPrivatePostOrder({ ...params }),
      );
      return parseOrder(w, d.venue);
    } catch (err) {
      if (err instanceof VenueRejectError && err.code !== DUPLICATE_CLIENT_ID) {
        log.info({ code: err.code, msg: err.venueMsg }, 'order rejected by venue');
        return rejected(d, req, params, err.code, err.venueMsg);
      }
      if (!(err instanceof VenueRejectError) && !(err instanceof VenueUnavailableError)) throw err;
      // -4116: an earlier attempt (ours) exists; ambiguous outcomes: it may exist. Either way, ask.
      log.warn({ err: err.message, attempt }, 'order outcome unknown; resolving by clientOrderId');
      const r = await resolveInFlight(d, req.symbol, cid, sentAt);
      if (r.kind === 'found') return r.order;
      if (r.kind === 'unknown') {
        log.error({ last: r.last }, 'order still in flight after the query budget');
        return inFlight(d, req, params);
      }
      if (attempt >= d.resolve.placementAttempts) {
        return rejected(d, req, params, NO_SUCH_ORDER, `not at the venue after ${attempt} attempt(s); last: ${err.message}`);
      }
      log.warn({ attempt }, 'venue proved the order absent; re-sending with the same clientOrderId');
    }
  }
}

/**
 * Cancels by clientOrderId and returns the order's resulting state. An order that already finished
 * (-2011) or an ambiguous cancel is answered from a status query, so the caller always learns the truth.
 */
export async function cancelOrder(d: OrderDeps, symbol: string, clientOrderId: string): Promise<VenueOrder | undefined> {
  try {
    const w = await d.rest.call<WireOrder>({ breaker: 'order', weight: 1, retry: 'rateLimitOnly', order: true, what: 'cancelOrder', tier: 'order' }, (ex) =>
      ex.fapiPrivateDeleteOrder({ symbol, origClientOrderId: clientOrderId }),
    );
    return parseOrder(w, d.venue);
  } catch (err) {
    const finished = err instanceof VenueRejectError && (err.code === UNKNOWN_ORDER || err.code === NO_SUCH_ORDER);
    if (!finished && !(err instanceof VenueUnavailableError)) throw err;
    return getOrder(d, symbol, clientOrderId);
  }
}
