import { INTERVAL_MS, type Candle } from '../../protocols/index.js';
import { FEATURE_SPEC, computeFeatureMatrix } from '../features/index.js';

/** Class order of every model output and label: index 0 SELL, 1 HOLD, 2 BUY. */
export const CLASSES = ['SELL', 'HOLD', 'BUY'] as const;
export type ClassName = (typeof CLASSES)[number];

/** How a label is made from the future. */
export interface LabelSpec {
  /** Forward horizon H in candles. @default 12 */
  horizon: number;
  /**
   * Dead-zone half-width as a multiple of the expected move, k · (ATR/close) · √H: scaling by
   * volatility keeps the three classes comparable across symbols, intervals and regimes.
   * @default 0.35
   */
  deadZoneK: number;
}

/** Default label: 12 candles ahead, dead zone 0.35 · ATR-scaled move. */
export const DEFAULT_LABEL: LabelSpec = { horizon: 12, deadZoneK: 0.35 };

/** Rows for training and evaluation, sorted by candle time across all symbols. */
export interface Dataset {
  n: number;
  /** n × F engineered features (the spec's `features` input). */
  X: Float32Array;
  /** n × W·C raw windows (the spec's `window` input). */
  W: Float32Array;
  /** Labels 0 SELL, 1 HOLD, 2 BUY. */
  y: Uint8Array;
  /** Realised forward log return over H candles (for directional metrics). */
  fwd: Float64Array;
  /** Candle open time of the row. */
  time: Float64Array;
  /** 24h-equivalent change in percent for the momentum baseline (NaN when history is short). */
  change24h: Float64Array;
  sym: Uint16Array;
  symbols: string[];
  intervalMs: number;
  label: LabelSpec;
}

/** Label one realised log return given its dead zone. */
export function labelOf(fwd: number, deadZone: number): 0 | 1 | 2 {
  return fwd > deadZone ? 2 : fwd < -deadZone ? 0 : 1;
}

interface Part {
  idx: number[];
  X: Float32Array;
  W: Float32Array;
  y: number[];
  fwd: number[];
  time: number[];
  ch: number[];
}

/**
 * Build a dataset from one or more candle series (one series per symbol, all the same
 * interval). Rows are feature-ready candles whose label horizon is inside the series.
 */
export function buildDataset(series: readonly (readonly Candle[])[], label: LabelSpec = DEFAULT_LABEL): Dataset {
  const F = FEATURE_SPEC.size;
  const WC = FEATURE_SPEC.windowSize;
  const first = series.find((s) => s.length > 0)?.[0];
  if (!first) throw new Error('buildDataset: no candles');
  const intervalMs = INTERVAL_MS[first.interval];
  const lookback = Math.round(86_400_000 / intervalMs);
  const H = label.horizon;
  const parts: Part[] = [];
  const symbols: string[] = [];
  for (const candles of series) {
    if (candles.length === 0) continue;
    if (candles.some((c) => c.interval !== first.interval)) throw new Error('buildDataset: mixed intervals');
    symbols.push(candles[0]!.symbol);
    const m = computeFeatureMatrix(candles);
    const p: Part = { idx: [], X: m.features, W: m.windows, y: [], fwd: [], time: [], ch: [] };
    for (let i = 0; i + H < candles.length; i++) {
      if (!m.ready[i]) continue;
      const c = m.close[i] as number;
      const fwd = Math.log((m.close[i + H] as number) / c);
      const dz = label.deadZoneK * ((m.atr[i] as number) / c) * Math.sqrt(H);
      p.idx.push(i);
      p.y.push(labelOf(fwd, dz));
      p.fwd.push(fwd);
      p.time.push(candles[i]!.openTime);
      p.ch.push(i >= lookback ? (c / (m.close[i - lookback] as number) - 1) * 100 : Number.NaN);
    }
    parts.push(p);
  }
  // Time-major order so walk-forward splits by time across symbols.
  const order: [number, number][] = [];
  parts.forEach((p, s) => p.time.forEach((_, k) => order.push([s, k])));
  order.sort((a, b) => parts[a[0]]!.time[a[1]]! - parts[b[0]]!.time[b[1]]! || a[0] - b[0]);
  const n = order.length;
  const ds: Dataset = {
    n, X: new Float32Array(n * F), W: new Float32Array(n * WC), y: new Uint8Array(n), fwd: new Float64Array(n),
    time: new Float64Array(n), change24h: new Float64Array(n), sym: new Uint16Array(n), symbols, intervalMs, label,
  };
  order.forEach(([s, k], r) => {
    const p = parts[s]!;
    const i = p.idx[k]!;
    ds.X.set(p.X.subarray(i * F, (i + 1) * F), r * F);
    ds.W.set(p.W.subarray(i * WC, (i + 1) * WC), r * WC);
    ds.y[r] = p.y[k]!;
    ds.fwd[r] = p.fwd[k]!;
    ds.time[r] = p.time[k]!;
    ds.change24h[r] = p.ch[k]!;
    ds.sym[r] = s;
  });
  return ds;
}

/** Copy the rows `idx` of a row-major matrix of `width` columns. */
export function takeRows(m: Float32Array, width: number, idx: ArrayLike<number>): Float32Array {
  const out = new Float32Array(idx.length * width);
  for (let r = 0; r < idx.length; r++) {
    const i = idx[r] as number;
    out.set(m.subarray(i * width, (i + 1) * width), r * width);
  }
  return out;
}
