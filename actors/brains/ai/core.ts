import type { CoreOptions, FeaturesRow, MemberInfo, Signal } from '../../../protocols/index.js';
import { momentumRule, rsiRule, type FallbackDecision } from '../../symbol/fallback.js';
import { buildCalibrator, calibrateEnsemble, type Calibrator } from './calibrate.js';
import { combine, type MemberOutput, type Probs } from './ensemble.js';
import { resolve, track, type OutcomeBook, type Resolved } from './outcomes.js';
import { lossOf, priorScore, updateScore, weightsOf, type Score } from './performance.js';

/** Key of the champion ensemble's own score and probabilities. */
export const ENSEMBLE = 'ensemble';
const HOUR = 3_600_000;
const RSI_INDEX = 4; // FEATURE_NAMES.indexOf('rsi_14'), fixed by the feature spec's order

// Shared with runtime/ai, which may not import actors: the shapes live in protocols.
export type { CoreOptions, FeaturesRow, MemberInfo };

/** The brain's decision state: plain data, so it can be snapshotted. */
export interface CoreState {
  opts: CoreOptions;
  champion: MemberInfo[];
  shadow: MemberInfo[];
  cals: Record<string, Calibrator>;
  scores: Record<string, Score>;
  book: OutcomeBook;
  hourly: Record<string, number[]>;
}

/** Fallback policies (DESIGN section 6): never silent, never a hidden filter. */
export type FallbackPolicy = 'trade' | 'reduce-only' | 'halt';

export function createCore(opts: CoreOptions): CoreState {
  return { opts, champion: [], shadow: [], cals: {}, scores: {}, book: {}, hourly: {} };
}

/** Installs a new champion and shadow set; scores of models already known carry over. */
export function setModels(s: CoreState, champion: MemberInfo[], shadow: MemberInfo[]): void {
  s.champion = champion;
  s.shadow = shadow;
  for (const m of [...champion, ...shadow]) {
    s.cals[m.id] ??= buildCalibrator(m.pooled.calibration);
    s.scores[m.id] ??= priorScore(m.pooled);
  }
  if (champion.length) {
    const w = weightsOf(s.scores, champion.map((m) => m.id), s.opts.eta);
    const mix = (k: 'logLoss' | 'brier') => champion.reduce((a, m) => a + (w[m.id] ?? 0) * m.pooled[k], 0);
    // A new ensemble starts from its members' manifest numbers, not the previous ensemble's record.
    s.scores[ENSEMBLE] = priorScore({ logLoss: mix('logLoss'), brier: mix('brier') });
  }
}

/** Current ensemble weights of the champion members. */
export function weights(s: CoreState): Record<string, number> {
  return weightsOf(s.scores, s.champion.map((m) => m.id), s.opts.eta);
}

/**
 * Feeds one features message before any decision on it: remembers hourly closes for the
 * momentum rule, and resolves earlier predictions of the symbol whose horizon has passed,
 * updating every predictor's live score. Returns the resolved outcomes.
 */
export function observe(s: CoreState, row: FeaturesRow): Resolved[] {
  if ((row.ts + 1) % HOUR === 0 || s.opts.label.intervalMs >= HOUR) {
    s.hourly[row.symbol] = [...(s.hourly[row.symbol] ?? []), row.close].slice(-25);
  }
  const done = resolve(s.book, row.symbol, row.ts, row.close, s.opts.label);
  for (const r of done) {
    for (const [id, p] of Object.entries(r.probs)) {
      const cur = s.scores[id];
      if (cur) s.scores[id] = updateScore(cur, p, r.label, s.opts.halfLife);
    }
  }
  return done;
}

/**
 * The champion's signal for one row: weighted soft vote of the members, confidence calibrated
 * with the members' reliability tables, contributions per member. Remembers the prediction
 * (with the shadows' probabilities) for its realised outcome.
 */
