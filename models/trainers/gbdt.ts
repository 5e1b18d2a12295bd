import { createRng } from '../eval/rng.js';
import { binRows, type Binning } from './bins.js';

/**
 * Multiclass gradient boosting (softmax loss, Newton leaves, histogram splits). Not ml-cart:
 * its trees fit means (no hessian-weighted Newton leaves), split at float64 midpoints that
 * float32 ONNX inference can round across, and sort per node. Here every threshold is an
 * observed float32 feature value, so `x <= t` decides identically in onnxruntime.
 */

/** Boosting parameters. */
export interface GbdtParams {
  /** Boosting rounds (each adds one tree per class). @default 80 */
  rounds: number;
  /** @default 3 */
  depth: number;
  /** @default 0.1 */
  learningRate: number;
  /** Histogram bins per feature (≤ 256). @default 32 */
  bins: number;
  /** L2 on leaf values. @default 1 */
  lambda: number;
  /** Minimum hessian sum per child (≈ rows × 0.2). @default 10 */
  minChildHess: number;
  /** Row subsample per round. @default 0.8 */
  subsample: number;
  /** @default 1 */
  seed: number;
}

/** Defaults tuned for speed on 2 cores, not for leaderboard scores. */
export const GBDT_DEFAULTS: GbdtParams = { rounds: 80, depth: 3, learningRate: 0.1, bins: 32, lambda: 1, minChildHess: 10, subsample: 0.8, seed: 1 };

/** One regression tree, array-encoded; `feature[i] < 0` marks a leaf. Plain JSON. */
export interface Tree {
  cls: number;
  feature: number[];
  /** float32 threshold; rows with x <= threshold go left. */
  threshold: number[];
  left: number[];
  right: number[];
  /** Leaf value (already × learning rate, rounded to float32). */
  value: number[];
}

/** A fitted ensemble: scores_k = base_k + Σ trees of class k; probs = softmax(scores). */
export interface GbdtModel {
  nFeatures: number;
  base: [number, number, number];
  trees: Tree[];
}

interface Grow {
  codes: Uint8Array;
  bin: Binning;
  g: Float64Array;
  h: Float64Array;
  p: GbdtParams;
  F: number;
  tree: Tree;
  /** Split bin per node, for fast in-training prediction on codes. */
  splitBin: number[];
}

function leaf(s: Grow, G: number, H: number): number {
  const t = s.tree;
  t.feature.push(-1); t.threshold.push(0); t.left.push(-1); t.right.push(-1); s.splitBin.push(-1);
  t.value.push(Math.fround((-G / (H + s.p.lambda)) * s.p.learningRate));
  return t.value.length - 1;
}

function grow(s: Grow, rows: Uint32Array, depth: number): number {
  const { codes, g, h, F, p } = s;
  let G = 0, H = 0;
  for (const r of rows) { G += g[r] as number; H += h[r] as number; }
  if (depth >= p.depth || H < 2 * p.minChildHess) return leaf(s, G, H);
  const NB = p.bins;
  const hg = new Float64Array(F * NB);
  const hh = new Float64Array(F * NB);
  for (const r of rows) {
    const gr = g[r] as number, hr = h[r] as number, o = r * F;
    for (let f = 0; f < F; f++) { const k = f * NB + (codes[o + f] as number); hg[k] = (hg[k] as number) + gr; hh[k] = (hh[k] as number) + hr; }
  }
  const parent = (G * G) / (H + p.lambda);
  let best = 1e-9, bf = -1, bb = -1;
  for (let f = 0; f < F; f++) {
    const nt = s.bin.thresholds[f]!.length;
    let GL = 0, HL = 0;
    for (let b = 0; b < nt; b++) {
      GL += hg[f * NB + b] as number; HL += hh[f * NB + b] as number;
      const GR = G - GL, HR = H - HL;
      if (HL < p.minChildHess || HR < p.minChildHess) continue;
      const gain = (GL * GL) / (HL + p.lambda) + (GR * GR) / (HR + p.lambda) - parent;
      if (gain > best) { best = gain; bf = f; bb = b; }
    }
  }
  if (bf < 0) return leaf(s, G, H);
  const l: number[] = [], r: number[] = [];
  for (const row of rows) ((codes[row * F + bf] as number) <= bb ? l : r).push(row);
  const t = s.tree;
  const id = t.feature.length;
  t.feature.push(bf); t.threshold.push(s.bin.thresholds[bf]![bb]!); t.left.push(-1); t.right.push(-1); t.value.push(0); s.splitBin.push(bb);
  t.left[id] = grow(s, Uint32Array.from(l), depth + 1);
  t.right[id] = grow(s, Uint32Array.from(r), depth + 1);
  return id;
}

