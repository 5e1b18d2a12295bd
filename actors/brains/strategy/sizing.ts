import type { ExitTemplate, Regime } from '../../../protocols/index.js';

/** Sizing knobs (config `strategy`). */
export interface SizingParams {
  /** Fraction of equity lost if the stop is hit, at confidence 1. @default 0.0025 */
  riskPerTrade: number;
  /** Minimum stop distance, fraction of price (DOMAIN.md's stop-loss: 2 %). @default 0.02 */
  stopPct: number;
  /** Stop distance in ATRs. @default 2 */
  stopAtr: number;
  /** Stop distance in ATRs in a volatile regime. @default 3 */
  volatileStopAtr: number;
  /** Max notional per symbol (open + pending), fraction of equity. @default 0.1 */
  maxSymbolFraction: number;
  /** Max notional over all symbols (open + pending), fraction of equity. @default 1.5 */
  maxTotalFraction: number;
  /** Smallest notional worth an intent (USDT). @default 5 */
  minNotional: number;
  /** Shares of the position closed at TP1, TP2, TP3 (sum 1). @default [0.3, 0.3, 0.4] */
  tpFractions: readonly [number, number, number];
  /** Profit (fraction of entry) after which the stop trails. @default 0.01 */
  trailActivatePct: number;
}

export interface SizingInput {
  equity: number;
  price: number;
  atr?: number | undefined;
  confidence: number;
  regime: Regime;
  /** Notional already open or pending on this symbol, and on all symbols. */
  symbolExposure: number;
  totalExposure: number;
}

export type SizingSkip = 'SYMBOL_CAP' | 'TOTAL_CAP' | 'BELOW_MIN_NOTIONAL' | 'NO_EQUITY';

export type Sizing =
  | { ok: true; qty: number; notional: number; stopDistance: number; rawNotional: number; capped: 'none' | 'symbol' | 'total' }
  | { ok: false; reason: SizingSkip; detail: string; stopDistance: number; rawNotional: number };

/** Hard ceiling of the stop distance: the exit template refuses more than 50%. */
const MAX_STOP = 0.5;

/** Stop distance as a fraction of price: the wider of the floor and the regime's ATR multiple. */
export function stopDistance(p: SizingParams, price: number, atr: number | undefined, regime: Regime): number {
  const mult = regime === 'volatile' ? p.volatileStopAtr : p.stopAtr;
  const byAtr = atr !== undefined && atr > 0 && price > 0 ? (mult * atr) / price : 0;
  return Math.min(MAX_STOP, Math.max(p.stopPct, byAtr));
}

/** Rounds down to `sig` significant digits, so rounding can never grow a position past a cap. */
export function floorSig(x: number, sig = 6): number {
  if (!(x > 0) || !Number.isFinite(x)) return 0;
  const e = Math.floor(Math.log10(x)) - (sig - 1);
  const f = 10 ** -e;
  // Guard the float edge (e.g. 0.3 × 10 = 2.9999…) before flooring.
  return Math.floor(x * f + 1e-9) / f;
}

/**
 * Volatility-targeted size: notional = equity × riskPerTrade / stopDistance, scaled by confidence,
 * then capped per symbol and in total (fractions of equity, open + pending counted), qty rounded
 * down. A loss at the stop is then ≈ riskPerTrade × confidence × equity whatever the symbol's
 * volatility — no fixed dollar amount.
 */
export function sizeIntent(p: SizingParams, s: SizingInput): Sizing {
  const dist = stopDistance(p, s.price, s.atr, s.regime);
  if (!(s.equity > 0)) return { ok: false, reason: 'NO_EQUITY', detail: `equity ${s.equity} ≤ 0`, stopDistance: dist, rawNotional: 0 };
  const rawNotional = ((s.equity * p.riskPerTrade) / dist) * s.confidence;
  const symbolRoom = p.maxSymbolFraction * s.equity - s.symbolExposure;
  const totalRoom = p.maxTotalFraction * s.equity - s.totalExposure;
  let notional = rawNotional;
  let capped: 'none' | 'symbol' | 'total' = 'none';
  if (symbolRoom < notional) (notional = symbolRoom), (capped = 'symbol');
  if (totalRoom < notional) (notional = totalRoom), (capped = 'total');
  const qty = floorSig(notional / s.price);
  const rounded = Math.floor(qty * s.price * 100) / 100;
  if (!(rounded >= p.minNotional) || !(qty > 0)) {
    const reason: SizingSkip = capped === 'symbol' ? 'SYMBOL_CAP' : capped === 'total' ? 'TOTAL_CAP' : 'BELOW_MIN_NOTIONAL';
    const room = capped === 'symbol' ? ` (symbol room ${symbolRoom.toFixed(2)} of ${(p.maxSymbolFraction * s.equity).toFixed(2)})` : capped === 'total' ? ` (total room ${totalRoom.toFixed(2)} of ${(p.maxTotalFraction * s.equity).toFixed(2)})` : '';
    return { ok: false, reason, detail: `notional ${Math.max(0, rounded).toFixed(2)} < min ${p.minNotional}${room}`, stopDistance: dist, rawNotional };
  }
  return { ok: true, qty, notional: rounded, stopDistance: dist, rawNotional, capped };
}

/** Take-profit levels in multiples of the stop distance (R), by regime. */
const LADDERS: Record<Regime, readonly [number, number, number]> = {
  // With the trend: let winners run.
  trend_up: [1.5, 2.5, 4],
  trend_down: [1.5, 2.5, 4],
  // Ranges mean-revert: take profits closer.
  range: [1, 1.5, 2],
  volatile: [1, 2, 3],
  unknown: [1, 1.6, 2.6],
};

/**
 * The exit template proposed with an intent. The stop is given as `stopPct` = the very distance
 * the size was computed from (no `stopAtr`), so the loss at the stop matches the sizing whichever
 * way the exit brain reads it; volatile regimes get wider stops through `volatileStopAtr`.
 */
export function exitTemplate(regime: Regime, dist: number, p: Pick<SizingParams, 'tpFractions' | 'trailActivatePct'>): ExitTemplate {
  const round = (x: number) => Math.round(x * 1e6) / 1e6;
  return {
    stopPct: round(dist),
    takeProfits: LADDERS[regime].map((r, i) => ({ pct: round(Math.min(5, r * dist)), fraction: p.tpFractions[i]! })),
    trailing: { activatePct: round(p.trailActivatePct), callbackPct: round(Math.min(0.05, Math.max(0.002, dist / 2))) },
    breakevenAfterTp1: true,
  };
}
