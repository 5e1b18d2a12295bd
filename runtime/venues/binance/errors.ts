/**
 * Errors of the Binance adapter. Each says whether the request may have reached the venue, because
 * that decides between "retry", "query first" and "give up" for orders.
 */
import { RuntimeError } from '../../errors.js';

/** Why an order was refused before any request was sent. */
export type RefusalReason =
  | 'UNKNOWN_SYMBOL'
  | 'MISSING_FIELD'
  | 'UNEXPECTED_FIELD'
  | 'NOT_FINITE'
  | 'NOT_POSITIVE'
  | 'BELOW_MIN_QTY'
  | 'ABOVE_MAX_QTY'
  | 'BELOW_MIN_NOTIONAL'
  | 'PRICE_OUT_OF_RANGE'
  | 'WRONG_SIDE'
  | 'INVALID';

/**
 * The adapter refused an order locally: nothing was sent, so no order exists. Never retryable:
 * the same request is refused again (the old system's -4006 "Stop price less than zero" becomes this).
 */
export class OrderRefusedError extends RuntimeError {
  override name = 'OrderRefusedError';
  constructor(
    readonly reason: RefusalReason,
    readonly field: string,
    message: string,
    readonly clientOrderId?: string,
  ) {
    super(`order refused locally (${reason} on ${field}): ${message}`, { retryable: false });
  }
}

/** A definite business answer from the venue (4xx with a Binance code): the request was not executed. */
export class VenueRejectError extends RuntimeError {
  override name = 'VenueRejectError';
  constructor(
    readonly status: number,
    readonly code: number,
    readonly venueMsg: string,
    opts: { cause?: unknown } = {},
  ) {
    super(`venue rejected (${status} ${code}): ${venueMsg}`, { ...opts, retryable: false });
  }
}

/** Timeout, connection failure or 5xx: the request may or may not have been executed. */
export class VenueUnavailableError extends RuntimeError {
  override name = 'VenueUnavailableError';
  constructor(
    readonly kind: 'timeout' | 'network' | 'http5xx',
    message: string,
    readonly status?: number,
    opts: { cause?: unknown } = {},
  ) {
    super(message, { ...opts, retryable: true });
  }
}

/** 429/418 (-1003, -1015) or our own weight budget: nothing was executed; wait `retryAfterMs`. */
export class RateLimitedError extends RuntimeError {
  override name = 'RateLimitedError';
  constructor(
    readonly retryAfterMs: number,
    message: string,
    /** HTTP status when the venue said so; absent when our own budget refused. */
    readonly status?: number,
    /** Binance code: -1003 (IP weight) or -1015 (order count). */
    readonly code?: number,
    opts: { cause?: unknown } = {},
  ) {
    super(message, { ...opts, retryable: true });
  }
}

/** The circuit breaker is open: the request was not sent. */
export class CircuitOpenError extends RuntimeError {
  override name = 'CircuitOpenError';
  constructor(readonly breaker: string) {
    super(`circuit breaker '${breaker}' is open; request not sent`, { retryable: true });
  }
}

/** The adapter was closed. */
export class VenueClosedError extends RuntimeError {
  override name = 'VenueClosedError';
  constructor() {
    super('binance venue is closed', { retryable: false });
  }
}
