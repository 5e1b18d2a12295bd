/**
 * REST transport: ccxt `binanceusdm` for signing, with its API bases pointed at the configured URL
 * (sim, testnet and live differ only there). We call ccxt's implicit raw endpoints so orders go to
 * /fapi/v1/order exactly as built, and we replace ccxt's error mapping with our own typed errors
 * because the decision that matters ("could this have executed?") needs the HTTP status and the
 * Binance code, which ccxt's exception classes blur.
 */
import { binanceusdm, NetworkError, RequestTimeout } from 'ccxt';
import type { Logger } from 'pino';
import type { Clock } from '../../clock/index.js';
import type { Breakers, BreakerName } from './breakers.js';
import { retryAfterMs, type WeightBudget, type WeightTier } from './budget.js';
import { CircuitOpenError, RateLimitedError, VenueRejectError, VenueUnavailableError } from './errors.js';

/** How a call may be repeated. */
export type RetryPolicy =
  /** GETs: retry 5xx/timeout/network with backoff, and 429 after Retry-After. */
  | 'idempotent'
  /** Writes: only a 429 (proof of non-execution) is retried; anything ambiguous goes back to the caller. */
  | 'rateLimitOnly';

/** One REST call. */
export interface CallSpec {
  breaker: BreakerName;
  /** REQUEST_WEIGHT of the endpoint (0 for order placement, which Binance counts separately). */
  weight: number;
  retry: RetryPolicy;
  /** Use the order client (shorter timeout) and the order pause of -1015. */
  order?: boolean;
  /**
   * How much of the minute's weight the call may use ({@link WeightTier}): `order` for placing,
   * settling or cancelling an order, `protect` for a stop's or take-profit's reference mark.
   * @default 'market'
   */
  tier?: WeightTier;
  /** For logs only. */
  what: string;
}

/** The transport. */
export interface Rest {
  call<T>(spec: CallSpec, fn: (ex: binanceusdm) => Promise<unknown>): Promise<T>;
}

type HandleErrors = (status: number, reason: string, url: string, method: string, headers: Record<string, string>, body: string, parsed: unknown) => unknown;

/** ccxt client with the API bases replaced (the same override the sim's ccxt test uses). */
export function createCcxt(o: { restUrl: string; apiKey: string; apiSecret: string; timeoutMs: number; onResponse: HandleErrors }): binanceusdm {
  const ex = new binanceusdm({
    apiKey: o.apiKey,
    secret: o.apiSecret,
    enableRateLimit: false,
    timeout: o.timeoutMs,
    options: { fetchCurrencies: false, adjustForTimeDifference: false, warnOnFetchOpenOrdersWithoutSymbol: false },
  });
  const api = ex.urls['api'] as Record<string, string>;
  for (const key of Object.keys(api)) {
    const m = /^fapi(?:Public|Private)(V\d)?$/.exec(key);
    if (m) api[key] = `${o.restUrl}/fapi/${(m[1] ?? 'v1').toLowerCase()}`;
  }
  api['fapiData'] = `${o.restUrl}/futures/data`;
  (ex as unknown as { handleErrors: HandleErrors }).handleErrors = o.onResponse;
  return ex;
}

/**
 * Binance's "the gateway lost the backend" answers: -1006 UNEXPECTED_RESP and -1007 TIMEOUT ("Send
 * status unknown; execution status unknown"), and HTTP 408. They come as 4xx (or even 200), yet
 * the order may well exist: read as a reject, an order that filled would be left live and untracked.
 */
const EXECUTION_UNKNOWN_CODES: ReadonlySet<number> = new Set([-1006, -1007]);

