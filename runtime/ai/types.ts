import { z } from 'zod';
import type { Signal } from '../../protocols/index.js';

/** Probabilities of [SELL, HOLD, BUY]. */
export type Probs = [number, number, number];

/** A features message of a symbol actor (`qt.features.<venue>.<SYM>`). */
export const FeaturesMessageSchema = z.object({
  venue: z.string().min(1),
  symbol: z.string().regex(/^[A-Z0-9]{2,30}$/),
  interval: z.string().min(1),
  ts: z.number().int().nonnegative(),
  close: z.number().finite().positive(),
  ready: z.boolean(),
  /** First 16 hex digits of the feature spec hash the actor computed with. */
  spec: z.string().min(1),
  features: z.array(z.number().finite()),
  window: z.array(z.number().finite()),
  atr: z.number().finite().nonnegative().nullable(),
});
export type FeaturesMessage = z.infer<typeof FeaturesMessageSchema>;

/** Value of the `models.champion` / `models.challenger` / `models.shadow` keys in KV `qt_policy`. */
export interface PointerValue {
  /** Ensemble members (one id for a single model). */
  ids: string[];
  since: number;
  by: string;
  evidence?: Record<string, unknown>;
}

/** Per-feature bin edges and training shares, stored beside a model as `<id>.reference.json`. */
export interface DriftReference {
  names: string[];
  edges: number[][];
  freqs: number[][];
  rows: number;
}

/** What the decision core needs of a model (from its manifest). */
export interface MemberInfo {
  id: string;
  family: string;
  version: string;
  pooled: { logLoss: number; brier: number; calibration?: Array<{ lo: number; hi: number; n: number; confidence: number | null; accuracy: number | null }> };
}

export interface CoreOptions {
  eta: number;
  halfLife: number;
  label: { horizon: number; deadZoneK: number; intervalMs: number };
  fallbackRule: 'momentum' | 'rsi';
}

/** A features message as the core reads it. */
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

/** A prediction whose label horizon has passed. */
export interface Resolved {
  symbol: string;
  ts: number;
  label: 0 | 1 | 2;
  probs: Record<string, Probs>;
}

type Loss = { logLoss: number; brier: number };

/**
 * The pure decision logic of the AI brain, injected by the composition root (runtime/cli/defs-ai.ts
 * passes actors/brains/ai and actors/learning): runtime must not import actors. `S` is the core's
 * plain-data state; the brain only holds it.
 */
export interface AiLogic<S = unknown> {
  createCore(opts: CoreOptions): S;
  setModels(s: S, champion: MemberInfo[], shadow: MemberInfo[]): void;
  weights(s: S): Record<string, number>;
  observe(s: S, row: FeaturesRow): Resolved[];
  modelSignal(s: S, row: FeaturesRow, probs: Readonly<Record<string, Probs>>): Signal;
  trackShadow(s: S, row: FeaturesRow, probs: Readonly<Record<string, Probs>>): void;
  fallbackSignal(s: S, row: FeaturesRow, policy: 'trade' | 'reduce-only' | 'halt', why: string): Signal;
  pairedLosses(done: readonly Resolved[], other: string): { n: number; a: Loss; b: Loss };
  lossOf(p: Probs, label: 0 | 1 | 2): Loss;
  validProbs(p: ArrayLike<number>): boolean;
  countBins(ref: DriftReference, rows: ReadonlyArray<ArrayLike<number>>): number[][];
  decayCounts(counts: number[][] | null, added: number[][], rows: number, window: number): number[][];
  psiAll(ref: DriftReference, counts: readonly number[][]): number[];
  /** Key of the ensemble in `Resolved.probs`. */
  ENSEMBLE: string;
}
