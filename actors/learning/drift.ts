/**
 * Feature drift by PSI against the training distribution. The reference (per-feature bin edges
 * and frequencies) is computed at registration (runtime/ai/reference.ts) and travels with the
 * model; bins are (-inf, e0], (e0, e1], …, (e_last, +inf).
 */
export interface DriftReference {
  names: string[];
  /** Inner bin edges per feature, ascending. */
  edges: number[][];
  /** Training share per bin, per feature (edges.length + 1 values). */
  freqs: number[][];
  /** Rows the reference was computed from. */
  rows: number;
}

/** Bin index of `x`: the first edge it does not exceed, else the last bin. */
export function binOf(edges: readonly number[], x: number): number {
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (x <= edges[mid]!) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** Bin counts per feature for a batch of rows (each a feature vector). */
export function countBins(ref: DriftReference, rows: ReadonlyArray<ArrayLike<number>>): number[][] {
  const counts = ref.edges.map((e) => new Array<number>(e.length + 1).fill(0));
  for (const r of rows) {
    for (let f = 0; f < ref.edges.length; f++) {
      const x = r[f] as number;
      if (Number.isFinite(x)) counts[f]![binOf(ref.edges[f]!, x)]! += 1;
    }
  }
  return counts;
}

/**
 * Exponentially forgets old counts so the live histogram covers about `window` rows:
 * counts × (1 − 1/window)^rows + added. Keeps state O(features × bins) at any batch size.
 */
export function decayCounts(counts: number[][] | null, added: number[][], rows: number, window: number): number[][] {
  if (!counts || counts.length !== added.length) return added.map((a) => [...a]);
  const k = (1 - 1 / Math.max(1, window)) ** rows;
  return counts.map((c, f) => (c.length === added[f]!.length ? c.map((v, b) => v * k + added[f]![b]!) : [...added[f]!]));
}

/** Population stability index Σ (a − e) · ln(a / e), shares floored at 1e-4 so empty bins stay finite. */
export function psi(expected: readonly number[], actualCounts: readonly number[]): number {
  const total = actualCounts.reduce((a, b) => a + b, 0);
  if (total <= 0) return 0;
  let s = 0;
  for (let b = 0; b < expected.length; b++) {
    const e = Math.max(1e-4, expected[b] ?? 0);
    const a = Math.max(1e-4, (actualCounts[b] ?? 0) / total);
    s += (a - e) * Math.log(a / e);
  }
  return s;
}

/** PSI of every feature. */
export function psiAll(ref: DriftReference, counts: readonly number[][]): number[] {
  return ref.freqs.map((f, i) => psi(f, counts[i] ?? []));
}
