import { hostname } from 'node:os';
import { z } from 'zod';
import { OpsConfigSchema } from '../ops/config.js';
import { WebConsoleConfigSchema } from '../console/config.js';
import { GoLiveConfigSchema } from '../golive/config.js';
import { RISK_MODES } from '../../protocols/index.js';

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
      /**
       * Server URL, or several separated by commas (every server of a NATS cluster, so the client
       * fails over on its own); when unset `qt up` looks at 127.0.0.1:4222 and otherwise starts a local server.
       */
      url: z.string().refine((v) => v.split(',').every((u) => z.string().url().safeParse(u.trim()).success), 'a URL, or several separated by commas').optional(),
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
      /**
       * An external simulator (`qt sim`) to trade against instead of starting one in the node — so
       * the venue outlives a node that is killed (chaos tests, rehearsals). REST base URL.
       */
      url: z.string().url().optional(),
      /** WebSocket base of the external simulator. @default url with ws:// */
      wsUrl: z.string().optional(),
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
      /** Who publishes signals: the AI brain (model ensemble, with a labelled fallback when models fail), or the fallback rule in symbol actors. @default ai */
      source: z.enum(['fallback', 'ai']).default('ai'),
      /** @default momentum */
      fallbackRule: z.enum(['momentum', 'rsi']).default('momentum'),
      /**
       * A candle close older than this (ms) gets no signal, from the AI brain or the fallback rule:
       * it is still observed (features, labels). The warm-up history of every symbol at start, or a
       * backlog after an outage, would otherwise flood the pipeline with signals the risk brain can
       * only deny as stale, while the live closes wait behind them. @default 90000
       */
      staleAfterMs: z.number().int().positive().default(90_000),
    })
    .prefault({}),
  reconcile: z
    .strictObject({
      /** Seconds between reconciliation passes (one also runs at start-up). @default 30 */
      everySec: z.number().positive().default(30),
      /**
       * A position the venue contradicts is corrected only when a pass at least this much later
       * sees the same difference: a fill still on its way is not drift. @default 5000
       */
      mismatchGraceMs: z.number().int().nonnegative().default(5_000),
      /** A fill of an order nobody knows (liquidation, ADL, a manual close) runs a pass for its symbol after this long. @default 250 */
      promptMs: z.number().int().nonnegative().default(250),
    })
    .prefault({}),
  /** The read-only web console. */
  console: WebConsoleConfigSchema.prefault({}),
  /** Gates a paper record must pass before live trading. */
  golive: GoLiveConfigSchema.prefault({}),
  cluster: z
    .strictObject({
      leases: z
        .strictObject({
          /**
           * Share the symbol universe between nodes through KV leases, and run the singletons
           * (brains, executor, user stream, reconciler, universe selector) on the leader only.
           * See deploy/CLUSTER.md. @default false
           */
          enabled: z.boolean().default(false),
          /** How long a dead node's symbols stay unowned at most (plus skew and one renew). @default 15000 */
          ttlMs: z.number().int().min(1_000).default(15_000),
          /** How often leases are renewed and rebalanced. @default ttlMs / 3 */
          renewMs: z.number().int().min(100).optional(),
          /** Clock skew tolerated between nodes. @default min(1000, ttlMs / 10) */
          skewMs: z.number().int().nonnegative().optional(),
        })
        .refine((l) => l.renewMs === undefined || l.renewMs * 2 <= l.ttlMs, { message: 'renewMs must be at most half of ttlMs', path: ['renewMs'] })
        .prefault({}),
    })
    .prefault({}),
  /** Metrics/health endpoint and alerting. */
  ops: OpsConfigSchema.prefault({}),
  /** Strategy brain (signals + regime → intents) and the regime classifier it reads. */
  strategy: z
    .strictObject({
      /** Signals below this confidence are journaled as skipped (LOW_CONFIDENCE). @default 0.6 */
      minConfidence: z.number().min(0).max(1).default(0.6),
      /** What to do with a signal against the symbol's (or else the market's) trend regime. @default skip */
      againstTrend: z.enum(['skip', 'allow']).default('skip'),
      /** Equity (USDT) assumed until the first `{type:'equity'}` control input. @default 10000 */
      equity: z.number().positive().default(10_000),
      /** Fraction of equity lost if the stop is hit, at confidence 1. @default 0.0025 */
      riskPerTrade: z.number().positive().max(0.1).default(0.0025),
      /** Minimum stop distance, fraction of price (DOMAIN.md's stop-loss: 2 %); wider when ATR says so. @default 0.02 */
      stopPct: z.number().positive().max(0.5).default(0.02),
      /** Shares of the position closed at TP1, TP2, TP3; their levels are 1–4 stop distances by regime. @default [0.3, 0.3, 0.4] */
      tpFractions: z
        .tuple([z.number().positive(), z.number().positive(), z.number().positive()])
        .refine((f) => Math.abs(f[0] + f[1] + f[2] - 1) < 1e-9, 'the three take-profit shares must add up to 1')
        .default([0.3, 0.3, 0.4]),
      /** Profit (fraction of entry) after which the stop trails the best price. @default 0.01 */
      trailActivatePct: z.number().positive().max(0.5).default(0.01),
      /** Stop distance in ATRs (trend and range regimes). @default 2 */
      stopAtr: z.number().positive().max(20).default(2),
      /** Stop distance in ATRs in a volatile regime: wider, so noise does not stop us out. @default 3 */
      volatileStopAtr: z.number().positive().max(20).default(3),
      /** Max notional per symbol (open + pending), fraction of equity (0.1 of 10k = risk's $1000 default). @default 0.1 */
      maxSymbolFraction: z.number().positive().max(10).default(0.1),
      /** Max notional over all symbols (open + pending), fraction of equity. @default 1.5 */
      maxTotalFraction: z.number().positive().max(50).default(1.5),
      /** Smallest intent notional (USDT); smaller ones are skipped, not rounded up. @default 5 */
      minNotional: z.number().nonnegative().default(5),
      /** Leverage asked for (DOMAIN.md: 3x). @default 3 */
      leverage: z.number().int().min(1).max(125).default(3),
      /** ms an intent counts as pending exposure unless a position picks it up. @default 300000 */
      pendingTtlMs: z.number().int().positive().default(300_000),
      regime: z
        .strictObject({
          /** |trend score| (EMA gap and 60-bar return in ATR units) to enter a trend label. @default 1.0 */
          trendEnter: z.number().positive().default(1.0),
          /** |trend score| below which a trend label is left. @default 0.4 */
          trendExit: z.number().nonnegative().default(0.4),
          /** Volatility vs its own slow baseline to enter `volatile`. @default 1.6 */
          volEnter: z.number().positive().default(1.6),
          /** Volatility ratio below which `volatile` is left. @default 1.25 */
          volExit: z.number().positive().default(1.25),
          /** Consecutive bars a new label must hold before it is adopted. @default 3 */
          confirmBars: z.number().int().min(1).default(3),
          /** Bars of the slow volatility baseline (EMA). @default 240 */
          baselineBars: z.number().int().min(10).default(240),
          /** Share of volatile symbols that makes the MARKET volatile. @default 0.5 */
          marketVolatileShare: z.number().min(0).max(1).default(0.5),
          /** Republish an unchanged label after this many ms (feature time). @default 900000 */
          refreshMs: z.number().int().positive().default(900_000),
          /** A symbol silent this long (feature time) leaves the market cross-section. @default 600000 */
          staleMs: z.number().int().positive().default(600_000),
        })
        .prefault({}),
    })
    .prefault({}),
  /** Risk brain limits (NORMAL mode; SAFE/AGGRESSIVE/CRITICAL derive from them) and the CEO brain. */
  risk: z
    .strictObject({
      /** Operator risk mode at start, until KV qt_policy `risk_mode` says otherwise. @default NORMAL */
      mode: z.enum(RISK_MODES).default('NORMAL'),
      /** Equity (USDT) assumed until the first equity input; unset = sim.initialBalance. */
      initialEquity: z.number().positive().optional(),
      /**
       * `venue`: equity is the account's margin balance (quote asset), read from the venue at start,
       * every 30 s and after account events; entries are denied (EQUITY_UNKNOWN) until the first
       * figure. `config`: `initialEquity` plus booked PnL, e.g. to trade a fixed slice of an account.
       * @default venue
       */
      equitySource: z.enum(['venue', 'config']).default('venue'),
      /** Max notional of one position, USDT. @default 1000 */
      maxPositionNotional: z.number().positive().default(1_000),
      /** @default 10 */
      maxLeverage: z.number().int().min(1).max(125).default(10),
      /** Open + pending positions. @default 20 */
      maxOpenPositions: z.number().int().positive().default(20),
      /** Total notional of open + pending positions, × equity. @default 3 */
      maxExposureX: z.number().positive().default(3),
      /** Loss since the UTC day start, fraction of start-of-day equity (REDUCING at reduceAt × it, HALTED at it). @default 0.05 */
      maxDailyLossPct: z.number().positive().max(1).default(0.05),
      /** Drawdown from the week's peak equity (UTC weeks from Monday). @default 0.15 */
      maxWeeklyDrawdownPct: z.number().positive().max(1).default(0.15),
      /** Fraction of a loss limit that moves trading to REDUCING (exits only). @default 0.8 */
      reduceAt: z.number().positive().max(1).default(0.8),
      /** One symbol's notional, fraction of equity. @default 0.2 */
      maxSymbolPct: z.number().positive().default(0.2),
      /** One correlated cluster's notional, fraction of equity. @default 0.4 */
      maxClusterPct: z.number().positive().default(0.4),
      /** Correlated clusters; a symbol in none is its own cluster. @default majors BTC/ETH, l1s, l2s, memes */
      clusters: z.record(z.string().regex(/^[a-z0-9_-]+$/), z.array(z.string().regex(/^[A-Z0-9]+$/))).default({
        majors: ['BTCUSDT', 'ETHUSDT'],
        l1: ['SOLUSDT', 'BNBUSDT', 'AVAXUSDT', 'ADAUSDT', 'DOTUSDT', 'NEARUSDT', 'APTUSDT', 'SUIUSDT', 'TRXUSDT', 'TONUSDT'],
        l2: ['ARBUSDT', 'OPUSDT', 'POLUSDT', 'MATICUSDT', 'STRKUSDT'],
        memes: ['DOGEUSDT', '1000SHIBUSDT', '1000PEPEUSDT', 'WIFUSDT', '1000BONKUSDT', '1000FLOKIUSDT'],
      }),
      /** Minutes without entries on a symbol after a losing close. @default 30 */
      cooldownMin: z.number().nonnegative().default(30),
      /** Orders per second (token bucket on event time). @default 5 */
      maxOrdersPerSec: z.number().positive().default(5),
      /** Burst of the order token bucket. @default 10 */
      orderBurst: z.number().int().positive().default(10),
      /** ms a position may lack a confirmed stop before all new entries are blocked. @default 5000 */
      unprotectedGraceMs: z.number().int().nonnegative().default(5_000),
      /** Intents older than this (ms) are denied STALE_INTENT; about two 1m intervals. @default 120000 */
      staleIntentMs: z.number().int().positive().default(120_000),
      /** A size reduced below this notional is denied instead. @default 5 */
      minNotional: z.number().nonnegative().default(5),
      /** Intents above this notional are dead-lettered as absurd. @default 1000000 */
      maxIntentNotional: z.number().positive().default(1_000_000),
      /** ms an approved entry counts as exposure until a position update picks it up. @default 60000 */
      pendingTtlMs: z.number().int().positive().default(60_000),
      ceo: z
        .strictObject({
          /** Whether the CEO may ever pick AGGRESSIVE. @default false */
          allowAggressive: z.boolean().default(false),
          /** Minutes a calmer mode must hold before the CEO steps down one level. @default 30 */
          calmMin: z.number().nonnegative().default(30),
          /** Window (minutes) for counting supervision escalations. @default 60 */
          escalationWindowMin: z.number().positive().default(60),
        })
        .prefault({}),
    })
    .prefault({}),
  /** AI brain (batched ONNX ensemble), model supervisor and continuous learning (runtime/ai). */
  ai: z
    .strictObject({
      /** What runs when the champion is missing, corrupted, stale or failing: the labelled rule's signals, exits only, or HOLD. @default reduce-only */
      fallbackPolicy: z.enum(['trade', 'reduce-only', 'halt']).default('reduce-only'),
      /** ms a batch waits for the rest of the universe after its first features message. @default 300 */
      batchDeadlineMs: z.number().int().positive().max(60_000).default(300),
      /** Sharpness of the performance weights: w ∝ exp(−eta · (log-loss − best)). @default 50 */
      weightEta: z.number().nonnegative().default(50),
      /** Half-life of the live scores, in realised outcomes. @default 500 */
      scoreHalfLife: z.number().positive().default(500),
      /** ms between reload attempts while the champion cannot be loaded. @default 60000 */
      reloadEveryMs: z.number().int().positive().default(60_000),
      /** Seed the registry from models/artifacts at start (idempotent). @default true */
      /** Who trades after seeding: every shipped family (weighted), or only those beating baselines. @default ensemble */
      seedPolicy: z.enum(['ensemble', 'beat-baselines']).default('ensemble'),
      seed: z.boolean().default(true),
      supervisor: z
        .strictObject({
          /** @default 200 */
          biasWindow: z.number().int().positive().default(200),
          /** Max share of one side over the window (DOMAIN: 70%). @default 0.7 */
          biasMax: z.number().min(0.34).max(1).default(0.7),
          /** Action on a BUY- or SELL-dominated window; a HOLD-dominated one only warns. @default reduce-only */
          onBias: z.enum(['warn', 'reduce-only', 'halt']).default('reduce-only'),
          /** @default 2000 */
          psiWindow: z.number().int().positive().default(2_000),
          /** @default 500 */
          psiMinRows: z.number().int().positive().default(500),
          /** @default 0.25 */
          psiAlert: z.number().positive().default(0.25),
          /** @default warn */
          onDrift: z.enum(['warn', 'reduce-only', 'halt']).default('warn'),
          /** @default 200 */
          brierWindow: z.number().int().positive().default(200),
          /** @default 0.05 */
          brierMargin: z.number().nonnegative().default(0.05),
          /** @default warn */
          onCalibration: z.enum(['warn', 'reduce-only', 'halt']).default('warn'),
          /** @default 0.2 */
          maxErrorRate: z.number().min(0).max(1).default(0.2),
          /** @default 1000 */
          maxLatencyMs: z.number().positive().default(1_000),
          /** A tripped detector clears after its reading stayed good this long (ms); stops flapping alerts and risk modes. @default 600000 */
          clearAfterMs: z.number().int().nonnegative().default(600_000),
        })
        .prefault({}),
      clm: z
        .strictObject({
          /** Hours between scheduled retrains; 0 = none (DOMAIN: 168). @default 168 */
          everyHours: z.number().nonnegative().default(168),
          /** Retrain after this many new closed candles over all symbols; 0 = off. @default 0 */
          afterCandles: z.number().int().nonnegative().default(0),
          /** @default gbdt */
          family: z.enum(['gbdt', 'mlp', 'temporal']).default('gbdt'),
          /** Kline CSV file or directory to train on; unset = the last candles on QT_MARKET. */
          data: z.string().optional(),
          /** Candles per symbol used for training. @default 20000 */
          maxCandles: z.number().int().positive().default(20_000),
          /** Walk-forward folds. @default 4 */
          folds: z.number().int().min(2).max(10).default(4),
          /** Hours a challenger runs in shadow before the decision. @default 24 */
          shadowHours: z.number().positive().default(24),
          /** Paired realised outcomes needed in shadow. @default 500 */
          minOutcomes: z.number().int().positive().default(500),
          /** Required improvement over the champion (out of sample and in shadow). @default 0.002 */
          marginLogLoss: z.number().nonnegative().default(0.002),
          /** @default 0.001 */
          marginBrier: z.number().nonnegative().default(0.001),
          /** Outcomes before a live degradation can roll the champion back. @default 500 */
          rollbackMinOutcomes: z.number().int().positive().default(500),
          /** Live Brier worse than the manifest's by this rolls the champion back. @default 0.03 */
          rollbackBrierMargin: z.number().positive().default(0.03),
          /** @default 7200000 */
          trainTimeoutMs: z.number().int().positive().default(7_200_000),
        })
        .prefault({}),
    })
    .prefault({}),
  streams: z
    .strictObject({
      /** Market data retention, hours. @default 24 */
      marketMaxAgeHours: z.number().positive().default(24),
      /** Signals / supervision retention, days. @default 7 */
      shortMaxAgeDays: z.number().positive().default(7),
      /** Orders, positions, journal retention, days. @default 365 */
      longMaxAgeDays: z.number().positive().default(365),
      /**
       * Dedup window for msgID, minutes. An order retried or republished after a restart must still
       * find its first copy here, hence the floor. @default 10
       */
      duplicateWindowMin: z.number().min(10, 'streams.duplicateWindowMin: at least 10 minutes, or a retried order could be placed twice').default(10),
    })
    .prefault({}),
});

export type Config = z.infer<typeof ConfigSchema>;
/** What a user writes: every key optional. */
export type ConfigInput = z.input<typeof ConfigSchema>;
