import type { Intent, PositionUpdate } from '../../../protocols/index.js';
import type { RiskLimits } from './limits.js';

/** NORMAL limits with the config defaults (runtime/config `risk`), for tests. */
export const TEST_LIMITS: RiskLimits = {
  maxPositionNotional: 1_000, maxLeverage: 10, maxOpenPositions: 20, maxExposureX: 3, maxDailyLossPct: 0.05, maxWeeklyDrawdownPct: 0.15,
  reduceAt: 0.8, maxSymbolPct: 0.2, maxClusterPct: 0.4, cooldownMs: 30 * 60_000, maxOrdersPerSec: 5, orderBurst: 10,
  unprotectedGraceMs: 5_000, staleIntentMs: 120_000, minNotional: 5, exitsOnly: false,
};

/** A valid entry intent at `ts` for `symbol` (price 100, so qty = notional / 100). */
export function testIntent(symbol: string, ts: number, o: Partial<Intent> = {}): Intent {
  const price = o.price ?? 100;
  const notional = o.notional ?? 150;
  const side = o.side ?? 'BUY';
  return {
    intentId: `${symbol}:${ts}:${side}`, symbol, venue: 'sim', ts, kind: 'entry', side, confidence: 0.7, attribution: 'fallback:momentum',
    price, qty: notional / price, notional, leverage: 3,
    exit: { stopPct: 0.02, takeProfits: [{ pct: 0.02, fraction: 1 }], trailing: { activatePct: 0.01, callbackPct: 0.008 }, breakevenAfterTp1: true },
    ...o,
  };
}

/** A position update; `realizedPnl` is cumulative for the position (intentId + openedAt). */
export function testPosition(symbol: string, ts: number, o: Partial<PositionUpdate> = {}): PositionUpdate {
  return {
    symbol, state: 'open', side: 'LONG', qty: 1.5, avgEntry: 100, markPrice: 100, realizedPnl: 0, unrealizedPnl: 0, fees: 0, funding: 0,
    stop: null, unprotectedSince: null, attribution: 'fallback:momentum', intentId: `${symbol}:${ts}:BUY`, openedAt: ts, ts, ...o,
  };
}
