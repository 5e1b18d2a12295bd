import { FEATURE_PARAMS, WINDOW_SPEC } from './spec.js';
import { ringAt, type Ring } from './ring.js';

const W = WINDOW_SPEC.length;
const C = WINDOW_SPEC.channels.length;
const CLIP = FEATURE_PARAMS.clip;
const clip = (x: number): number => (x > CLIP ? CLIP : x < -CLIP ? -CLIP : Number.isFinite(x) ? x : 0);

/** Scratch for the returns of one call (synchronous use only): this runs per symbol per candle. */
const rets = new Float64Array(W);

/**
 * The temporal model's input from the ring buffers (needs W+1 closes and W volumes).
 * Returns are divided by their window RMS so the model sees shape, not the volatility level
 * (the tabular features carry the level); volumes are relative to the window mean so the
 * asset's unit (BTC vs XRP) drops out. Recomputed from the buffers each call, in a fixed
 * order, so a restored state reproduces it exactly. `into` (length W*C) is overwritten and returned.
 */
export function windowFeatures(closes: Ring, volumes: Ring, into?: Float32Array): Float32Array {
  let ss = 0;
  let vsum = 0;
  for (let t = 0; t < W; t++) {
    const back = W - 1 - t;
    const r = Math.log(ringAt(closes, back) / ringAt(closes, back + 1));
    rets[t] = r;
    ss += r * r;
    vsum += ringAt(volumes, back);
  }
  const rms = Math.sqrt(ss / W);
  const vmean = vsum / W;
  // A floor relative to the mean keeps one zero-volume candle from mapping to -infinity.
  const eps = vmean * 1e-3 + 1e-12;
  // Both channels of every step are written below, so a caller's buffer needs no clearing.
  const out = into ?? new Float32Array(W * C);
  for (let t = 0; t < W; t++) {
    out[t * C] = rms > 0 ? clip((rets[t] as number) / rms) : 0;
    out[t * C + 1] = clip(Math.log((ringAt(volumes, W - 1 - t) + eps) / (vmean + eps)));
  }
  return out;
}
