import type { OutputEvent } from '../../protocols/index.js';
import { decayCounts, psiAll, type DriftReference } from './drift.js';
import { alertEntry, modelEntry, riskControl, round4 } from './journal.js';

/** What an active detector does to trading: warn (trade on, `degraded`), reduce-only, or halt. */
export type Action = 'warn' | 'reduce-only' | 'halt';
export type Detector = 'bias' | 'drift' | 'calibration' | 'errors' | 'latency' | 'fallback';
export type SupervisorStatus = 'ok' | 'degraded' | 'reduce-only' | 'halt';

export interface SupervisorInput {
  /** Signals in the bias window. @default 200 */ biasWindow?: number;
  /** Max share of one side (SELL, HOLD or BUY) in the window. @default 0.7 */ biasMax?: number;
  /** Action on a BUY- or SELL-dominated window (a HOLD-dominated one only warns). @default 'reduce-only' */ onBias?: Action;
  /** Rows the live feature histogram covers. @default 2000 */ psiWindow?: number;
  /** Rows needed before drift is judged. @default 500 */ psiMinRows?: number;
  /** PSI above which a feature has drifted. @default 0.25 */ psiAlert?: number;
  /** @default 'warn' */ onDrift?: Action;
  /** Realised outcomes in the calibration window. @default 200 */ brierWindow?: number;
  /** Live Brier may exceed the manifest's by this much. @default 0.05 */ brierMargin?: number;
  /** @default 'warn' */ onCalibration?: Action;
  /** Batches in the error window. @default 20 */ errorWindow?: number;
  /** Share of failed inference calls that trips the detector. @default 0.2 */ maxErrorRate?: number;
  /** @default 'warn' */ onErrors?: Action;
  /** Smoothed batch latency, ms. @default 1000 */ maxLatencyMs?: number;
  /** @default 'warn' */ onLatency?: Action;
  /**
   * A tripped detector clears only after its reading stayed on the good side this long (market
   * ms): estimates over a window hover around their threshold, and each flap moved the risk mode
   * and paged the operator. The fallback state is a fact and clears at once. @default 600000
   */
  clearAfterMs?: number;
}

export type SupervisorEvent =
  | { type: 'reference'; ids: string[]; brier: number; logLoss: number; ref: DriftReference | null; at: number }
  | { type: 'observe'; ts: number; sides: string; rows: number; bins: number[][] | null; latencyMs: number; calls: number; errors: number; at: number }
  | { type: 'outcomes'; ts: number; n: number; brier: number; logLoss: number; at: number }
  | { type: 'fallback'; ts: number; active: boolean; policy: 'trade' | 'reduce-only' | 'halt'; reason: string; at: number }
  | { type: 'qt.fresh'; reason?: string; at: number };

interface Active {
  action: Action;
  reason: string;
  since: number;
  /** Since when the reading has been on the good side, while the detector waits to clear. */
  clearSince?: number;
}

export interface SupervisorContext {
  o: Required<SupervisorInput>;
  champion: { ids: string[]; brier: number; logLoss: number } | null;
  ref: DriftReference | null;
  /** Last biasWindow signal sides as S/H/B characters. */
  sides: string;
  counts: number[][] | null;
  rowsSeen: number;
  brier: { w: number; sum: number; n: number };
  errors: Array<[calls: number, errors: number]>;
  latencyMs: number | null;
  active: Partial<Record<Detector, Active>>;
  status: SupervisorStatus;
  reason: string;
  lastPsi: number[];
}

const DEFAULTS: Required<SupervisorInput> = {
  biasWindow: 200, biasMax: 0.7, onBias: 'reduce-only', psiWindow: 2000, psiMinRows: 500, psiAlert: 0.25, onDrift: 'warn',
  brierWindow: 200, brierMargin: 0.05, onCalibration: 'warn', errorWindow: 20, maxErrorRate: 0.2, onErrors: 'warn', maxLatencyMs: 1000, onLatency: 'warn',
  clearAfterMs: 600_000,
};

export function initialSupervisorContext(input: SupervisorInput = {}): SupervisorContext {
  return {
    o: { ...DEFAULTS, ...input }, champion: null, ref: null, sides: '', counts: null, rowsSeen: 0, brier: { w: 0, sum: 0, n: 0 },
    errors: [], latencyMs: null, active: {}, status: 'ok', reason: '', lastPsi: [],
  };
}

const RANK: Record<SupervisorStatus, number> = { ok: 0, degraded: 1, 'reduce-only': 2, halt: 3 };
const statusOf = (a: Action): SupervisorStatus => (a === 'warn' ? 'degraded' : a);

