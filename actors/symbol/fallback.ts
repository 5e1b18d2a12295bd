import type { FallbackRule, SignalSide } from '../../protocols/index.js';

export type { FallbackRule };

export interface FallbackDecision {
  side: SignalSide;
  confidence: number;
  attribution: `fallback:${FallbackRule}`;
  reason: string;
}

/**
 * The old system's momentum fallback, kept as a labelled rule: BUY above +1% over 24 h, SELL below
 * -1%, else HOLD; confidence 0.50 + |change%| × 0.02, capped at 0.95. Shorter history is used
 * (and said so) until 24 h have been seen.
 */
export function momentumRule(close: number, reference: number | undefined, hours: number): FallbackDecision {
  if (reference === undefined || !(reference > 0)) {
    return { side: 'HOLD', confidence: 0.5, attribution: 'fallback:momentum', reason: 'no reference close yet' };
  }
  const pct = (close / reference - 1) * 100;
  const side: SignalSide = pct > 1 ? 'BUY' : pct < -1 ? 'SELL' : 'HOLD';
  const confidence = Math.min(0.95, 0.5 + Math.abs(pct) * 0.02);
  return { side, confidence, attribution: 'fallback:momentum', reason: `change over ${hours}h ${pct.toFixed(3)}%${hours < 24 ? ' (less than 24h of history)' : ''}` };
}

/** RSI(14) rule: BUY below 30, SELL above 70; `rsiScaled` is the feature (RSI - 50) / 50. */
export function rsiRule(rsiScaled: number): FallbackDecision {
  const rsi = rsiScaled * 50 + 50;
  const side: SignalSide = rsi < 30 ? 'BUY' : rsi > 70 ? 'SELL' : 'HOLD';
  const confidence = Math.min(0.95, 0.5 + Math.abs(rsi - 50) / 100);
  return { side, confidence, attribution: 'fallback:rsi', reason: `RSI ${rsi.toFixed(1)}` };
}
