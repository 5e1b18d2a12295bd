import { z } from 'zod';
import { SYMBOL_PATTERN } from './names.js';

const finite = z.number().finite();

/**
 * The features message of a symbol actor on `qt.features.<venue>.<SYM>`, described once for every
 * reader. The values are ordered by the feature spec whose hash prefix is in `spec`; a producer
 * outside the spec (a tool, a test) may name them in `names` instead. The window (temporal model
 * input) and ATR are optional here: the regime brain reads neither. The AI brain requires them, see
 * {@link ModelFeaturesMessageSchema}.
 */
export const FeaturesMessageSchema = z.object({
  venue: z.string().min(1),
  symbol: z.string().regex(SYMBOL_PATTERN),
  interval: z.string().min(1),
  ts: z.number().int().nonnegative(),
  close: finite.positive(),
  ready: z.boolean(),
  /** First 16 hex digits of the feature spec hash the actor computed with. */
  spec: z.string().min(1).optional(),
  /** Names of the values, for producers that do not follow a spec. */
  names: z.array(z.string()).optional(),
  features: z.array(finite),
  /** Temporal-model window, time-major (see the feature spec). */
  window: z.array(finite).optional(),
  /** Wilder ATR(14) in price units; null during warm-up. */
  atr: finite.nonnegative().nullable().optional(),
});

/** What the AI brain runs models on: the spec stamp, the window and the ATR are required. */
export const ModelFeaturesMessageSchema = FeaturesMessageSchema.required({ spec: true, window: true, atr: true });
export type FeaturesMessage = z.infer<typeof ModelFeaturesMessageSchema>;

/** One symbol's features message as the AI brain's decision core reads it. */
export interface FeaturesRow {
  venue: string;
  symbol: string;
  interval: string;
  ts: number;
  close: number;
  atr: number | null;
  ready: boolean;
  features: number[];
}

/** Rule of the labelled fallback signal (DESIGN section 6). */
export type FallbackRule = 'momentum' | 'rsi';

/** How an outcome is labelled: horizon in candles, dead zone in ATR multiples, candle length. */
export interface LabelRule {
  horizon: number;
  deadZoneK: number;
  intervalMs: number;
}

/** One bin of a model's reliability table: predicted confidence against observed accuracy. */
export interface ReliabilityBin {
  lo: number;
  hi: number;
  n: number;
  confidence: number | null;
  accuracy: number | null;
}

/** What the decision core needs to know about a loaded model (from its manifest). */
export interface MemberInfo {
  id: string;
  family: string;
  version: string;
  /** Pooled walk-forward metrics of the manifest. */
  pooled: { logLoss: number; brier: number; calibration?: ReliabilityBin[] };
}

/** Settings of the AI brain's decision core. */
export interface CoreOptions {
  /** Sharpness of the performance weights (see weightsOf). @default 50 */
  eta: number;
  /** Half-life of live scores, in realised outcomes. @default 500 */
  halfLife: number;
  label: LabelRule;
  fallbackRule: FallbackRule;
}