/** Readings of every detector from the context (numbers for journal entries and metrics). */
export function readings(c: SupervisorContext) {
  const n = c.sides.length;
  const share = ['S', 'H', 'B'].map((s) => (n ? [...c.sides].filter((x) => x === s).length / n : 0));
  const calls = c.errors.reduce((a, e) => a + e[0], 0);
  const errs = c.errors.reduce((a, e) => a + e[1], 0);
  return {
    share, window: n, psi: c.lastPsi, maxPsi: c.lastPsi.length ? Math.max(...c.lastPsi) : 0,
    liveBrier: c.brier.w > 0 ? c.brier.sum / c.brier.w : null, brierN: c.brier.n, errorRate: calls ? errs / calls : 0, latencyMs: c.latencyMs,
  };
}

/**
 * The model supervisor's whole logic (pure). Detectors: prediction bias (> biasMax of one side
 * over the last biasWindow signals), feature drift (PSI per feature vs the training reference),
 * calibration drift (live Brier of realised outcomes vs the manifest), inference errors and
 * latency, plus the brain's fallback state. Every detector change is a journal `model` entry
 * with its numbers (and an alert when it trips); the worst action becomes the status sent to
 * the risk brain. It never blocks silently: a status change always names its reasons.
 */
export function supervisorStep(ctx: SupervisorContext, ev: SupervisorEvent): { ctx: SupervisorContext; outputs: OutputEvent[] } {
  const c: SupervisorContext = { ...ctx, active: { ...ctx.active } };
  const out: OutputEvent[] = [];
  const at = ev.at;
  const set = (d: Detector, on: boolean, action: Action, reason: string, data: Record<string, unknown>, hold = c.o.clearAfterMs) => {
    const was = c.active[d];
    if (on && !was) {
      c.active[d] = { action, reason, since: at };
      out.push(modelEntry(at, `model supervisor: ${d} detected — ${reason} (action ${action})`, { detector: d, action, ...data }));
      out.push(alertEntry(at, action === 'warn' ? 'warning' : 'critical', `model:${d}`, `Model ${d}: ${reason}`, { detector: d, action, ...data }));
    } else if (on && was) c.active[d] = { action: was.action, reason, since: was.since };
    else if (!on && was && at - (was.clearSince ?? at) < hold) c.active[d] = { ...was, clearSince: was.clearSince ?? at };
    else if (!on && was) {
      delete c.active[d];
      out.push(modelEntry(at, `model supervisor: ${d} cleared — ${reason}`, { detector: d, cleared: true, ...data }));
      out.push(alertEntry(at, 'info', `model:${d}`, `Model ${d} cleared: ${reason}`, { detector: d, resolved: true, ...data }));
    }
  };
  const o = c.o;
  switch (ev.type) {
    case 'reference': {
      const changed = c.champion?.ids.join(',') !== ev.ids.join(',');
      c.champion = { ids: ev.ids, brier: ev.brier, logLoss: ev.logLoss };
      c.ref = ev.ref;
      if (changed) {
        // A new champion is judged on its own predictions: old windows described another model.
        c.sides = '';
        c.counts = null;
        c.rowsSeen = 0;
        c.brier = { w: 0, sum: 0, n: 0 };
        c.lastPsi = [];
        for (const d of ['bias', 'drift', 'calibration'] as const) if (c.active[d]) set(d, false, c.active[d]!.action, `new champion ${ev.ids.join('+')}`, {}, 0);
        out.push(modelEntry(at, `model supervisor: watching champion ${ev.ids.join('+')} (manifest Brier ${round4(ev.brier)}, log-loss ${round4(ev.logLoss)})`, { ids: ev.ids, brier: ev.brier, logLoss: ev.logLoss, drift: ev.ref ? 'reference loaded' : 'no reference' }));
      }
      break;
    }
    case 'observe': {
      c.sides = (c.sides + ev.sides).slice(-o.biasWindow);
      if (ev.bins && c.ref) {
        c.counts = decayCounts(c.counts, ev.bins, ev.rows, o.psiWindow);
        c.rowsSeen += ev.rows;
        c.lastPsi = psiAll(c.ref, c.counts).map(round4);
      }
      c.errors = [...c.errors, [ev.calls, ev.errors] as [number, number]].slice(-o.errorWindow);
      c.latencyMs = c.latencyMs === null ? ev.latencyMs : c.latencyMs + 0.2 * (ev.latencyMs - c.latencyMs);
      const r = readings(c);
      if (r.window >= o.biasWindow) {
        const top = Math.max(...r.share);
        const side = ['SELL', 'HOLD', 'BUY'][r.share.indexOf(top)]!;
        const on = c.active.bias ? top > o.biasMax - 0.05 : top > o.biasMax;
        // A HOLD-dominated model is uninformative, not dangerous (HOLD opens nothing): warn. A
        // one-sided BUY or SELL stream (the old system's 99% SELL) gets the configured action.
        set('bias', on, side === 'HOLD' ? 'warn' : o.onBias, `${(top * 100).toFixed(1)}% ${side} over the last ${r.window} signals (max ${(o.biasMax * 100).toFixed(0)}%)`, { share: r.share.map(round4), window: r.window, side });
      }
      if (c.ref && c.rowsSeen >= o.psiMinRows) {
        const worst = c.ref.names.map((name, i) => ({ name, psi: r.psi[i] ?? 0 })).filter((x) => x.psi > (c.active.drift ? o.psiAlert * 0.8 : o.psiAlert));
        set('drift', worst.length > 0, o.onDrift, worst.length ? `PSI > ${o.psiAlert} on ${worst.map((w) => `${w.name} ${w.psi}`).join(', ')}` : `max PSI ${round4(r.maxPsi)}`, { psi: Object.fromEntries(c.ref.names.map((n, i) => [n, r.psi[i] ?? 0])), rows: c.rowsSeen });
      }
      const calls = c.errors.reduce((a, e) => a + e[0], 0);
      if (calls > 0) set('errors', r.errorRate > o.maxErrorRate, o.onErrors, `inference error rate ${(r.errorRate * 100).toFixed(1)}% over ${c.errors.length} batches (max ${(o.maxErrorRate * 100).toFixed(0)}%)`, { errorRate: round4(r.errorRate) });
      if (c.latencyMs !== null) set('latency', c.latencyMs > (c.active.latency ? o.maxLatencyMs * 0.8 : o.maxLatencyMs), o.onLatency, `batch latency ${c.latencyMs.toFixed(1)} ms (max ${o.maxLatencyMs} ms)`, { latencyMs: round4(c.latencyMs) });
      break;
    }
    case 'outcomes': {
      if (ev.n <= 0) break;
      const k = (1 - 1 / o.brierWindow) ** ev.n;
      c.brier = { w: c.brier.w * k + ev.n, sum: c.brier.sum * k + ev.brier, n: c.brier.n + ev.n };
      const live = c.brier.sum / c.brier.w;
      if (c.champion && c.brier.n >= o.brierWindow) {
        const limit = c.champion.brier + (c.active.calibration ? o.brierMargin * 0.8 : o.brierMargin);
        set('calibration', live > limit, o.onCalibration, `live Brier ${round4(live)} vs manifest ${round4(c.champion.brier)} (margin ${o.brierMargin}) over ${c.brier.n} outcomes`, { liveBrier: round4(live), manifestBrier: c.champion.brier, outcomes: c.brier.n });
      }
      break;
    }
    case 'fallback':
      set('fallback', ev.active, ev.policy === 'trade' ? 'warn' : ev.policy, ev.active ? `fallback rule running under policy ${ev.policy}: ${ev.reason}` : `model ensemble back: ${ev.reason}`, { policy: ev.policy }, 0);
      break;
    case 'qt.fresh':
      out.push(modelEntry(at, 'model supervisor started fresh (snapshot dropped): windows rebuild from the next batches', { fresh: ev.reason ?? null }));
      break;
  }
  const act = Object.entries(c.active) as [Detector, Active][];
  const status = act.reduce<SupervisorStatus>((s, [, a]) => (RANK[statusOf(a.action)] > RANK[s] ? statusOf(a.action) : s), 'ok');
  const reason = act.map(([d, a]) => `${d}: ${a.reason}`).join('; ');
  const keysChanged = Object.keys(c.active).sort().join() !== Object.keys(ctx.active).sort().join();
  if (status !== c.status || keysChanged) {
    out.push(riskControl(status, reason || 'all detectors clear', at));
    const head = status === c.status ? `model supervisor status stays ${status}, detectors changed` : `model supervisor status ${c.status} → ${status}`;
    out.push(modelEntry(at, `${head}${reason ? `: ${reason}` : ''}`, { status, previous: c.status, readings: readings(c) }));
  }
  c.status = status;
  c.reason = reason;
  return { ctx: c, outputs: out };
}
