import { z } from 'zod';

export const SIDES = ['BUY', 'SELL', 'HOLD'] as const;
export type SignalSide = (typeof SIDES)[number];

/** One ensemble member's say in a signal. */
export const ContributionSchema = z.strictObject({
  model: z.string(),
  family: z.string(),
  version: z.string(),
  /** Probabilities of [SELL, HOLD, BUY]. */
  probs: z.tuple([z.number(), z.number(), z.number()]),
  weight: z.number().nonnegative(),
});
export type Contribution = z.infer<typeof ContributionSchema>;

/**
 * A signal on `qt.signal.<symbol>`. `source` says honestly where it came from: the model
 * ensemble, or a labelled fallback rule (`fallback:momentum`, `fallback:rsi`) — never silent.
 */
export const SignalSchema = z.strictObject({
  symbol: z.string(),
  venue: z.string(),
  /** Close time of the candle that produced it. */
  ts: z.number().int(),
  interval: z.string(),
  side: z.enum(SIDES),
  confidence: z.number().min(0).max(1),
  source: z.enum(['model', 'fallback']),
  /** `ensemble:<pointer>` or `fallback:<rule>`. */
  attribution: z.string(),
  contributions: z.array(ContributionSchema).default([]),
  /** Why a fallback ran (model missing, stale, failing…). */
  reason: z.string().optional(),
  /** Last close, for sizing downstream. */
  price: z.number().positive(),
  /** ATR at the signal, for exit templates. */
  atr: z.number().nonnegative().optional(),
});
export type Signal = z.infer<typeof SignalSchema>;

export function signalMsgId(s: Pick<Signal, 'venue' | 'symbol' | 'interval' | 'ts'>): string {
  return `sig:${s.venue}:${s.symbol}:${s.interval}:${s.ts}`;
}
