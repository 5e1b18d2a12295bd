import { OUTPUT_EVENT, subjects, type JournalEntry, type OutputEvent } from '../../protocols/index.js';

/** A `qt.journal.model` entry as a machine output. */
export function modelEntry(ts: number, summary: string, data: Record<string, unknown>, attribution?: string): OutputEvent {
  const e: JournalEntry = { kind: 'model', ts, summary, data, ...(attribution ? { attribution } : {}) };
  return { type: OUTPUT_EVENT, subject: subjects.journal('model'), data: e };
}

/** A `qt.journal.alert` entry: what an operator must see (the alert router pages on these). */
export function alertEntry(ts: number, severity: 'info' | 'warning' | 'critical', key: string, summary: string, data: Record<string, unknown>): OutputEvent {
  const e: JournalEntry = { kind: 'alert', ts, summary, data: { severity, key, source: 'model', ...data } };
  return { type: OUTPUT_EVENT, subject: subjects.journal('alert'), data: e };
}

/** Control input of the risk brain (and CEO): `qt.in.risk.main`. */
export function riskControl(status: string, reason: string, ts: number): OutputEvent {
  return { type: OUTPUT_EVENT, subject: subjects.actorInput('risk', 'main'), data: { type: 'model-supervisor', status, reason, ts } };
}

const r4 = (x: number) => Math.round(x * 1e4) / 1e4;
/** Rounds numbers for journal text and data. */
export const round4 = r4;
