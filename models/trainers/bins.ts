import type { Rng } from '../eval/rng.js';

/** Per-feature split candidates: ascending float32 values seen in the data. */
export interface Binning {
  thresholds: number[][];
}

const SAMPLE = 20_000;

/**
 * Quantile thresholds per feature from a seeded sample of rows, then each value coded as the
 * number of thresholds below it. "code <= b" is then exactly "x <= thresholds[b]".
 */
export function binRows(X: Float32Array, n: number, F: number, bins: number, rng: Rng): { codes: Uint8Array; binning: Binning } {
  if (bins < 2 || bins > 256) throw new Error(`bins must be in [2, 256], got ${bins}`);
  const m = Math.min(n, SAMPLE);
  const pick = new Uint32Array(m);
  for (let i = 0; i < m; i++) pick[i] = n <= SAMPLE ? i : rng.int(n);
  const thresholds: number[][] = [];
  const col = new Float32Array(m);
  for (let f = 0; f < F; f++) {
    for (let i = 0; i < m; i++) col[i] = X[(pick[i] as number) * F + f] as number;
    col.sort();
    const t: number[] = [];
    for (let b = 1; b < bins; b++) {
      const v = col[Math.min(m - 1, Math.floor((b * m) / bins))] as number;
      // The largest value would put everything left; skip it and duplicates.
      if (v < (col[m - 1] as number) && (t.length === 0 || v > (t[t.length - 1] as number))) t.push(v);
    }
    thresholds.push(t);
  }
  const codes = new Uint8Array(n * F);
  for (let i = 0; i < n; i++) {
    for (let f = 0; f < F; f++) {
      const x = X[i * F + f] as number;
      const t = thresholds[f]!;
      let lo = 0, hi = t.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if ((t[mid] as number) < x) lo = mid + 1;
        else hi = mid;
      }
      codes[i * F + f] = lo;
    }
  }
  return { codes, binning: { thresholds } };
}
