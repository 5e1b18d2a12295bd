import type { RiskMode, TradingState } from '../../../protocols/index.js';
import type { RiskLimits } from './limits.js';

/** AGGRESSIVE < NORMAL < SAFE < CRITICAL: higher is stricter. */
export const MODE_SEVERITY: Record<RiskMode, number> = { AGGRESSIVE: 0, NORMAL: 1, SAFE: 2, CRITICAL: 3 };

/** The stricter of two modes; `null` means "no opinion". */
export function stricterMode(a: RiskMode, b: RiskMode | null): RiskMode {
  return b !== null && MODE_SEVERITY[b] > MODE_SEVERITY[a] ? b : a;
}

/**
 * Limits of a risk mode, from the NORMAL limits in config:
 * - SAFE: half the size, exposure and open positions, leverage ≤ 3x, loss limits × 0.6, double cooldown.
 * - NORMAL: the config as is.
 * - AGGRESSIVE: × 1.5 size/exposure, × 1.25 positions, leverage × 1.5 (≤ 20x), half the cooldown.
 *   Loss limits are never loosened: AGGRESSIVE takes more risk per trade, not more total loss.
 * - CRITICAL: SAFE's numbers and exits only.
 */
export function modeLimits(mode: RiskMode, base: RiskLimits): RiskLimits {
  switch (mode) {
    case 'NORMAL':
      return { ...base, exitsOnly: false };
    case 'AGGRESSIVE':
      return {
        ...base,
        maxPositionNotional: base.maxPositionNotional * 1.5,
        maxExposureX: base.maxExposureX * 1.5,
        maxOpenPositions: Math.round(base.maxOpenPositions * 1.25),
        maxLeverage: Math.min(20, Math.max(base.maxLeverage, Math.floor(base.maxLeverage * 1.5))),
        cooldownMs: base.cooldownMs / 2,
        exitsOnly: false,
      };
    case 'SAFE':
    case 'CRITICAL':
      return {
        ...base,
        maxPositionNotional: base.maxPositionNotional / 2,
        maxExposureX: base.maxExposureX / 2,
        maxOpenPositions: Math.max(1, Math.floor(base.maxOpenPositions / 2)),
        maxLeverage: Math.min(base.maxLeverage, 3),
        maxDailyLossPct: base.maxDailyLossPct * 0.6,
        maxWeeklyDrawdownPct: base.maxWeeklyDrawdownPct * 0.6,
        maxSymbolPct: base.maxSymbolPct / 2,
        maxClusterPct: base.maxClusterPct / 2,
        cooldownMs: base.cooldownMs * 2,
        exitsOnly: mode === 'CRITICAL',
      };
  }
}

/** 0 = fine, 1 = at `reduceAt` × limit (REDUCING), 2 = at the limit (HALTED). */
export type LossLevel = 0 | 1 | 2;

export function lossLevel(value: number, limit: number, reduceAt: number): LossLevel {
  // Tolerance so that 4% of 5% × 0.8 counts despite binary fractions.
  if (value >= limit - 1e-9) return 2;
  if (value >= limit * reduceAt - 1e-9) return 1;
  return 0;
}

/** Trading state from the latched daily and weekly levels: the worse one wins. */
export function tradingStateOf(daily: LossLevel, weekly: LossLevel): TradingState {
  const l = Math.max(daily, weekly);
  return l === 2 ? 'HALTED' : l === 1 ? 'REDUCING' : 'ACTIVE';
}
