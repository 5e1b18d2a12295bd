import type { LabelRule } from '../../../protocols/index.js';
import type { Probs } from './ensemble.js';

/** A prediction waiting for its label horizon to pass. */
export interface PendingPrediction {
  ts: number;
  close: number;
  atr: number;
  /** Probabilities per predictor id: members, shadows, and `ensemble`. */
  probs: Record<string, Probs>;
  side: 'SELL' | 'HOLD' | 'BUY';
}

/** A prediction whose forward return is now known. */
export interface Resolved {
  symbol: string;
  ts: number;
  label: 0 | 1 | 2;
  /** Realised forward log return over the horizon. */
  fwd: number;
  probs: Record<string, Probs>;
  side: PendingPrediction['side'];
}

/** The label rule of the manifests (models/eval): horizon H candles, volatility-scaled dead zone. */
export type { LabelRule };

/** Pending predictions by symbol (plain data). */
export type OutcomeBook = Record<string, PendingPrediction[]>;

/** Remembers a prediction; keeps at most `4 × horizon` per symbol so a silent symbol cannot grow it. */
export function track(book: OutcomeBook, symbol: string, p: PendingPrediction, rule: LabelRule): void {
  if (!(p.close > 0) || !(p.atr > 0)) return;
  const list = (book[symbol] ??= []);
  list.push(p);
  if (list.length > rule.horizon * 4) list.splice(0, list.length - rule.horizon * 4);
}

/**
 * Resolves the predictions of `symbol` whose horizon ended at or before `ts`, using `close` at
 * `ts`: label BUY if log(close/close₀) > k·(ATR/close₀)·√H, SELL below −that, else HOLD — the
 * exact rule the models were trained on, so live scores compare with the manifests'.
 * A close that comes late (gap) still resolves, against the first close after the horizon.
 */
export function resolve(book: OutcomeBook, symbol: string, ts: number, close: number, rule: LabelRule): Resolved[] {
  const list = book[symbol];
  if (!list || list.length === 0 || !(close > 0)) return [];
  const horizonMs = rule.horizon * rule.intervalMs;
  const out: Resolved[] = [];
  while (list.length > 0 && list[0]!.ts + horizonMs <= ts) {
    const p = list.shift()!;
    const fwd = Math.log(close / p.close);
    const dz = rule.deadZoneK * (p.atr / p.close) * Math.sqrt(rule.horizon);
    out.push({ symbol, ts: p.ts, label: fwd > dz ? 2 : fwd < -dz ? 0 : 1, fwd, probs: p.probs, side: p.side });
  }
  if (list.length === 0) delete book[symbol];
  return out;
}
