import type { RiskMode } from '../../../protocols/index.js';

/** What the CEO brain looks at. */
export interface CeoMetrics {
  /** Share of the loss limits used: max(daily loss / daily limit, weekly drawdown / weekly limit). */
  lossUse: number;
  /** Signed PnL since the day start, fraction of start-of-day equity. */
  dailyPnlPct: number;
  /** Supervision escalations in the window. */
  escalations: number;
  /** Positions without a confirmed stop, and the oldest one's age (ms). */
  unprotected: number;
  unprotectedMs: number;
  /** Model supervisor status (`ok`, `degraded`, `reduce-only`, `halt`, `blocked`). */
  model: string;
}

export interface CeoThresholds {
  /** @default 0.3 (1.5% daily loss with a 5% limit) */
  safeLossUse: number;
  /** @default 0.6 */
  criticalLossUse: number;
  /** @default 1 */
  safeEscalations: number;
  /** @default 3 */
  criticalEscalations: number;
  /** @default 5000 */
  safeUnprotectedMs: number;
  /** @default 60000 */
  criticalUnprotectedMs: number;
  /** Daily gain needed for AGGRESSIVE. @default 0.02 */
  aggressiveGainPct: number;
  /** @default false */
  allowAggressive: boolean;
  /** De-escalation needs the metrics below threshold × band (hysteresis). @default 0.75 */
  band: number;
  /** ms a calmer mode must hold before stepping down one level. @default 1800000 */
  calmMs: number;
}

export const DEFAULT_CEO_THRESHOLDS: CeoThresholds = {
  safeLossUse: 0.3, criticalLossUse: 0.6, safeEscalations: 1, criticalEscalations: 3, safeUnprotectedMs: 5_000,
  criticalUnprotectedMs: 60_000, aggressiveGainPct: 0.02, allowAggressive: false, band: 0.75, calmMs: 1_800_000,
};

const SEV: Record<RiskMode, number> = { AGGRESSIVE: 0, NORMAL: 1, SAFE: 2, CRITICAL: 3 };
const LADDER: RiskMode[] = ['AGGRESSIVE', 'NORMAL', 'SAFE', 'CRITICAL'];

/** The mode the metrics call for; `k` < 1 scales thresholds down (stricter, for de-escalation). */
export function targetMode(m: CeoMetrics, t: CeoThresholds, k = 1): { mode: RiskMode; reasons: string[] } {
  const pct = (x: number) => `${(x * 100).toFixed(0)}%`;
  const critical: string[] = [];
  if (m.lossUse >= t.criticalLossUse * k) critical.push(`loss limits ${pct(m.lossUse)} used ≥ ${pct(t.criticalLossUse * k)}`);
  if (m.escalations >= t.criticalEscalations) critical.push(`${m.escalations} supervision escalations`);
  if (m.unprotected > 0 && m.unprotectedMs >= t.criticalUnprotectedMs * k) critical.push(`a position unprotected for ${m.unprotectedMs} ms`);
  if (m.model === 'halt' || m.model === 'blocked') critical.push(`model supervisor ${m.model}`);
  if (critical.length) return { mode: 'CRITICAL', reasons: critical };
  const safe: string[] = [];
  if (m.lossUse >= t.safeLossUse * k) safe.push(`loss limits ${pct(m.lossUse)} used ≥ ${pct(t.safeLossUse * k)}`);
  if (m.escalations >= t.safeEscalations) safe.push(`${m.escalations} supervision escalation(s)`);
  if (m.unprotected > 0 && m.unprotectedMs > t.safeUnprotectedMs * k) safe.push(`${m.unprotected} unprotected position(s)`);
  if (m.model === 'degraded' || m.model === 'reduce-only') safe.push(`model supervisor ${m.model}`);
  if (safe.length) return { mode: 'SAFE', reasons: safe };
  const calm = m.model === 'ok' && m.escalations === 0 && m.unprotected === 0;
  if (t.allowAggressive && calm && m.dailyPnlPct >= t.aggressiveGainPct / k) return { mode: 'AGGRESSIVE', reasons: [`daily PnL +${pct(m.dailyPnlPct)}, healthy`] };
  return { mode: 'NORMAL', reasons: ['limits and health clear'] };
}

/**
 * Hysteresis: worse news switches at once; better news must hold (against thresholds × band)
 * for `calmMs`, and then the mode steps down one level at a time (CRITICAL → SAFE → NORMAL).
 */
export function decideMode(current: RiskMode, m: CeoMetrics, t: CeoThresholds, calmSince: number | null, at: number): { mode: RiskMode; calmSince: number | null; reasons: string[] } {
  const up = targetMode(m, t, 1);
  if (SEV[up.mode] > SEV[current]) return { mode: up.mode, calmSince: null, reasons: up.reasons };
  const down = targetMode(m, t, t.band);
  if (SEV[down.mode] >= SEV[current]) return { mode: current, calmSince: null, reasons: [] };
  if (calmSince === null) return { mode: current, calmSince: at, reasons: [] };
  if (at - calmSince < t.calmMs) return { mode: current, calmSince, reasons: [] };
  const next = LADDER[SEV[current] - 1]!;
  return { mode: next, calmSince: at, reasons: [`calm for ${Math.round((at - calmSince) / 60_000)} min: ${down.reasons.join('; ')}`] };
}
