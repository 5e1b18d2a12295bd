/**
 * Options of `createBinanceVenue`: given → defaults → validated once, unknown keys rejected. The
 * three modes differ only in base URLs (and the keys the caller passes).
 */
import type { Logger } from 'pino';
import { z } from 'zod';
import { createLiveClock, type Clock } from '../../clock/index.js';
import { ConfigError } from '../../errors.js';

export type BinanceMode = 'sim' | 'binance-testnet' | 'binance-live';

/** Base URLs of each mode; 'sim' has none, its loopback server's URLs must be given. */
export const MODE_URLS: Record<Exclude<BinanceMode, 'sim'>, { rest: string; ws: string }> = {
  'binance-testnet': { rest: 'https://testnet.binancefuture.com', ws: 'wss://stream.binancefuture.com' },
  'binance-live': { rest: 'https://fapi.binance.com', ws: 'wss://fstream.binance.com' },
};

/** Options of {@link createBinanceVenue}. */
export interface BinanceVenueOptions {
  mode: BinanceMode;
  /** REST base (no path), e.g. the sim server's `url`. Required for 'sim'. @default per mode */
  restUrl?: string;
  /** WebSocket base (no path), e.g. the sim server's `wsUrl`. Required for 'sim'. @default per mode */
  wsUrl?: string;
  /** Given to ccxt only; never logged. */
  apiKey: string;
  /** Given to ccxt only; never logged. */
  apiSecret: string;
  /** Name in domain events. @default 'sim' for mode sim, else 'binance' */
  venue?: string;
  /** @default live clock */
  clock?: Clock;
  /** @default silent */
  logger?: Logger;
  /** HTTP timeout of data requests (ms). @default 10000 */
  requestTimeoutMs?: number;
  /** HTTP timeout of order placement/cancel (ms); a timeout leaves the order in flight. @default 5000 */
  orderTimeoutMs?: number;
  /** How an in-flight order is resolved. */
  resolve?: {
    /** Status queries before giving up with UNKNOWN. @default 8 */
    attempts?: number;
    /** First backoff between queries (doubles, with jitter). @default 200 */
    baseDelayMs?: number;
    /** @default 3000 */
    maxDelayMs?: number;
    /** -2013 proves absence only this long after sending: the venue may still be processing. @default 5000 */
    processingWindowMs?: number;
    /** Placement attempts in total when absence was proven (same clientOrderId every time). @default 2 */
    placementAttempts?: number;
  };
  /** Idempotent GETs: retries on 5xx/timeout/network. */
  retry?: { /** @default 3 */ attempts?: number; /** @default 200 */ baseDelayMs?: number };
  /** opossum settings shared by the breakers ('order', 'account', 'market'). */
  breaker?: {
    /** @default 5 */ volumeThreshold?: number;
    /** @default 50 */ errorThresholdPercentage?: number;
    /** opossum's own (wall-clock) timer. @default 30000 */ resetTimeoutMs?: number;
    /** @default 10000 */ rollingWindowMs?: number;
  };
  /** Request-weight pacing. */
  rateLimit?: {
    /** Pace once this share of the per-minute weight is used. @default 0.9 */ safetyRatio?: number;
    /** Longer waits fail with RateLimitedError instead of waiting. @default 60000 */ maxWaitMs?: number;
  };
  ws?: {
    /** @default 500 */ reconnectBaseMs?: number;
    /** @default 30000 */ reconnectMaxMs?: number;
    /** Our ping cadence. @default 30000 */ pingIntervalMs?: number;
    /** No frame at all for this long means a dead connection. @default 75000 */ silenceMs?: number;
  };
  /** listenKey keep-alive cadence. @default 1800000 */
  listenKeyKeepAliveMs?: number;
}

const isObj = (v: unknown): boolean => typeof v === 'object' && v !== null;
const ms = z.number().int().nonnegative();
const pos = z.number().int().positive();

const schema = z.strictObject({
  mode: z.enum(['sim', 'binance-testnet', 'binance-live']),
  restUrl: z.url().optional(),
  wsUrl: z.url().optional(),
  apiKey: z.string().min(1),
  apiSecret: z.string().min(1),
  venue: z.string().regex(/^[a-z0-9-]+$/).optional(),
  clock: z.custom<Clock>((v) => isObj(v) && typeof (v as Clock).now === 'function', 'clock must be a Clock').optional(),
  logger: z.custom<Logger>((v) => isObj(v) && typeof (v as Logger).info === 'function', 'logger must be a pino Logger').optional(),
  requestTimeoutMs: pos.default(10_000),
  orderTimeoutMs: pos.default(5_000),
  resolve: z
    .strictObject({
      attempts: pos.default(8),
      baseDelayMs: ms.default(200),
      maxDelayMs: ms.default(3_000),
      processingWindowMs: ms.default(5_000),
      placementAttempts: pos.default(2),
    })
    .prefault({}),
  retry: z.strictObject({ attempts: pos.default(3), baseDelayMs: ms.default(200) }).prefault({}),
  breaker: z
    .strictObject({
      volumeThreshold: pos.default(5),
      errorThresholdPercentage: z.number().min(1).max(100).default(50),
      resetTimeoutMs: pos.default(30_000),
      rollingWindowMs: pos.default(10_000),
    })
    .prefault({}),
  rateLimit: z.strictObject({ safetyRatio: z.number().gt(0).max(1).default(0.9), maxWaitMs: ms.default(60_000) }).prefault({}),
  ws: z
    .strictObject({
      reconnectBaseMs: ms.default(500),
      reconnectMaxMs: ms.default(30_000),
      pingIntervalMs: pos.default(30_000),
      silenceMs: pos.default(75_000),
    })
    .prefault({}),
  listenKeyKeepAliveMs: pos.default(1_800_000),
});

type Parsed = z.infer<typeof schema>;

/** Options after defaults, with URLs resolved. */
export type CompiledOptions = Omit<Parsed, 'restUrl' | 'wsUrl' | 'clock' | 'venue'> & {
  readonly restUrl: string;
  readonly wsUrl: string;
  readonly clock: Clock;
  readonly venue: string;
};

const trim = (u: string): string => u.replace(/\/+$/, '');

/** Validates options once; throws ConfigError naming the offending keys (never their values). */
export function compileOptions(opts: BinanceVenueOptions): CompiledOptions {
  const r = schema.safeParse(opts);
  if (!r.success) {
    const keys = r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new ConfigError(`invalid binance venue options: ${keys.join('; ')}`);
  }
  const o = r.data;
  const urls = o.mode === 'sim' ? undefined : MODE_URLS[o.mode];
  const restUrl = o.restUrl ?? urls?.rest;
  const wsUrl = o.wsUrl ?? urls?.ws;
  if (!restUrl || !wsUrl) throw new ConfigError("binance venue mode 'sim' needs restUrl and wsUrl (the sim server's url/wsUrl)");
  return {
    ...o,
    restUrl: trim(restUrl),
    wsUrl: trim(wsUrl),
    clock: o.clock ?? createLiveClock(),
    venue: o.venue ?? (o.mode === 'sim' ? 'sim' : 'binance'),
  };
}
