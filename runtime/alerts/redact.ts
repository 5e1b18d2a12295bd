import { REDACTED } from '../log/index.js';

/**
 * Replaces every known secret value in `text`. Applied to everything a sink or the router logs:
 * a Telegram bot token lives in the URL, and fetch errors and HTTP bodies can echo it back.
 */
export function redact(text: string, secrets: Iterable<string | undefined>): string {
  let out = text;
  const list = [...secrets].filter((s): s is string => !!s && s.length >= 4).sort((a, b) => b.length - a.length);
  for (const s of list) out = out.split(s).join(REDACTED);
  return out;
}

/** Text of an alert for chat and mail sinks: severity, title, detail, labels; one line each. */
export function formatText(a: { severity: string; title: string; detail: string; labels: Record<string, string>; resolved?: boolean; suppressed?: number; ts: number }): string {
  const head = a.resolved ? `RESOLVED: ${a.title}` : `[${a.severity.toUpperCase()}] ${a.title}`;
  const labels = Object.entries(a.labels).map(([k, v]) => `${k}=${v}`).join(' ');
  const lines = [head, a.detail, labels, new Date(a.ts).toISOString()];
  if (a.suppressed) lines.push(`(${a.suppressed} repeat${a.suppressed === 1 ? '' : 's'} suppressed since the last notice)`);
  return lines.filter(Boolean).join('\n');
}
