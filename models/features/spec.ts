import { createHash } from 'node:crypto';

/**
 * The one feature spec shared by training (`batch.ts`) and inference (symbol actors via
 * `state.ts`). Any change to names, order, parameters or scaling must bump `version`; the
 * hash is derived from the whole definition so a silent edit still changes it, and a model
 * manifest whose hash differs from the running spec must be refused.
 */

/** Indicator parameters. Part of the hashed definition. */
export const FEATURE_PARAMS = {
  returnHorizons: [1, 5, 15, 60],
  rsiPeriod: 14,
  atrPeriod: 14,
  emaFast: 12,
  emaSlow: 26,
  macdSignal: 9,
  bbPeriod: 20,
  bbK: 2,
  volZPeriod: 20,
  /** Features are clipped to ±clip after scaling so one bad tick cannot blow up a model. */
  clip: 8,
  /** Funding and premium are in basis points, clipped to ±bpsClip. */
  bpsClip: 100,
} as const;

/** Ordered engineered features: the `features` [N, F] input of the tabular models. */
export const FEATURES = [
  { name: 'ret_1', description: 'log(close_t / close_t-1)' },
  { name: 'ret_5', description: 'log(close_t / close_t-5)' },
  { name: 'ret_15', description: 'log(close_t / close_t-15)' },
  { name: 'ret_60', description: 'log(close_t / close_t-60)' },
  { name: 'rsi_14', description: '(Wilder RSI(14) - 50) / 50, in [-1, 1]' },
  { name: 'atr_14_norm', description: 'Wilder ATR(14) / close' },
  { name: 'ema_ratio', description: 'log(EMA(12) / EMA(26))' },
  { name: 'macd_hist_norm', description: 'MACD(12,26,9) histogram / close' },
  { name: 'bb_width', description: 'Bollinger(20,2) (upper - lower) / middle' },
  { name: 'bb_pctb', description: 'Bollinger(20,2) %B = (close - lower) / (upper - lower); 0.5 when flat' },
  { name: 'vol_z_20', description: 'z-score of log1p(volume) over the last 20 candles (incl. current), clipped' },
  { name: 'funding_bps', description: 'funding rate × 1e4 from the mark tick given with the candle; 0 when absent' },
  { name: 'mark_premium_bps', description: 'log(mark / close) × 1e4 from the mark tick given with the candle; 0 when absent' },
] as const;

/** Feature names in input order. */
export const FEATURE_NAMES = FEATURES.map((f) => f.name);
export type FeatureName = (typeof FEATURES)[number]['name'];

/** Raw-window input of the temporal model: `window` [N, W*C], time-major (index = t*C + c). */
export const WINDOW_SPEC = {
  length: 32,
  channels: [
    { name: 'ret_norm', description: 'log return of candle t divided by the RMS of the 32 window returns, clipped' },
    { name: 'logvol_ratio', description: 'log(volume_t / mean volume of the window), clipped' },
  ],
  layout: 'time-major',
} as const;

/** Candles needed before `ready`: the longest return horizon plus the candle itself. */
export const WARMUP = Math.max(...FEATURE_PARAMS.returnHorizons, WINDOW_SPEC.length, FEATURE_PARAMS.emaSlow + FEATURE_PARAMS.macdSignal) + 1;

const definition = {
  version: '1.0.0',
  names: FEATURE_NAMES,
  params: FEATURE_PARAMS,
  window: { length: WINDOW_SPEC.length, channels: WINDOW_SPEC.channels.map((c) => c.name), layout: WINDOW_SPEC.layout },
  warmup: WARMUP,
};

/** Version, names, window shape and a sha256 of the canonical definition. */
export const FEATURE_SPEC = {
  ...definition,
  /** Number of engineered features F. */
  size: FEATURES.length,
  /** Flattened window width W*C. */
  windowSize: WINDOW_SPEC.length * WINDOW_SPEC.channels.length,
  hash: createHash('sha256').update(JSON.stringify(definition)).digest('hex'),
} as const;
export type FeatureSpec = typeof FEATURE_SPEC;
