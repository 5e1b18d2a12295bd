import type { Logger } from 'pino';
import { redact } from './redact.js';
import { ruleOf, severityRank, type Alert, type AlertSink } from './types.js';

export interface AlertRouterOptions {
  sinks: AlertSink[];
  /** A key fired again within this window is suppressed and counted. @default 900000 (15 min) */
  dedupWindowMs?: number;
  /** Notices per minute across all keys; beyond it non-critical alerts are suppressed (an alert storm must not hide the one that matters). @default 30 */
  maxPerMinute?: number;
  /** @default Date.now */
  now?: () => number;
  logger?: Logger;
  /** Counts every outcome, e.g. `metrics.alert`. */
  count?: (rule: string, severity: string, outcome: 'sent' | 'suppressed' | 'failed' | 'resolved') => void;
  /** Extra values to scrub from logs, on top of each sink's own secrets. */
  secrets?: string[];
}

export type RouteOutcome = 'sent' | 'suppressed' | 'failed' | 'resolved' | 'inactive';

/** An alert currently firing. */
export interface ActiveAlert {
  alert: Alert;
  lastSentAt: number;
  suppressed: number;
}

/** Routes alerts to every sink with de-duplication, rate limiting and resolved notices. */
export interface AlertRouter {
  /** Fires (or, with `resolved: true`, resolves) an alert. Never throws. */
  route(alert: Alert): Promise<RouteOutcome>;
  /** Sends a "resolved" notice if `key` is firing; otherwise does nothing. */
  resolve(key: string, detail?: string, ts?: number): Promise<RouteOutcome>;
  active(): ActiveAlert[];
  stats(): Record<Exclude<RouteOutcome, 'inactive'>, number>;
}

/** Creates an {@link AlertRouter}. */
export function createAlertRouter(opts: AlertRouterOptions): AlertRouter {
  const window = opts.dedupWindowMs ?? 15 * 60_000;
  const maxPerMinute = opts.maxPerMinute ?? 30;
  const now = opts.now ?? Date.now;
  const active = new Map<string, ActiveAlert>();
  const recent: number[] = [];
  const stats = { sent: 0, suppressed: 0, failed: 0, resolved: 0 };
  const secrets = () => [...(opts.secrets ?? []), ...opts.sinks.flatMap((s) => s.secrets())];

  const tally = (a: Alert, outcome: keyof typeof stats) => {
    stats[outcome]++;
    opts.count?.(ruleOf(a.key), a.severity, outcome);
  };

  /** Delivers to every sink at once; succeeds if at least one sink took it. */
  const deliver = async (a: Alert): Promise<boolean> => {
    if (opts.sinks.length === 0) return false;
    const results = await Promise.allSettled(opts.sinks.map((s) => s.send(a)));
    results.forEach((r, i) => {
      if (r.status === 'rejected') {
        const msg = redact(String((r.reason as Error)?.message ?? r.reason), secrets());
        opts.logger?.warn({ sink: opts.sinks[i]!.name, alert: a.key, error: msg }, `alert sink ${opts.sinks[i]!.name} failed`);
      }
    });
    return results.some((r) => r.status === 'fulfilled');
  };

  const router: AlertRouter = {
    async route(alert) {
      if (alert.resolved) return router.resolve(alert.key, alert.detail, alert.ts);
      const t = now();
      const prev = active.get(alert.key);
      const escalates = prev && severityRank(alert.severity) > severityRank(prev.alert.severity);
      if (prev && !escalates && t - prev.lastSentAt < window) {
        prev.suppressed++;
        tally(alert, 'suppressed');
        return 'suppressed';
      }
      while (recent.length && t - recent[0]! >= 60_000) recent.shift();
      if (alert.severity !== 'critical' && recent.length >= maxPerMinute) {
        tally(alert, 'suppressed');
        opts.logger?.warn({ alert: alert.key }, 'alert rate limit reached: suppressed');
        return 'suppressed';
      }
      const out: Alert = { ...alert, ...(prev?.suppressed ? { suppressed: prev.suppressed } : {}) };
      recent.push(t);
      // Recorded before delivery so a concurrent repeat is suppressed, and a failed key retries only after the window.
      active.set(alert.key, { alert: out, lastSentAt: t, suppressed: 0 });
      const ok = await deliver(out);
      tally(alert, ok ? 'sent' : 'failed');
      opts.logger?.[ok ? 'info' : 'error']({ alert: alert.key, severity: alert.severity, title: redact(alert.title, secrets()) }, ok ? 'alert sent' : 'alert not delivered by any sink');
      return ok ? 'sent' : 'failed';
    },
    async resolve(key, detail, ts) {
      const prev = active.get(key);
      if (!prev) return 'inactive';
      active.delete(key);
      const a: Alert = { ...prev.alert, resolved: true, ts: ts ?? now(), detail: detail ?? `${prev.alert.title}: condition cleared`, suppressed: prev.suppressed };
      const ok = await deliver(a);
      tally(a, ok ? 'resolved' : 'failed');
      return ok ? 'resolved' : 'failed';
    },
    active: () => [...active.values()],
    stats: () => ({ ...stats }),
  };
  return router;
}
