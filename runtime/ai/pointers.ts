import { BUCKETS, POLICY_KEYS, subjects, type JournalEntry } from '../../protocols/index.js';
import { encode, msgHeaders } from '../codec.js';
import type { Bus } from '../nats/index.js';
import { decodePolicyValue } from '../trading/policy.js';
import { ModelError } from './errors.js';
import { readModel } from './registry.js';
import type { PointerValue } from './types.js';

export type PointerName = 'champion' | 'challenger' | 'shadow';
const KEY: Record<PointerName, string> = { champion: POLICY_KEYS.champion, challenger: POLICY_KEYS.challenger, shadow: POLICY_KEYS.shadow };

/** The KV key of a pointer. */
export const pointerKey = (p: PointerName): string => KEY[p];

function asPointer(v: unknown): PointerValue | null {
  const p = v as Partial<PointerValue> | null;
  if (!p || !Array.isArray(p.ids) || !p.ids.every((x) => typeof x === 'string')) return null;
  return { ids: p.ids, since: typeof p.since === 'number' ? p.since : 0, by: typeof p.by === 'string' ? p.by : '?', ...(p.evidence ? { evidence: p.evidence } : {}) };
}

/** Reads a pointer; null when unset, deleted or unreadable. */
export async function getPointer(bus: Bus, p: PointerName): Promise<{ value: PointerValue; revision: number } | null> {
  const kv = await bus.kvm.open(BUCKETS.policy);
  const e = await kv.get(KEY[p]);
  if (!e || e.operation !== 'PUT') return null;
  const value = asPointer(decodePolicyValue(e.value));
  return value ? { value, revision: e.revision } : null;
}

/** Every stored revision of a pointer, newest first (qt_policy keeps 10). */
export async function pointerHistory(bus: Bus, p: PointerName): Promise<Array<{ value: PointerValue | null; revision: number }>> {
  const kv = await bus.kvm.open(BUCKETS.policy);
  const it = await kv.history({ key: KEY[p] });
  const out: Array<{ value: PointerValue | null; revision: number }> = [];
  for await (const e of it) out.push({ value: e.operation === 'PUT' ? asPointer(decodePolicyValue(e.value)) : null, revision: e.revision });
  return out.sort((a, b) => b.revision - a.revision);
}

/** Writes a pointer (`expect`: compare-and-set on a revision, 0 = must not exist). Returns the revision. */
export async function setPointer(bus: Bus, p: PointerName, value: PointerValue, expect?: number): Promise<number> {
  const kv = await bus.kvm.open(BUCKETS.policy);
  if (expect === 0) return kv.create(KEY[p], encode(value));
  if (expect !== undefined) return kv.update(KEY[p], encode(value), expect);
  return kv.put(KEY[p], encode(value));
}

/** Publishes a `qt.journal.model` entry (and returns it). */
export async function journalModel(bus: Bus, ts: number, summary: string, data: Record<string, unknown>, msgId?: string): Promise<JournalEntry> {
  const e: JournalEntry = { kind: 'model', ts, summary, data };
  await bus.js.publish(subjects.journal('model'), encode(e), { headers: msgHeaders(), ...(msgId ? { msgID: msgId } : {}) });
  return e;
}

/** Publishes a `qt.journal.alert` entry for an operator. */
export async function journalAlert(bus: Bus, ts: number, severity: 'info' | 'warning' | 'critical', key: string, summary: string, data: Record<string, unknown> = {}): Promise<void> {
  const e: JournalEntry = { kind: 'alert', ts, summary, data: { severity, key, source: 'model', ...data } };
  await bus.js.publish(subjects.journal('alert'), encode(e), { headers: msgHeaders() });
}

export interface PromoteOptions {
  by: string;
  now: number;
  evidence?: Record<string, unknown>;
  /** `replace-family`: the new model takes its family's seat in the ensemble (default); `only`: it becomes the whole champion. */
  mode?: 'replace-family' | 'only';
}

/**
 * Promotes a model to champion: a guarded transition. The model must load and verify (sha256,
 * feature spec) first; the pointer is written compare-and-set; the model leaves the shadow set;
 * the evidence is journaled on `qt.journal.model`.
 */