export function modelSignal(s: CoreState, row: FeaturesRow, probs: Readonly<Record<string, Probs>>): Signal {
  const w = weights(s);
  const members: MemberOutput[] = s.champion.map((m) => ({ model: m.id, family: m.family, version: m.version, probs: probs[m.id]!, weight: w[m.id] ?? 0 }));
  const ens = combine(members);
  const confidence = calibrateEnsemble(s.champion.map((m) => ({ cal: s.cals[m.id]!, weight: w[m.id] ?? 0 })), ens.top);
  const tracked: Record<string, Probs> = { [ENSEMBLE]: ens.probs };
  for (const m of [...s.champion, ...s.shadow]) if (probs[m.id]) tracked[m.id] = probs[m.id]!;
  if (row.atr !== null) track(s.book, row.symbol, { ts: row.ts, close: row.close, atr: row.atr, probs: tracked, side: ens.side }, s.opts.label);
  return {
    symbol: row.symbol, venue: row.venue, ts: row.ts, interval: row.interval, side: ens.side, confidence,
    source: 'model', attribution: 'ensemble:champion', contributions: members.map((m) => ({ ...m, probs: [...m.probs] as Probs })),
    reason: `p(${ens.side})=${ens.top.toFixed(4)} calibrated ${confidence.toFixed(4)}`,
    price: row.close, ...(row.atr !== null ? { atr: row.atr } : {}),
  };
}

/** Remembers shadow-only predictions (while the champion is down) so shadows keep a live record. */
export function trackShadow(s: CoreState, row: FeaturesRow, probs: Readonly<Record<string, Probs>>): void {
  const tracked: Record<string, Probs> = {};
  for (const m of s.shadow) if (probs[m.id]) tracked[m.id] = probs[m.id]!;
  if (row.atr !== null && Object.keys(tracked).length) track(s.book, row.symbol, { ts: row.ts, close: row.close, atr: row.atr, probs: tracked, side: 'HOLD' }, s.opts.label);
}

/** The labelled rule's decision for a row (the same rules the symbol actors run). */
export function ruleDecision(s: CoreState, row: FeaturesRow): FallbackDecision {
  if (s.opts.fallbackRule === 'rsi') return rsiRule(row.features[RSI_INDEX] ?? 0);
  const hourly = s.hourly[row.symbol] ?? [];
  return momentumRule(row.close, hourly[0], Math.max(1, hourly.length - 1));
}

/**
 * A fallback signal under the policy: `trade` publishes the rule's call, `reduce-only` publishes
 * it marked as exits-only (risk blocks entries on the supervisor's status), `halt` publishes HOLD.
 * Always `source: 'fallback'`, attribution `fallback:<rule>`, with why the model is not used.
 */
export function fallbackSignal(s: CoreState, row: FeaturesRow, policy: FallbackPolicy, why: string): Signal {
  const d = ruleDecision(s, row);
  const halted = policy === 'halt';
  return {
    symbol: row.symbol, venue: row.venue, ts: row.ts, interval: row.interval,
    side: halted ? 'HOLD' : d.side, confidence: halted ? 0 : d.confidence, source: 'fallback', attribution: d.attribution, contributions: [],
    reason: `${policy}${policy === 'reduce-only' ? ' (exits only)' : ''}: ${why}; ${halted ? `rule said ${d.side}: ` : ''}${d.reason}`,
    price: row.close, ...(row.atr !== null ? { atr: row.atr } : {}),
  };
}

/** Sums of losses over outcomes where both the ensemble and `other` predicted (a paired comparison). */
export function pairedLosses(done: readonly Resolved[], other: string): { n: number; a: { logLoss: number; brier: number }; b: { logLoss: number; brier: number } } {
  const out = { n: 0, a: { logLoss: 0, brier: 0 }, b: { logLoss: 0, brier: 0 } };
  for (const r of done) {
    const pa = r.probs[ENSEMBLE];
    const pb = r.probs[other];
    if (!pa || !pb) continue;
    const la = lossOf(pa, r.label);
    const lb = lossOf(pb, r.label);
    out.n += 1;
    out.a.logLoss += la.logLoss;
    out.a.brier += la.brier;
    out.b.logLoss += lb.logLoss;
    out.b.brier += lb.brier;
  }
  return out;
}
