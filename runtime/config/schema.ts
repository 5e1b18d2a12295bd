import { hostname } from 'node:os';
import { z } from 'zod';
import { OpsConfigSchema } from '../ops/config.js';

/** Backoff used by supervisors unless a spec overrides it. */
const backoff = z.strictObject({
  /** @default 10 */
  min: z.number().int().nonnegative().default(10),
  /** @default 5000 */
  max: z.number().int().positive().default(5_000),
  /** @default 0.2 */
  jitter: z.number().min(0).max(1).default(0.2),
  /** @default 30000 */
  resetAfter: z.number().int().positive().default(30_000),
});

/**
 * The one config schema. Every section is strict: an unknown key is an error that names it,
 * so a typo never silently falls back to a default (the old system had nine disagreeing .env files).
 */
export const ConfigSchema = z.strictObject({
  node: z
    .strictObject({
      /** Node id, used in supervision events and leases. @default hostname */
      id: z.string().min(1).regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, - and _ only').default(hostname().replace(/[^A-Za-z0-9_-]/g, '-')),
      /** Where a locally started nats-server keeps its store, and other local state. @default ./var */
      dataDir: z.string().min(1).default('./var'),
    })
    .prefault({}),
  log: z
    .strictObject({
      /** @default info */
      level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
      /** Pretty output is left to `pino-pretty` on the operator's side; the node always writes JSON lines. */
      file: z.string().optional(),
    })
    .prefault({}),
  nats: z
    .strictObject({
      /** Server URL; when unset `qt up` looks at 127.0.0.1:4222 and otherwise starts a local server. */
      url: z.string().url().optional(),
      /** @default quantum-trader */
      name: z.string().default('quantum-trader'),
      /** Credentials file (NATS .creds) for deployments with accounts. */
      credsFile: z.string().optional(),
      user: z.string().optional(),
      pass: z.string().optional(),
      /** ms between reconnect attempts. @default 1000 */
      reconnectTimeWait: z.number().int().positive().default(1_000),
      /** JetStream replicas for provisioned streams and buckets. @default 1 */
      replicas: z.number().int().min(1).max(5).default(1),
    })
    .prefault({}),
  supervision: z
    .strictObject({
      /** @default 5 */
      intensity: z.number().int().positive().default(5),
      /** @default 10000 */
      period: z.number().int().positive().default(10_000),
      backoff: backoff.prefault({}),
      /** ms a child gets to stop before it is killed. @default 5000 */
      shutdownMs: z.number().int().positive().default(5_000),
    })
    .prefault({}),
  host: z
    .strictObject({
      /** Max unacknowledged inputs per actor; bounds memory and batch size. @default 512 */
      maxAckPending: z.number().int().positive().default(512),
      /** Deliveries of one input that crash the actor before it is dead-lettered. @default 3 */
      poisonDeliveries: z.number().int().min(2).default(3),
      /** Seconds the server waits for an ack before redelivering. @default 30 */
      ackWaitSec: z.number().int().positive().default(30),
      /** Largest accepted input payload, bytes. @default 262144 */
      maxPayload: z.number().int().positive().default(256 * 1024),
    })
    .prefault({}),
  venue: z
    .strictObject({
      /** sim (default, paper trading on the built-in simulator), binance-testnet, binance-live. */
      kind: z.enum(['sim', 'binance-testnet', 'binance-live']).default('sim'),
      /** Live trading needs this exact acknowledgement in config as well as the CLI opt-in flag. */
      liveAcknowledgement: z.string().optional(),
    })
    .prefault({}),
  sim: z
    .strictObject({
      /** Synthetic universe size. @default 5 */
      symbols: z.number().int().min(1).max(2000).default(5),
      /** @default 1 */
      seed: z.number().int().default(1),
      /** Replay Binance kline CSV/JSON from this file or dir instead of the generator. */
      data: z.string().optional(),
      /** Loopback port of the simulator's REST/WS server; 0 picks a free one. @default 0 */
      port: z.number().int().min(0).max(65535).default(0),
      /** Paper account balance in USDT. @default 10000 */
      initialBalance: z.number().positive().default(10_000),
      /** Simulated-market speed multiple (1 = real time). @default 1 */
      speed: z.number().positive().max(10_000).default(1),
    })
    .prefault({}),
  universe: z
    .strictObject({
      /** Symbols traded: top N by 24h quote volume. @default 20 */
      topN: z.number().int().min(1).max(1000).default(20),
      include: z.array(z.string().regex(/^[A-Z0-9]+$/)).default([]),
      exclude: z.array(z.string().regex(/^[A-Z0-9]+$/)).default([]),
      /** @default 0 */
      minQuoteVolume: z.number().nonnegative().default(0),
      /** Hours between universe refreshes. @default 6 */
      refreshHours: z.number().positive().default(6),
    })
    .prefault({}),
  market: z
    .strictObject({
      /** Candle intervals published; the first feeds the symbol actors. @default ['1m', '5m'] */
      intervals: z.array(z.enum(['1m', '3m', '5m', '15m', '30m', '1h', '2h', '4h'])).min(1).default(['1m', '5m']),
      /** Min ms between two mark ticks published per symbol. @default 1000 */
      markEveryMs: z.number().int().nonnegative().default(1_000),
      /** Publish aggregated trades. @default true */
      trades: z.boolean().default(true),
      /** Candles backfilled for a new symbol, for indicator warm-up. @default 120 */
      warmupCandles: z.number().int().min(0).max(1500).default(120),
    })
    .prefault({}),
  signals: z
    .strictObject({
      /** Who publishes signals: the labelled fallback rule in symbol actors, or the AI brain. @default fallback */
      source: z.enum(['fallback', 'ai']).default('fallback'),
      /** @default momentum */
      fallbackRule: z.enum(['momentum', 'rsi']).default('momentum'),
    })
    .prefault({}),
  /** Metrics/health endpoint and alerting. */
  ops: OpsConfigSchema.prefault({}),
  streams: z
    .strictObject({
      /** Market data retention, hours. @default 24 */
      marketMaxAgeHours: z.number().positive().default(24),
      /** Signals / supervision retention, days. @default 7 */
      shortMaxAgeDays: z.number().positive().default(7),
      /** Orders, positions, journal retention, days. @default 365 */
      longMaxAgeDays: z.number().positive().default(365),
      /** Dedup window for msgID, minutes (orders need ≥ 10). @default 10 */
      duplicateWindowMin: z.number().positive().min(1).default(10),
    })
    .prefault({}),
});

export type Config = z.infer<typeof ConfigSchema>;
/** What a user writes: every key optional. */
export type ConfigInput = z.input<typeof ConfigSchema>;
