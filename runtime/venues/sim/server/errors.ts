/**
 * Binance-shaped API errors. Every failure the server returns goes through {@link BinanceApiError}
 * so the wire body is always `{code, msg}` with the HTTP status Binance would use.
 */

/** An error answered to the client as `{code, msg}` with `status`. */
export class BinanceApiError extends Error {
  override readonly name = 'BinanceApiError';
  /** Whether a client may retry the same request unchanged (5xx, 429). */
  readonly retryable: boolean;
  constructor(
    readonly code: number,
    msg: string,
    readonly status = statusFor(code),
    readonly headers: Record<string, string> = {},
    options?: { cause?: unknown },
  ) {
    super(msg, options);
    this.retryable = status >= 500 || status === 429;
  }

  /** The JSON body Binance sends. */
  body(): { code: number; msg: string } {
    return { code: this.code, msg: this.message };
  }
}

/** Binance answers bad API keys with 401 and everything else in the -1xxx/-2xxx/-4xxx ranges with 400. */
export function statusFor(code: number): number {
  if (code === -2014 || code === -2015) return 401;
  if (code === -1003) return 429;
  if (code === -1001 || code === -1000) return 500;
  return 400;
}

/** Factories for the errors the server emits, with Binance's exact messages. */
export const apiErrors = {
  internal: (status = 503) =>
    new BinanceApiError(-1001, 'Internal error; unable to process your request. Please try again.', status),
  unknown: () => new BinanceApiError(-1000, 'An unknown error occured while processing the request.', 500),
  tooManyRequests: (limit: number, retryAfterSec: number) =>
    new BinanceApiError(
      -1003,
      `Too many requests; current limit is ${limit} requests per minute. Please use the websocket for live updates to avoid polling the API.`,
      429,
      { 'Retry-After': String(retryAfterSec) },
    ),
  banned: (untilMs: number, retryAfterSec: number) =>
    new BinanceApiError(-1003, `Way too many requests; IP banned until ${untilMs}. Please use the websocket for live updates to avoid bans.`, 418, {
      'Retry-After': String(retryAfterSec),
    }),
  tooManyOrders: (limit: number, interval: 'MINUTE' | 'TEN_SECONDS', retryAfterSec: number) =>
    new BinanceApiError(-1015, `Too many new orders; current limit is ${limit} orders per ${interval}.`, 429, {
      'Retry-After': String(retryAfterSec),
    }),
  /**
   * The gateway lost track of the backend: the request may or may not have executed (-1006
   * UNEXPECTED_RESP, -1007 TIMEOUT). Binance sends these with 408 or 5xx, and clients must not read
   * them as a reject.
   */
  executionUnknown: (code: -1006 | -1007, status = 408) =>
    new BinanceApiError(
      code,
      code === -1006
        ? 'An unexpected response was received from the message bus. Execution status unknown.'
        : 'Timeout waiting for response from backend server. Send status unknown; execution status unknown.',
      status,
    ),
  unauthorized: () => new BinanceApiError(-1002, 'You are not authorized to execute this request.', 401),
  timestampOutside: () => new BinanceApiError(-1021, 'Timestamp for this request is outside of the recvWindow.'),
  timestampAhead: () => new BinanceApiError(-1021, "Timestamp for this request was 1000ms ahead of the server's time."),
  badSignature: () => new BinanceApiError(-1022, 'Signature for this request is not valid.'),
  duplicateParam: () => new BinanceApiError(-1101, 'Duplicate values for a parameter detected.'),
  mandatory: (name: string) =>
    new BinanceApiError(-1102, `Mandatory parameter '${name}' was not sent, was empty/null, or malformed.`),
  notRequired: (name: string) => new BinanceApiError(-1106, `Parameter '${name}' sent when not required.`),
  invalidOrderType: () => new BinanceApiError(-1116, 'Invalid orderType.'),
  invalidSide: () => new BinanceApiError(-1117, 'Invalid side.'),
  badSymbol: () => new BinanceApiError(-1121, 'Invalid symbol.'),
  badInterval: () => new BinanceApiError(-1120, 'Invalid interval.'),
  invalidListenKey: () => new BinanceApiError(-1125, 'This listenKey does not exist.'),
  invalidParam: (name: string) => new BinanceApiError(-1130, `Data sent for parameter '${name}' is not valid.`),
  badRecvWindow: () => new BinanceApiError(-1131, 'recvWindow must be less than 60000'),
  unknownOrder: () => new BinanceApiError(-2011, 'Unknown order sent.'),
  noSuchOrder: () => new BinanceApiError(-2013, 'Order does not exist.'),
  apiKeyFormat: () => new BinanceApiError(-2014, 'API-key format invalid.'),
  rejectedKey: () => new BinanceApiError(-2015, 'Invalid API-key, IP, or permissions for action.'),
  marginInsufficient: () => new BinanceApiError(-2019, 'Margin is insufficient.'),
  noNeedMarginType: () => new BinanceApiError(-4046, 'No need to change margin type.'),
  noNeedPositionSide: () => new BinanceApiError(-4059, 'No need to change position side.'),
  hedgeUnsupported: () =>
    new BinanceApiError(-4061, "Order's position side does not match user's setting."),
  invalidLeverage: (v: string) => new BinanceApiError(-4028, `Leverage ${v} is not valid`),
  notFound: () => new BinanceApiError(-1000, 'Path not found.', 404),
} as const;

/** Turns anything thrown inside a handler into a wire error; unknown throwables become -1000/500. */
export function toApiError(err: unknown): BinanceApiError {
  if (err instanceof BinanceApiError) return err;
  const e = apiErrors.unknown();
  (e as { cause?: unknown }).cause = err;
  return e;
}
