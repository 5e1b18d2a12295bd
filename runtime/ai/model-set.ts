import type { Logger } from 'pino';
import type { Bus } from '../nats/index.js';
import { ModelError, type ModelProblem } from './errors.js';
import { getPointer } from './pointers.js';
import { loadModel, releaseAll, type LoadedModel } from './sessions.js';

/** The loaded champion ensemble and shadow models, and why the champion cannot run (if so). */
export interface ModelSet {
  champion: LoadedModel[];
  shadow: LoadedModel[];
  championIds: string[];
  shadowIds: string[];
  /** Null when the whole champion is loaded. */
  problem: { kind: ModelProblem; reason: string } | null;
  /** Shadow models that failed to load, with reasons. */
  shadowProblems: string[];
}

const same = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

async function loadAll(bus: Bus, ids: readonly string[]): Promise<{ ok: LoadedModel[]; failed: Array<{ id: string; kind: ModelProblem; reason: string }> }> {
  const ok: LoadedModel[] = [];
  const failed: Array<{ id: string; kind: ModelProblem; reason: string }> = [];
  for (const id of ids) {
    try {
      ok.push(await loadModel(bus, id));
    } catch (e) {
      failed.push({ id, kind: e instanceof ModelError ? e.problem : 'invalid', reason: (e as Error).message });
    }
  }
  return { ok, failed };
}

/**
 * Reads the pointers and (re)loads what changed. The champion runs only when EVERY member loads:
 * the promotion evidence was for that ensemble, not a part of it. Never throws; problems are
 * returned for the brain to act on (fallback, journal, alert).
 */
export async function reloadModels(bus: Bus, prev: ModelSet | null, logger: Logger): Promise<ModelSet> {
  let cp: Awaited<ReturnType<typeof getPointer>> = null;
  let sp: Awaited<ReturnType<typeof getPointer>> = null;
  try {
    [cp, sp] = await Promise.all([getPointer(bus, 'champion'), getPointer(bus, 'shadow')]);
  } catch (e) {
    if (prev) return prev;
    return { champion: [], shadow: [], championIds: [], shadowIds: [], problem: { kind: 'missing', reason: `cannot read model pointers: ${(e as Error).message}` }, shadowProblems: [] };
  }
  const cids = cp?.value.ids ?? [];
  const sids = (sp?.value.ids ?? []).filter((id) => !cids.includes(id));
  const next: ModelSet = { champion: [], shadow: [], championIds: cids, shadowIds: sids, problem: null, shadowProblems: [] };
  if (prev && same(prev.championIds, cids) && !prev.problem) next.champion = prev.champion;
  else {
    if (prev) await releaseAll(prev.champion);
    if (cids.length === 0) next.problem = { kind: 'missing', reason: 'no champion model: models.champion is unset or empty in qt_policy' };
    else {
      const r = await loadAll(bus, cids);
      if (r.failed.length) {
        await releaseAll(r.ok);
        next.problem = { kind: r.failed[0]!.kind, reason: `champion ${cids.join('+')} unusable: ${r.failed.map((f) => `[${f.kind}] ${f.reason}`).join('; ')}` };
      } else next.champion = r.ok;
    }
  }
  if (prev && same(prev.shadowIds, sids) && prev.shadowProblems.length === 0) next.shadow = prev.shadow;
  else {
    if (prev) await releaseAll(prev.shadow);
    const r = await loadAll(bus, sids);
    next.shadow = r.ok;
    next.shadowProblems = r.failed.map((f) => `[${f.kind}] ${f.reason}`);
  }
  logger.info({ champion: next.champion.map((m) => m.id), shadow: next.shadow.map((m) => m.id), problem: next.problem?.reason ?? null }, 'ai models loaded');
  return next;
}