/** Turns one HTTP answer into a typed error (or nothing on success); also feeds the budget. */
export function responseHandler(budget: WeightBudget): HandleErrors {
  return (status, _reason, _url, _method, headers, body, parsed) => {
    budget.observe(headers);
    const p = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as { code?: unknown; msg?: unknown };
    const code = typeof p.code === 'number' ? p.code : Number(p.code ?? Number.NaN);
    const msg = typeof p.msg === 'string' ? p.msg : body.slice(0, 200);
    if (status === 429 || status === 418) {
      const wait = retryAfterMs(headers) ?? budget.untilNextMinute();
      throw new RateLimitedError(wait, `rate limited (${status} ${Number.isFinite(code) ? code : ''}): ${msg}`, status, Number.isFinite(code) ? code : undefined);
    }
    if (status === 408 || EXECUTION_UNKNOWN_CODES.has(code)) {
      throw new VenueUnavailableError('timeout', `venue ${status}${Number.isFinite(code) ? ` ${code}` : ''}, execution status unknown: ${msg}`, status);
    }
    if (status >= 500) throw new VenueUnavailableError('http5xx', `venue ${status}: ${msg}`, status);
    if (status >= 400) throw new VenueRejectError(status, Number.isFinite(code) ? code : 0, msg);
    // Binance reports a few failures as 200 with a negative code; none of them executed anything.
    if (Number.isFinite(code) && code < 0) throw new VenueRejectError(status, code, msg);
    return undefined;
  };
}

/** ccxt puts the signed URL in transport errors; a signature is replayable inside recvWindow, so it never reaches a log. */
const scrub = (msg: string): string => msg.replace(/signature=[0-9a-fA-F]+/g, 'signature=[REDACTED]');

/** Maps whatever ccxt threw to our error classes (the raw ccxt error is not kept: its message holds the signed URL). */
export function classify(err: unknown): Error {
  if (err instanceof VenueRejectError || err instanceof VenueUnavailableError || err instanceof RateLimitedError || err instanceof CircuitOpenError) return err;
  if (err instanceof RequestTimeout) return new VenueUnavailableError('timeout', scrub(err.message));
  if (err instanceof NetworkError) return new VenueUnavailableError('network', scrub(err.message));
  // Anything else (a body ccxt could not parse, a TypeError inside the transport) leaves the outcome unknown.
  const msg = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  return new VenueUnavailableError('network', scrub(msg));
}

/** Options of {@link createRest}. */
export interface RestOptions {
  restUrl: string;
  apiKey: string;
  apiSecret: string;
  requestTimeoutMs: number;
  orderTimeoutMs: number;
  retry: { attempts: number; baseDelayMs: number };
  clock: Clock;
  log: Logger;
  budget: WeightBudget;
  breakers: Breakers;
}

/** Builds the transport: budget → breaker → ccxt, with per-policy retries. */
export function createRest(o: RestOptions): Rest {
  const onResponse = responseHandler(o.budget);
  const data = createCcxt({ restUrl: o.restUrl, apiKey: o.apiKey, apiSecret: o.apiSecret, timeoutMs: o.requestTimeoutMs, onResponse });
  const orders = createCcxt({ restUrl: o.restUrl, apiKey: o.apiKey, apiSecret: o.apiSecret, timeoutMs: o.orderTimeoutMs, onResponse });
  const backoff = (attempt: number): number => o.retry.baseDelayMs * 2 ** (attempt - 1) * (0.75 + Math.random() * 0.5);

  return {
    async call<T>(spec: CallSpec, fn: (ex: binanceusdm) => Promise<unknown>): Promise<T> {
      const ex = spec.order ? orders : data;
      for (let attempt = 1; ; attempt++) {
        await o.budget.acquire(spec.weight, spec.order === true, spec.tier);
        try {
          return (await o.breakers.run(spec.breaker, () => fn(ex))) as T;
        } catch (raw) {
          const err = classify(raw);
          const more = attempt < o.retry.attempts;
          if (err instanceof RateLimitedError && err.status !== undefined) {
            // The venue proved nothing ran; pause everyone (or orders only for -1015) and try again.
            o.budget.penalize(err.retryAfterMs, err.code === -1015 ? 'orders' : 'all');
            o.log.warn({ what: spec.what, retryAfterMs: err.retryAfterMs, attempt }, 'binance rate limited; backing off');
            if (more) continue;
          } else if (err instanceof VenueUnavailableError && spec.retry === 'idempotent' && more) {
            o.log.warn({ what: spec.what, kind: err.kind, attempt }, 'binance request failed; retrying');
            await o.budget.wait(backoff(attempt));
            continue;
          }
          throw err;
        }
      }
    },
  };
}
