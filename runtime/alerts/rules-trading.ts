import type { Alert, Severity } from './types.js';

/** Account sample for the drawdown rule. */
export interface DrawdownSample {
  /** 0..1 from the equity peak. */
  drawdown: number;
  equityUsd: number;
  ts: number;
}

export interface DrawdownOptions {
  /** @default [0.05, 0.10, 0.20] */
  thresholds?: number[];
  /** A level clears only below `threshold × (1 − hysteresis)`, so noise at the line does not flap. @default 0.1 */
  hysteresis?: number;
}

/** Thresholds currently breached. */
export interface DrawdownState {
  breached: number[];
}

const pct = (x: number) => `${Math.round(x * 1000) / 10}%`;
const severityFor = (t: number, all: number[]): Severity => (t === Math.min(...all) ? 'warning' : 'critical');

/**
 * Fires once per threshold crossed upward and resolves it when drawdown recovers. Nobody was
 * told about the old system's −36 % in 33 h; every level here pages.
 */
export function evaluateDrawdown(state: DrawdownState, s: DrawdownSample, opts: DrawdownOptions = {}): { state: DrawdownState; alerts: Alert[] } {
  const thresholds = [...(opts.thresholds ?? [0.05, 0.1, 0.2])].sort((a, b) => a - b);
  const h = opts.hysteresis ?? 0.1;
  const alerts: Alert[] = [];
  const breached: number[] = [];
  for (const t of thresholds) {
    const was = state.breached.includes(t);
    const key = `drawdown:${Math.round(t * 100)}`;
    const labels = { threshold: pct(t) };
    if (!was && s.drawdown >= t) {
      alerts.push({ key, severity: severityFor(t, thresholds), title: `Drawdown ${pct(s.drawdown)} crossed ${pct(t)}`, detail: `equity ${s.equityUsd.toFixed(2)} USD`, ts: s.ts, labels });
      breached.push(t);
    } else if (was && s.drawdown < t * (1 - h)) {
      alerts.push({ key, severity: 'info', title: `Drawdown back below ${pct(t)}`, detail: `drawdown ${pct(s.drawdown)}, equity ${s.equityUsd.toFixed(2)} USD`, ts: s.ts, labels, resolved: true });
    } else if (was) breached.push(t);
  }
  return { state: { breached }, alerts };
}

/** An open position as the exit brain sees it. */
export interface PositionProtection {
  symbol: string;
  openedAt: number;
  /** Whether a venue-side stop order is confirmed. */
  hasStop: boolean;
}

/** Symbols alerted as unprotected. */
export interface UnprotectedState {
  alerted: string[];
}

/**
 * A position without a venue-side stop for more than `graceMs` is critical (the old exit brain's
 * stops failed with −4006 and positions stood naked). Resolves once a stop exists or it closes.
 */
export function evaluateUnprotected(state: UnprotectedState, positions: PositionProtection[], now: number, graceMs = 5_000): { state: UnprotectedState; alerts: Alert[] } {
  const alerts: Alert[] = [];
  const naked = positions.filter((p) => !p.hasStop && now - p.openedAt > graceMs);
  for (const p of naked) {
    if (state.alerted.includes(p.symbol)) continue;
    alerts.push({ key: `unprotected:${p.symbol}`, severity: 'critical', title: `${p.symbol} position has no venue-side stop`, detail: `open for ${Math.round((now - p.openedAt) / 1000)} s without a stop (limit ${graceMs / 1000} s)`, ts: now, labels: { symbol: p.symbol } });
  }
  const still = new Set(naked.map((p) => p.symbol));
  for (const sym of state.alerted) {
    if (!still.has(sym)) alerts.push({ key: `unprotected:${sym}`, severity: 'info', title: `${sym} is protected or closed`, detail: 'venue-side stop confirmed or position closed', ts: now, labels: { symbol: sym }, resolved: true });
  }
  return { state: { alerted: [...still] }, alerts };
}

/** A circuit breaker transition. */
export interface BreakerEvent {
  venue: string;
  name: string;
  state: 'closed' | 'half_open' | 'open';
  reason?: string;
  ts: number;
}

/** Open fires, closed resolves, half-open says nothing (it is the breaker probing). */
export function breakerAlert(e: BreakerEvent): Alert | undefined {
  const key = `breaker:${e.venue}:${e.name}`;
  const labels = { venue: e.venue, name: e.name };
  if (e.state === 'open') return { key, severity: 'warning', title: `Circuit breaker ${e.venue}/${e.name} open`, detail: e.reason ?? 'too many failures', ts: e.ts, labels };
  if (e.state === 'closed') return { key, severity: 'info', title: `Circuit breaker ${e.venue}/${e.name} closed`, detail: 'calls succeed again', ts: e.ts, labels, resolved: true };
  return undefined;
}

/** A fallback signal is never silent: it alerts per symbol; a model signal again resolves it. */
export function fallbackAlert(s: { symbol: string; source: 'model' | 'fallback'; attribution: string; reason?: string; ts: number }): Alert {
  const key = `fallback:${s.symbol}`;
  if (s.source === 'model') return { key, severity: 'info', title: `${s.symbol} back on model signals`, detail: s.attribution, ts: s.ts, labels: { symbol: s.symbol }, resolved: true };
  return { key, severity: 'warning', title: `${s.symbol} is trading on fallback signals (${s.attribution})`, detail: s.reason ?? 'model unavailable', ts: s.ts, labels: { symbol: s.symbol, attribution: s.attribution } };
}

/** The champion was rolled back to the previous one. */
export function modelRollbackAlert(e: { model: string; from: string; to: string; reason: string; ts: number }): Alert {
  return { key: `rollback:${e.model}`, severity: 'critical', title: `Model ${e.model} rolled back ${e.from} → ${e.to}`, detail: e.reason, ts: e.ts, labels: { model: e.model, from: e.from, to: e.to } };
}

/** A continuous-learning job failed (the old CLM trained models nobody loaded, silently). */
export function clmFailureAlert(e: { job: string; error: string; ts: number }): Alert {
  return { key: `clm:${e.job}`, severity: 'warning', title: `CLM job ${e.job} failed`, detail: e.error, ts: e.ts, labels: { job: e.job } };
}
