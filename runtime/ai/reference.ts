import { readFileSync } from 'node:fs';
import type { Candle } from '../../protocols/index.js';
import { FIXTURE_BTC_1M, parseKlineCsv } from '../../models/data/index.js';
import { computeFeatureMatrix, FEATURE_NAMES, FEATURE_SPEC } from '../../models/features/index.js';
import type { DriftReference } from './types.js';

/** Bin of x for inner edges (must agree with actors/learning/drift.ts `binOf`; a test checks it). */
function binOf(edges: readonly number[], x: number): number {
  let i = 0;
  while (i < edges.length && x > edges[i]!) i++;
  return i;
}

/**
 * Drift reference from feature rows: per feature, deciles as bin edges (repeated edges merged, so
 * a constant feature such as the always-zero funding column gets one bin) and the share of rows
 * per bin. Stored next to the model; the model supervisor computes PSI against it.
 */
export function buildReference(rows: Float32Array, n: number, bins = 10): DriftReference {
  const F = FEATURE_SPEC.size;
  const edges: number[][] = [];
  const freqs: number[][] = [];
  for (let f = 0; f < F; f++) {
    const col = new Float64Array(n);
    for (let i = 0; i < n; i++) col[i] = rows[i * F + f]!;
    col.sort();
    const e: number[] = [];
    for (let q = 1; q < bins; q++) {
      const v = col[Math.min(n - 1, Math.floor((q / bins) * n))]!;
      if (e.length === 0 || v > e[e.length - 1]!) e.push(v);
    }
    const counts = new Array<number>(e.length + 1).fill(0);
    for (let i = 0; i < n; i++) counts[binOf(e, col[i]!)]! += 1;
    edges.push(e);
    freqs.push(counts.map((c) => c / Math.max(1, n)));
  }
  return { names: [...FEATURE_NAMES], edges, freqs, rows: n };
}

/** Reference from candle series (one per symbol): the ready rows of the feature spec. */
export function referenceFromCandles(series: readonly (readonly Candle[])[]): DriftReference {
  const parts: Float32Array[] = [];
  let n = 0;
  for (const s of series) {
    if (s.length === 0) continue;
    const m = computeFeatureMatrix(s);
    for (let i = 0; i < s.length; i++) {
      if (!m.ready[i]) continue;
      parts.push(m.features.subarray(i * FEATURE_SPEC.size, (i + 1) * FEATURE_SPEC.size));
      n++;
    }
  }
  const rows = new Float32Array(n * FEATURE_SPEC.size);
  parts.forEach((p, i) => rows.set(p, i * FEATURE_SPEC.size));
  return buildReference(rows, n);
}

let fixtureRef: DriftReference | undefined;
/**
 * Reference from the shipped BTCUSDT 1m fixture, for the shipped models whose training files are
 * not deployed with the node. Same spec and interval, but one symbol and a short period: good
 * enough to flag gross drift (a different venue, interval or scaling), not subtle shifts.
 */
export function fixtureReference(): DriftReference {
  fixtureRef ??= referenceFromCandles([parseKlineCsv(readFileSync(FIXTURE_BTC_1M, 'utf8'), { symbol: 'BTCUSDT', interval: '1m' })]);
  return fixtureRef;
}
