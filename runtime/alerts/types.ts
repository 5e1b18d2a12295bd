/** Alert severities, lowest first. */
export const SEVERITIES = ['info', 'warning', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

/**
 * One alert. `key` identifies the condition (`drawdown:10`, `crashloop:root.brains.risk`): the
 * router de-duplicates on it and a later alert with `resolved: true` and the same key clears it.
 */
export interface Alert {
  key: string;
  severity: Severity;
  title: string;
  detail: string;
  /** ms since epoch, from the event (not the wall clock of the router). */
  ts: number;
  labels: Record<string, string>;
  /** A "resolved" notice for a previously fired key. */
  resolved?: boolean;
  /** Set by the router: how many alerts with this key were suppressed since the last one sent. */
  suppressed?: number;
}

/** A destination for alerts. Implementations throw on failure; the router counts and logs it. */
export interface AlertSink {
  readonly name: string;
  send(alert: Alert): Promise<void>;
  /** Values that must never appear in a log line (tokens, passwords, secret URLs). */
  secrets(): string[];
}

/** The rule family of an alert key (`drawdown:10` → `drawdown`), used as a metric label. */
export function ruleOf(key: string): string {
  return key.split(':')[0] ?? key;
}

export function severityRank(s: Severity): number {
  return SEVERITIES.indexOf(s);
}
