import type { SupervisionEvent } from '../../protocols/index.js';
import type { Alert } from './types.js';

export interface CrashLoopOptions {
  /** Restarts of one path within `windowMs` that make a crash loop. @default 3 */
  restarts?: number;
  /** @default 60000 */
  windowMs?: number;
}

/** Restart times per path and which paths are flagged; plain data so the rule stays pure. */
export interface SupervisionRuleState {
  restarts: Record<string, number[]>;
  looping: string[];
}

export const initialSupervisionState = (): SupervisionRuleState => ({ restarts: {}, looping: [] });

const labelsOf = (e: SupervisionEvent): Record<string, string> => ({ path: e.path, kind: e.kind, ...(e.node ? { node: e.node } : {}) });

/** An escalation is always critical: a supervisor gave up and failed into its parent. */
export function escalationAlert(e: SupervisionEvent): Alert | undefined {
  if (e.type !== 'escalated') return undefined;
  const root = !e.path.includes('.');
  return {
    key: `escalated:${e.path}`,
    severity: 'critical',
    title: `Supervisor ${e.path} escalated${root ? ' (root: the process exits and systemd restarts it)' : ''}`,
    detail: `${e.reason ?? 'restart intensity exceeded'}; restarts=${e.restarts}${e.node ? ` on ${e.node}` : ''}`,
    ts: e.ts,
    labels: labelsOf(e),
  };
}

/**
 * Crash-loop detection: N `restarted` events of one path within a window. The old bridge
 * crash-looped every 55 s for days; each restart looked healthy on its own. The alert resolves
 * at the first event of that path after a whole quiet window.
 */
export function evaluateCrashLoop(state: SupervisionRuleState, e: SupervisionEvent, opts: CrashLoopOptions = {}): { state: SupervisionRuleState; alerts: Alert[] } {
  const n = opts.restarts ?? 3;
  const windowMs = opts.windowMs ?? 60_000;
  const times = (state.restarts[e.path] ?? []).filter((t) => e.ts - t < windowMs);
  if (e.type === 'restarted') times.push(e.ts);
  const restarts = { ...state.restarts, [e.path]: times };
  if (times.length === 0) delete restarts[e.path];
  const flagged = state.looping.includes(e.path);
  const key = `crashloop:${e.path}`;
  if (!flagged && times.length >= n) {
    const alert: Alert = {
      key,
      severity: 'critical',
      title: `Crash loop: ${e.path} restarted ${times.length} times in ${Math.round(windowMs / 1000)} s`,
      detail: `last reason: ${e.reason ?? 'unknown'}${e.fresh ? ' (restarted fresh, snapshot dropped)' : ''}`,
      ts: e.ts,
      labels: labelsOf(e),
    };
    return { state: { restarts, looping: [...state.looping, e.path] }, alerts: [alert] };
  }
  if (flagged && times.length === 0) {
    const alert: Alert = { key, severity: 'info', title: `Crash loop of ${e.path} ended`, detail: `no restart for ${Math.round(windowMs / 1000)} s`, ts: e.ts, labels: labelsOf(e), resolved: true };
    return { state: { restarts, looping: state.looping.filter((p) => p !== e.path) }, alerts: [alert] };
  }
  return { state: { restarts, looping: state.looping }, alerts: [] };
}

/** Both supervision rules for one event. */
export function evaluateSupervision(state: SupervisionRuleState, e: SupervisionEvent, opts: CrashLoopOptions = {}): { state: SupervisionRuleState; alerts: Alert[] } {
  const loop = evaluateCrashLoop(state, e, opts);
  const esc = escalationAlert(e);
  return { state: loop.state, alerts: esc ? [esc, ...loop.alerts] : loop.alerts };
}
