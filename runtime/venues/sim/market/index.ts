/** Simulator market data: synthetic generator, candle replay, and the clock-driven feed. */
export { mulberry32, hashSeed, rngFor, type Rng } from './prng.js';
export { universe, majorProfile, engineSymbols, type SymbolProfile } from './symbols.js';
export { createSyntheticSource, seasonality, type SyntheticOptions, type SyntheticSource, type CandleSource, type Regime } from './synthetic.js';
export { parseKlineCsv, readKlineCsv, parseKlineJson, createReplaySource, type ReplayOptions } from './replay.js';
export { candlePath, type Print, type Grid } from './path.js';
export { createMarketFeed, type FeedOptions, type MarketFeed } from './feed.js';
export { aggregate, intervalMs, INTERVAL_MS, bucketStart } from './aggregate.js';
