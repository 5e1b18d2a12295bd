import type { ReliabilityBin } from '../../../protocols/index.js';

/** One reliability bin of a manifest (models/eval CalibrationBin); described in protocols. */
export type { ReliabilityBin };

/** A monotone map from raw top-class probability to the observed hit rate: plain data. */
export interface Calibrator {
  x: number[];
  y: number[];
}

/** Bins with fewer rows than this say more about noise than about calibration. */
const MIN_BIN_ROWS = 30;

/**
 * "Isotonic-lite": the manifest's out-of-sample reliability bins (mean stated confidence → hit
 * rate), made non-decreasing with pool-adjacent-violators weighted by bin size. Without usable
 * bins it is the identity, so an uncalibrated model is never made to look better than it says.
 */
export function buildCalibrator(bins: readonly ReliabilityBin[] | undefined): Calibrator {
  const pts = (bins ?? [])
    .filter((b) => b.n >= MIN_BIN_ROWS && b.confidence !== null && b.accuracy !== null)
    .map((b) => ({ x: b.confidence as number, y: b.accuracy as number, w: b.n }))
    .sort((a, b) => a.x - b.x);
  if (pts.length === 0) return { x: [0, 1], y: [0, 1] };
  // PAV: merge neighbours while a later block's hit rate is below an earlier one's.
  const blocks: { x: number; y: number; w: number }[] = [];
  for (const p of pts) {
    blocks.push({ ...p });
    while (blocks.length > 1 && blocks[blocks.length - 2]!.y > blocks[blocks.length - 1]!.y) {
      const b = blocks.pop()!;
      const a = blocks.pop()!;
      const w = a.w + b.w;
      blocks.push({ x: (a.x * a.w + b.x * b.w) / w, y: (a.y * a.w + b.y * b.w) / w, w });
    }
  }
  return { x: blocks.map((b) => b.x), y: blocks.map((b) => b.y) };
}

/** Calibrated probability for a raw one: linear between points, flat beyond the ends. */
export function calibrate(cal: Calibrator, raw: number): number {
  const { x, y } = cal;
  if (x.length === 0) return raw;
  if (raw <= x[0]!) return clamp01(y[0]!);
  const last = x.length - 1;
  if (raw >= x[last]!) return clamp01(y[last]!);
  let i = 1;
  while (x[i]! < raw) i++;
  const t = (raw - x[i - 1]!) / (x[i]! - x[i - 1]! || 1);
  return clamp01(y[i - 1]! + t * (y[i]! - y[i - 1]!));
}

/** Ensemble calibration: each member's map applied to the ensemble's raw probability, weighted. */
export function calibrateEnsemble(cals: ReadonlyArray<{ cal: Calibrator; weight: number }>, raw: number): number {
  let total = 0;
  let acc = 0;
  for (const c of cals) {
    const w = Math.max(0, c.weight);
    total += w;
    acc += w * calibrate(c.cal, raw);
  }
  return total > 0 ? acc / total : clamp01(raw);
}

const clamp01 = (v: number) => (v < 0 ? 0 : v > 1 ? 1 : v);
