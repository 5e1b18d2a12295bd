import { FEATURE_SPEC } from './spec.js';
import { createFeatureState, update, type FeatureCandle, type FeatureMark } from './state.js';

/** Row-major feature matrices for a candle series, one row per candle. */
export interface FeatureMatrix {
  /** Number of rows (= candles). */
  n: number;
  /** N × FEATURE_SPEC.size, row-major. */
  features: Float32Array;
  /** N × FEATURE_SPEC.windowSize, row-major. */
  windows: Float32Array;
  /** 1 where the row is a real feature row (after warm-up). */
  ready: Uint8Array;
  /** ATR(14) in price units per row (NaN during warm-up). */
  atr: Float64Array;
  close: Float64Array;
}

/**
 * Features for a whole series by looping the streaming `update` — the very code the symbol
 * actors run, so training and inference cannot drift. `marks[i]`, when given, goes with
 * `candles[i]`.
 */
export function computeFeatureMatrix(candles: readonly FeatureCandle[], marks?: readonly (FeatureMark | undefined)[]): FeatureMatrix {
  const n = candles.length;
  const F = FEATURE_SPEC.size;
  const WC = FEATURE_SPEC.windowSize;
  const out: FeatureMatrix = {
    n,
    features: new Float32Array(n * F),
    windows: new Float32Array(n * WC),
    ready: new Uint8Array(n),
    atr: new Float64Array(n),
    close: new Float64Array(n),
  };
  const state = createFeatureState();
  for (let i = 0; i < n; i++) {
    const r = update(state, candles[i] as FeatureCandle, marks?.[i]);
    out.close[i] = r.close;
    out.atr[i] = r.atr ?? Number.NaN;
    if (!r.ready) continue;
    out.ready[i] = 1;
    out.features.set(r.vector, i * F);
    out.windows.set(r.window, i * WC);
  }
  return out;
}

/** Row `i` of a row-major matrix with `width` columns (a view, not a copy). */
export function row(m: Float32Array, width: number, i: number): Float32Array {
  return m.subarray(i * width, (i + 1) * width);
}
