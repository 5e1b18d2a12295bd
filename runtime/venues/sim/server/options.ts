/**
 * Options of {@link createSimServer}: given → defaults → validated once, unknown keys rejected.
 */
import { z } from 'zod';
import type { Clock } from '../../../clock/index.js';
import type { SimEngine } from '../engine/types.js';
import type { Credential } from './auth.js';
import type { RateLimitConfig } from './limits.js';
import { LISTEN_KEY_TTL_MS } from './listen-keys.js';

/** One API key pair. */
export interface CredentialInput {
  apiKey: string;
  apiSecret: string;
  /** @default 'default' */
  accountId?: string;
}

/** Options of `createSimServer`. */
export interface SimServerOptions {
  /** The matching engine the server fronts. */
  engine: SimEngine;
  /** The market-data generator feeding the engine; held for the caller, the server does not drive it. */
  market?: unknown;
  /** Time for signatures, rate-limit windows, listenKey expiry, latency faults and WS cadences. */
  clock: Clock;
  /** 0 picks a free port. @default 0 */
  port?: number;
  /** @default '127.0.0.1' */
  host?: string;
  /** Accepted API keys. @default [{ apiKey: 'simkey', apiSecret: 'simsecret' }] */
  credentials?: CredentialInput[];
  /** Rate limits. @default { weightPerMinute: 2400, ordersPerMinute: 1200, ordersPer10s: 300, banAfter429s: 0, banMs: 120000 } */
  limits?: Partial<RateLimitConfig>;
  /** Seed of fault probabilities and jitter. @default 1 */
  seed?: number;
  /** WebSocket server ping cadence. @default 180000 */
  pingIntervalMs?: number;
  /** listenKey validity. @default 3600000 */
  listenKeyTtlMs?: number;
  /** The account reports hedge mode (GET /fapi/v1/positionSide/dual); see `AccountRouteOptions`. @default false */
  dualSidePosition?: boolean;
  /** The account reports BNB fee payment (GET /fapi/v1/feeBurn); see `AccountRouteOptions`. @default false */
  feeBurn?: boolean;
  /** The account reports multi-assets margin (GET /fapi/v1/multiAssetsMargin); see `AccountRouteOptions`. @default false */
  multiAssetsMargin?: boolean;
}

/** Options after defaults. */
export interface CompiledOptions {
  readonly engine: SimEngine;
  readonly market: unknown;
  readonly clock: Clock;
  readonly port: number;
  readonly host: string;
  readonly credentials: Credential[];
  readonly limits: RateLimitConfig;
  readonly seed: number;
  readonly pingIntervalMs: number;
  readonly listenKeyTtlMs: number;
  readonly dualSidePosition: boolean;
  readonly feeBurn: boolean;
  readonly multiAssetsMargin: boolean;
}

const isObject = (v: unknown): boolean => typeof v === 'object' && v !== null;

const schema = z.strictObject({
  engine: z.custom<SimEngine>((v) => isObject(v) && typeof (v as SimEngine).placeOrder === 'function', 'engine must be a SimEngine'),
  market: z.unknown().optional(),
  clock: z.custom<Clock>((v) => isObject(v) && typeof (v as Clock).now === 'function', 'clock must be a Clock'),
  port: z.number().int().min(0).max(65535).default(0),
  host: z.string().default('127.0.0.1'),
  credentials: z
    .array(
      z.strictObject({
        apiKey: z.string().regex(/^[A-Za-z0-9]{1,128}$/, 'apiKey must be 1-128 alphanumerics'),
        apiSecret: z.string().min(1),
        accountId: z.string().default('default'),
      }),
    )
    .min(1)
    .default([{ apiKey: 'simkey', apiSecret: 'simsecret', accountId: 'default' }]),
  limits: z
    .strictObject({
      weightPerMinute: z.number().int().positive().default(2400),
      ordersPerMinute: z.number().int().positive().default(1200),
      ordersPer10s: z.number().int().positive().default(300),
      banAfter429s: z.number().int().min(0).default(0),
      banMs: z.number().int().positive().default(120_000),
    })
    .prefault({}),
  seed: z.number().int().default(1),
  pingIntervalMs: z.number().int().positive().default(180_000),
  listenKeyTtlMs: z.number().int().positive().default(LISTEN_KEY_TTL_MS),
  dualSidePosition: z.boolean().default(false),
  feeBurn: z.boolean().default(false),
  multiAssetsMargin: z.boolean().default(false),
});

/** Validates and applies defaults; throws a readable Error on bad options. */
export function compileOptions(opts: SimServerOptions): CompiledOptions {
  const r = schema.safeParse(opts);
  if (!r.success) throw new TypeError(`invalid sim server options:\n${z.prettifyError(r.error)}`);
  return { ...r.data, market: r.data.market };
}
