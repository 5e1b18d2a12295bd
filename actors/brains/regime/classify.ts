import type { Regime } from '../../../protocols/index.js';

/** Thresholds of the classifier (config `strategy.regime`). */
export interface RegimeParams {
  /** |trend score| to enter a trend label. @default 1.0 */
  trendEnter: number;
  /** |trend score| below which a trend label is left. @default 0.4 */
  trendExit: number;
  /** Volatility ratio (vs the symbol's slow baseline) to enter `volatile`. @default 1.6 */
  volEnter: number;
  /** Volatility ratio below which `volatile` is left. @default 1.25 */
  volExit: number;
  /** Consecutive bars a new label must hold before it is adopted. @default 3 */
  confirmBars: number;
  /** Bars of the slow volatility baseline (EMA). @default 240 */
  baselineBars: number;
  /** Share of volatile symbols that makes the market volatile. @default 0.5 */
  marketVolatileShare: number;
}

export const DEFAULT_REGIME_PARAMS: RegimeParams = {
  trendEnter: 1.0, trendExit: 0.4, volEnter: 1.6, volExit: 1.25, confirmBars: 3, baselineBars: 240, marketVolatileShare: 0.5,
};

/** The four features the classifier reads, by name. */
export interface RegimeFeatures {
  emaRatio: number;
  ret60: number;
  atrNorm: number;
  bbWidth: number;
}

/** Per-symbol classifier state: plain data, kept in the actor snapshot. */
export interface SymbolRegimeState {
  label: Regime;
  /** Label the raw reading points to, and for how many bars in a row. */
  candidate: Regime;
  streak: number;
  /** Slow EMAs of atr_14_norm and bb_width: "volatile" is relative to the symbol's own normal. */
  baseAtr: number;
  baseBb: number;
  bars: number;
  trend: number;
  volRatio: number;
  atrNorm: number;
}

export function emptySymbolState(): SymbolRegimeState {
  return { label: 'unknown', candidate: 'unknown', streak: 0, baseAtr: 0, baseBb: 0, bars: 0, trend: 0, volRatio: 1, atrNorm: 0 };
}

/**
 * Trend in ATR units, so one threshold fits every symbol and interval. For a steady drift of d per
 * bar, log(EMA12/EMA26) ≈ 7d and ret_60 / √60 ≈ 7.7d, so both terms are on the same scale.
 */
export function trendScore(f: RegimeFeatures): number {
  if (!(f.atrNorm > 0)) return 0;
  return (f.emaRatio / f.atrNorm + f.ret60 / (f.atrNorm * Math.sqrt(60))) / 2;
}

/**
 * The label the reading points to, with band hysteresis: leaving a label needs the score to fall
 * below its (lower) exit threshold, entering needs the (higher) enter threshold.
 */
export function rawLabel(current: Regime, trend: number, volRatio: number, p: RegimeParams): Regime {
  const volatile = current === 'volatile' ? volRatio >= p.volExit : volRatio >= p.volEnter;
  if (volatile) return 'volatile';
  if (current === 'trend_up' && trend > p.trendExit) return 'trend_up';
  if (current === 'trend_down' && trend < -p.trendExit) return 'trend_down';
  if (trend >= p.trendEnter) return 'trend_up';
  if (trend <= -p.trendEnter) return 'trend_down';
  return 'range';
}

/** One bar of the classifier: updates the baselines, then the label after `confirmBars` agreeing bars. */
export function stepSymbol(prev: SymbolRegimeState, f: RegimeFeatures, p: RegimeParams): SymbolRegimeState {
  const bars = prev.bars + 1;
  // Running mean while the EMA warms up, so the first bars are not judged against zero.
  const a = Math.max(1 / bars, 2 / (p.baselineBars + 1));
  const baseAtr = prev.baseAtr + a * (f.atrNorm - prev.baseAtr);
  const baseBb = prev.baseBb + a * (f.bbWidth - prev.baseBb);
  const rAtr = baseAtr > 0 ? f.atrNorm / baseAtr : 1;
  const rBb = baseBb > 0 ? f.bbWidth / baseBb : 1;
  const volRatio = (rAtr + rBb) / 2;
  const trend = trendScore(f);
  const raw = rawLabel(prev.label, trend, volRatio, p);
  let { label, candidate, streak } = prev;
  if (raw === label) {
    candidate = label;
    streak = 0;
  } else {
    streak = raw === candidate ? streak + 1 : 1;
    candidate = raw;
    // The first label needs no confirmation: 'unknown' carries no information to protect.
    if (streak >= p.confirmBars || label === 'unknown') {
      label = raw;
      streak = 0;
    }
  }
  return { label, candidate, streak, baseAtr, baseBb, bars, trend, volRatio, atrNorm: f.atrNorm };
}

/** What the market classifier sees of one symbol. */
export interface CrossSectionItem {
  label: Regime;
  trend: number;
  atrNorm: number;
}

/** Buffers of `marketRegime`, grown to the widest cross-section seen (synchronous use only). */
let scratch = { trends: new Float64Array(64), atrs: new Float64Array(64) };

/**
 * The market regime from the cross-section: volatile when enough symbols are, otherwise the median
 * trend score with the same hysteresis bands as one symbol.
 */
export function marketRegime(current: Regime, items: CrossSectionItem[], p: RegimeParams): { regime: Regime; trend: number; volatility: number } {
  // One pass into reused typed arrays: this runs for every features message over the whole cross-section.
  if (scratch.trends.length < items.length) scratch = { trends: new Float64Array(items.length * 2), atrs: new Float64Array(items.length * 2) };
  const { trends, atrs } = scratch;
  let n = 0;
  let volatileN = 0;
  for (const i of items) {
    if (i.label === 'unknown') continue;
    trends[n] = i.trend;
    atrs[n++] = i.atrNorm;
    if (i.label === 'volatile') volatileN++;
  }
  if (n === 0) return { regime: 'unknown', trend: 0, volatility: 0 };
  const trend = sortedMedian(trends.subarray(0, n).sort());
  const volatility = sortedMedian(atrs.subarray(0, n).sort());
  const share = volatileN / n;
  if (share >= p.marketVolatileShare && share > 0) return { regime: 'volatile', trend, volatility };
  return { regime: rawLabel(current === 'volatile' ? 'range' : current, trend, 0, p), trend, volatility };
}

/** Median of a non-empty list. */
export function median(xs: number[]): number {
  return sortedMedian(Float64Array.from(xs).sort());
}

/** Median of a non-empty, ascending list (a typed array sorts numerically). */
function sortedMedian(s: Float64Array): number {
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}