function softmaxRow(s: Float64Array, o: number, out: Float64Array): void {
  const m = Math.max(s[o] as number, s[o + 1] as number, s[o + 2] as number);
  const e0 = Math.exp((s[o] as number) - m), e1 = Math.exp((s[o + 1] as number) - m), e2 = Math.exp((s[o + 2] as number) - m);
  const z = e0 + e1 + e2;
  out[o] = e0 / z; out[o + 1] = e1 / z; out[o + 2] = e2 / z;
}

/** Fit on `n` rows of `X` (row-major n × F float32) with labels 0/1/2. Deterministic per seed. */
export function fitGbdt(X: Float32Array, n: number, F: number, y: ArrayLike<number>, params: Partial<GbdtParams> = {}): GbdtModel {
  const p = { ...GBDT_DEFAULTS, ...params };
  const rng = createRng(p.seed);
  const { codes, binning } = binRows(X, n, F, p.bins, rng);
  const counts = [1, 1, 1];
  for (let i = 0; i < n; i++) counts[y[i] as number]! += 1;
  const lp = counts.map((c) => Math.log(c / (n + 3)));
  const mean = (lp[0]! + lp[1]! + lp[2]!) / 3;
  const base = lp.map((v) => Math.fround(v - mean)) as [number, number, number];
  const scores = new Float64Array(n * 3);
  for (let i = 0; i < n; i++) scores.set(base, i * 3);
  const probs = new Float64Array(n * 3);
  const g = new Float64Array(n), h = new Float64Array(n);
  const trees: Tree[] = [];
  for (let round = 0; round < p.rounds; round++) {
    for (let i = 0; i < n; i++) softmaxRow(scores, i * 3, probs);
    const sample: number[] = [];
    for (let i = 0; i < n; i++) if (rng.next() < p.subsample) sample.push(i);
    const rows = Uint32Array.from(sample);
    for (let k = 0; k < 3; k++) {
      for (let i = 0; i < n; i++) {
        const pk = probs[i * 3 + k] as number;
        g[i] = pk - (y[i] === k ? 1 : 0);
        h[i] = Math.max(pk * (1 - pk), 1e-6);
      }
      const s: Grow = { codes, bin: binning, g, h, p, F, splitBin: [], tree: { cls: k, feature: [], threshold: [], left: [], right: [], value: [] } };
      grow(s, rows, 0);
      trees.push(s.tree);
      for (let i = 0; i < n; i++) {
        let node = 0;
        while ((s.tree.feature[node] as number) >= 0) node = (codes[i * F + (s.tree.feature[node] as number)] as number) <= (s.splitBin[node] as number) ? s.tree.left[node]! : s.tree.right[node]!;
        scores[i * 3 + k] = (scores[i * 3 + k] as number) + (s.tree.value[node] as number);
      }
    }
  }
  return { nFeatures: F, base, trees };
}

/** Class probabilities (n × 3) for raw float32 rows: the reference the ONNX export must match. */
export function predictGbdt(m: GbdtModel, X: Float32Array, n: number): Float64Array {
  const F = m.nFeatures;
  const scores = new Float64Array(n * 3);
  const out = new Float64Array(n * 3);
  for (let i = 0; i < n; i++) {
    scores.set(m.base, i * 3);
    for (const t of m.trees) {
      let node = 0;
      while ((t.feature[node] as number) >= 0) node = (X[i * F + (t.feature[node] as number)] as number) <= (t.threshold[node] as number) ? t.left[node]! : t.right[node]!;
      scores[i * 3 + t.cls] = (scores[i * 3 + t.cls] as number) + (t.value[node] as number);
    }
    softmaxRow(scores, i * 3, out);
  }
  return out;
}
