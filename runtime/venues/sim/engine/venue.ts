/**
 * The simulator venue in one call: a candle source (synthetic or replay), the clock-driven feed and the
 * engine, wired so every market update reaches `engine.ingest`. The REST/WS server wraps `engine`.
 */
import type { Clock } from '../../../clock/index.js';
import { createMarketFeed, type FeedOptions, type MarketFeed } from '../market/feed.js';
import type { Grid } from '../market/path.js';
import { createReplaySource } from '../market/replay.js';
import { majorProfile, universe } from '../market/symbols.js';
import { createSyntheticSource, type CandleSource } from '../market/synthetic.js';
import { decimalsIn } from './num.js';
import { createSimEngine } from './engine.js';
import type { Kline1m, SimEngine, SimEngineOptions } from './types.js';

/** Where market data comes from. */
export type VenueMarket =
  | { kind: 'synthetic'; /** @default 5 */ symbols?: number; /** @default clock.now() */ startTime?: number }
  | { kind: 'replay'; candles: Record<string, readonly Kline1m[]>; intervalMs?: number };

/** Options of `createSimVenue`. */
export interface SimVenueOptions {
  clock: Clock;
  /** One seed for generator, paths and engine. @default 1 */
  seed?: number;
  /** @default { kind: 'synthetic' } */
  market?: VenueMarket;
  engine?: Omit<SimEngineOptions, 'clock' | 'symbols' | 'seed'>;
  feed?: Omit<FeedOptions, 'clock' | 'source' | 'grids' | 'seed'>;
}

/** Engine + feed. `start()` begins emitting market data on the clock. */
export interface SimVenue {
  readonly engine: SimEngine;
  readonly feed: MarketFeed;
  readonly source: CandleSource;
  start(): void;
  stop(): void;
}

/** Tick/step for a replayed symbol: Binance's for the majors, else inferred from the data's decimals. */
function replayGrid(symbol: string, candles: readonly Kline1m[]): Grid {
  const m = majorProfile(symbol);
  if (m) return { tickSize: m.tickSize, stepSize: m.stepSize };
  let d = 0;
  for (const k of candles.slice(0, 500)) for (const p of [k.open, k.high, k.low, k.close]) d = Math.max(d, decimalsIn(String(p)));
  const price = candles[0]?.close ?? 1;
  const stepExp = Math.min(3, Math.max(-3, -Math.floor(Math.log10(price))));
  return { tickSize: Number((10 ** -d).toFixed(d)), stepSize: Number((10 ** stepExp).toFixed(Math.max(0, -stepExp))) };
}

/** Builds the venue. Same seed + same inputs + same clock steps ⇒ identical events and fills. */
export function createSimVenue(o: SimVenueOptions): SimVenue {
  const seed = o.seed ?? 1;
  const market = o.market ?? { kind: 'synthetic' };
  let source: CandleSource;
  const grids: Record<string, Grid> = {};
  if (market.kind === 'synthetic') {
    const profiles = universe(market.symbols ?? 5, seed);
    for (const p of profiles) grids[p.symbol] = { tickSize: p.tickSize, stepSize: p.stepSize };
    source = createSyntheticSource({ symbols: profiles, seed, startTime: market.startTime ?? o.clock.now() });
  } else {
    for (const [s, c] of Object.entries(market.candles)) grids[s] = replayGrid(s, c);
    source = createReplaySource({ candles: market.candles, ...(market.intervalMs ? { intervalMs: market.intervalMs } : {}) });
  }
  const engine = createSimEngine({
    ...o.engine,
    clock: o.clock,
    seed,
    symbols: Object.entries(grids).map(([symbol, g]) => ({ symbol, ...g })),
  });
  const feed = createMarketFeed({ ...o.feed, clock: o.clock, source, grids, seed });
  feed.subscribe(engine.ingest);
  return {
    engine,
    feed,
    source,
    start: () => feed.start(),
    stop() {
      feed.stop();
      engine.close();
    },
  };
}
