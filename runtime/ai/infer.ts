import type { ModelProblem } from './errors.js';
import { runModel, type LoadedModel } from './sessions.js';
import type { FeaturesMessage, Probs } from './types.js';

/** Result of one batch: probabilities per row and model, and what went wrong. */
export interface BatchInference {
  probs: Array<Record<string, Probs>>;
  /** Why the champion's output cannot be used for this batch (null: it can). */
  problem: { kind: ModelProblem; reason: string } | null;
  calls: number;
  errors: number;
  shadowErrors: string[];
  /** ms spent in inference (all members and shadows). */
  ms: number;
}

/** [n, width] float32 rows of one input kind. */
export function packRows(rows: readonly FeaturesMessage[], input: 'features' | 'window', width: number): Float32Array {
  const out = new Float32Array(rows.length * width);
  rows.forEach((r, i) => out.set(input === 'features' ? r.features : r.window, i * width));
  return out;
}

function valid(p: Float32Array, o: number): boolean {
  const a = p[o]!, b = p[o + 1]!, c = p[o + 2]!;
  return [a, b, c].every((x) => Number.isFinite(x) && x >= -1e-6 && x <= 1 + 1e-6) && Math.abs(a + b + c - 1) < 1e-3;
}

/**
 * Runs every champion member and shadow model ONCE over the whole batch (one [N, width] tensor
 * each: the point of batching across symbols). A member that throws or returns non-probabilities
 * makes the champion unusable for the batch; a failing shadow is only reported.
 */
export async function inferBatch(rows: readonly FeaturesMessage[], champion: readonly LoadedModel[], shadow: readonly LoadedModel[], runChampion: boolean): Promise<BatchInference> {
  const t0 = performance.now();
  const res: BatchInference = { probs: rows.map(() => ({})), problem: null, calls: 0, errors: 0, shadowErrors: [], ms: 0 };
  const n = rows.length;
  if (n === 0) return res;
  const packed = new Map<string, Float32Array>();
  const input = (m: LoadedModel) => {
    let x = packed.get(m.input);
    if (!x) packed.set(m.input, (x = packRows(rows, m.input, m.width)));
    return x;
  };
  // All sessions are started together: onnxruntime-node runs each `run` in its own setImmediate,
  // so one after another costs an event-loop turn per member and per batch. The results are then
  // applied in member order with the sequential contract (calls, errors and probabilities up to
  // the first failing champion member only), so the batch result is the same as one by one.
  type Outcome = { ok: true; out: Float32Array } | { ok: false; message: string };
  const attempt = async (m: LoadedModel): Promise<Outcome> => {
    try {
      const out = await runModel(m, input(m), n);
      for (let i = 0; i < n; i++) if (!valid(out, i * 3)) throw new Error(`${m.id}: row ${i} is not a probability vector [${Array.from(out.subarray(i * 3, i * 3 + 3)).join(', ')}]`);
      return { ok: true, out };
    } catch (e) {
      return { ok: false, message: (e as Error).message };
    }
  };
  const apply = (m: LoadedModel, r: Outcome): string | null => {
    res.calls += 1;
    if (!r.ok) {
      res.errors += 1;
      return r.message;
    }
    const { out } = r;
    for (let i = 0; i < n; i++) res.probs[i]![m.id] = [out[i * 3]!, out[i * 3 + 1]!, out[i * 3 + 2]!];
    return null;
  };
  const members = runChampion ? champion : [];
  const outs = await Promise.all([...members, ...shadow].map(attempt));
  for (let k = 0; k < members.length; k++) {
    const err = apply(members[k]!, outs[k]!);
    if (err) {
      res.problem = { kind: 'failing', reason: err };
      break;
    }
  }
  shadow.forEach((m, k) => {
    const err = apply(m, outs[members.length + k]!);
    if (err) res.shadowErrors.push(err);
  });
  res.ms = performance.now() - t0;
  return res;
}
