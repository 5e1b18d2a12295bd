import type { Regime, Signal } from '../../../protocols/index.js';
import type { SizingSkip } from './sizing.js';

/** Why a signal did not become an intent. Every one is journaled; nothing is filtered silently. */
export const SKIP_REASONS = ['HOLD', 'LOW_CONFIDENCE', 'AGAINST_REGIME', 'DUPLICATE', 'INVALID_INTENT', 'SYMBOL_CAP', 'TOTAL_CAP', 'BELOW_MIN_NOTIONAL', 'NO_EQUITY'] as const;
export type SkipReason = (typeof SKIP_REASONS)[number] | SizingSkip;

export interface GateParams {
  /** @default 0.6 */
  minConfidence: number;
  /** @default 'skip' */
  againstTrend: 'skip' | 'allow';
}

export type Gate =
  | { take: true; regime: Regime; regimeSource: 'symbol' | 'market' | 'none' }
  | { take: false; reason: SkipReason; detail: string; regime: Regime; regimeSource: 'symbol' | 'market' | 'none' };

/**
 * The regime a signal is judged against: the symbol's own when known, else the market's. A
 * symbol in a range inside a falling market is judged by its own regime.
 */
export function effectiveRegime(symbol: Regime | undefined, market: Regime | undefined): { regime: Regime; regimeSource: 'symbol' | 'market' | 'none' } {
  if (symbol && symbol !== 'unknown') return { regime: symbol, regimeSource: 'symbol' };
  if (market && market !== 'unknown') return { regime: market, regimeSource: 'market' };
  return { regime: 'unknown', regimeSource: 'none' };
}

/** Whether the side fights the regime's trend (volatile and range regimes have no trend to fight). */
export function againstRegime(side: 'BUY' | 'SELL', regime: Regime): boolean {
  return (side === 'BUY' && regime === 'trend_down') || (side === 'SELL' && regime === 'trend_up');
}

/** The gate before sizing: HOLD, confidence, then the regime filter. */
export function gate(s: Pick<Signal, 'side' | 'confidence'>, symbolRegime: Regime | undefined, marketRegime: Regime | undefined, p: GateParams): Gate {
  const r = effectiveRegime(symbolRegime, marketRegime);
  if (s.side === 'HOLD') return { take: false, reason: 'HOLD', detail: 'HOLD signals are never traded', ...r };
  if (s.confidence < p.minConfidence) return { take: false, reason: 'LOW_CONFIDENCE', detail: `confidence ${s.confidence.toFixed(3)} < min ${p.minConfidence}`, ...r };
  if (p.againstTrend === 'skip' && againstRegime(s.side, r.regime)) {
    return { take: false, reason: 'AGAINST_REGIME', detail: `${s.side} against ${r.regime} (${r.regimeSource} regime)`, ...r };
  }
  return { take: true, ...r };
}