export async function promoteModel(bus: Bus, id: string, o: PromoteOptions): Promise<PointerValue> {
  const { manifest } = await readModel(bus, id);
  const cur = await getPointer(bus, 'champion');
  let ids = [id];
  if (cur && o.mode !== 'only') {
    const families = await Promise.all(cur.value.ids.map(async (m) => (await readModel(bus, m).catch(() => null))?.manifest.family ?? null));
    ids = [...cur.value.ids.filter((_, i) => families[i] !== manifest.family && cur.value.ids[i] !== id), id];
  }
  const value: PointerValue = { ids, since: o.now, by: o.by, evidence: { promoted: id, previous: cur?.value.ids ?? [], ...(o.evidence ?? {}) } };
  const revision = await setPointer(bus, 'champion', value, cur ? cur.revision : 0);
  const shadow = await getPointer(bus, 'shadow');
  if (shadow?.value.ids.includes(id)) await setPointer(bus, 'shadow', { ...shadow.value, ids: shadow.value.ids.filter((x) => x !== id), since: o.now, by: o.by }, shadow.revision);
  await journalModel(bus, o.now, `champion ${cur?.value.ids.join('+') || '(none)'} → ${ids.join('+')} (promoted ${id} by ${o.by})`, { action: 'promote', id, champion: ids, previous: cur?.value.ids ?? [], revision, evidence: value.evidence ?? {} });
  return value;
}

/**
 * Rolls the champion back to the previous one in the pointer's history. A rollback records the
 * ids it left, and those are skipped later, so repeated rollbacks walk further back instead of
 * toggling between two champions.
 */
export async function rollbackChampion(bus: Bus, o: { by: string; now: number; reason: string; evidence?: Record<string, unknown> }): Promise<PointerValue> {
  const cur = await getPointer(bus, 'champion');
  if (!cur) throw new ModelError('missing', 'no champion to roll back');
  const hist = await pointerHistory(bus, 'champion');
  const key = (ids: string[]) => ids.join(',');
  const left = new Set<string>([key(cur.value.ids)]);
  for (const h of hist) {
    const from = h.value?.evidence?.['rolledBackFrom'];
    if (Array.isArray(from)) left.add(key(from as string[]));
  }
  const target = hist.find((h) => h.revision < cur.revision && h.value && !left.has(key(h.value.ids)))?.value;
  if (!target) throw new ModelError('missing', `no earlier champion to roll back to in the last ${hist.length} revisions of ${KEY.champion}`);
  const value: PointerValue = { ids: target.ids, since: o.now, by: o.by, evidence: { rollback: true, rolledBackFrom: cur.value.ids, reason: o.reason, ...(o.evidence ?? {}) } };
  const revision = await setPointer(bus, 'champion', value, cur.revision);
  await journalModel(bus, o.now, `champion rolled back ${cur.value.ids.join('+')} → ${target.ids.join('+')}: ${o.reason}`, { action: 'rollback', champion: target.ids, previous: cur.value.ids, revision, by: o.by, evidence: value.evidence ?? {} });
  return value;
}

/** Puts a model in (`on`) or takes it out of the shadow set, journaled. */
export async function setShadow(bus: Bus, id: string, on: boolean, o: { by: string; now: number; evidence?: Record<string, unknown> }): Promise<PointerValue> {
  const cur = await getPointer(bus, 'shadow');
  const ids = on ? [...(cur?.value.ids ?? []).filter((x) => x !== id), id] : (cur?.value.ids ?? []).filter((x) => x !== id);
  const value: PointerValue = { ids, since: o.now, by: o.by, ...(o.evidence ? { evidence: o.evidence } : {}) };
  await setPointer(bus, 'shadow', value, cur ? cur.revision : 0);
  await journalModel(bus, o.now, `${id} ${on ? 'enters' : 'leaves'} shadow (by ${o.by})`, { action: on ? 'shadow' : 'unshadow', id, shadow: ids, evidence: o.evidence ?? {} });
  return value;
}
