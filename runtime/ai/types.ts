import type { CoreOptions, FeaturesRow, MemberInfo, Signal } from '../../protocols/index.js';

// The features message and the decision core's shapes are described once, in protocols (the
// regime brain and actors/brains/ai read them too); re-exported for runtime/ai's readers.
export type { CoreOptions, FeaturesMessage, FeaturesRow, MemberInfo } from '../../protocols/index.js';

/** Probabilities of [SELL, HOLD, BUY]. */
export type Probs = [number, number, number];

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
