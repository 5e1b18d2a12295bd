import * as tf from '@tensorflow/tfjs';
import { createRng, permutation, type Rng } from '../eval/rng.js';

/**
 * A tiny seeded training loop over tfjs (pure-JS CPU backend). Parameters are plain named
 * tensors rather than tf.layers so that (a) initialisation and batch order come from our own
 * seeded generator — tfjs shuffling uses Math.random — and (b) the ONNX exporters read the
 * weights by name with no layer-ordering guesswork.
 */

/** Optimisation parameters shared by the neural families. */
export interface NnParams {
  /** @default 12 */
  epochs: number;
  /** @default 256 */
  batchSize: number;
  /** Adam learning rate. @default 0.002 */
  learningRate: number;
  /** L2 on weight matrices (not biases). @default 1e-4 */
  l2: number;
  /** @default 1 */
  seed: number;
}

/** Defaults sized for 2 CPU cores. */
export const NN_DEFAULTS: NnParams = { epochs: 12, batchSize: 256, learningRate: 0.002, l2: 1e-4, seed: 1 };

/** How to initialise one parameter tensor. */
export interface ParamDef {
  shape: number[];
  init: 'glorot' | 'zeros' | 'small';
  /** Weight matrices get L2; biases and embeddings do not. */
  decay?: boolean;
}

/** Trained weights as plain float32 arrays, keyed by parameter name. */
export type Weights = Record<string, { shape: number[]; data: Float32Array }>;

/** The forward pass: parameters and a batch [B, D] → logits [B, 3]. */
export type Forward = (p: Record<string, tf.Tensor>, x: tf.Tensor2D) => tf.Tensor2D;

let ready: Promise<void> | null = null;
/** Select the CPU backend once and silence its "install tfjs-node" banner (we must not). */
export function tfReady(): Promise<void> {
  ready ??= tf.setBackend('cpu').then(() => {
    (tf.backend() as unknown as { firstUse: boolean }).firstUse = false;
  });
  return ready;
}

function initData(def: ParamDef, rng: Rng): Float32Array {
  const n = def.shape.reduce((a, b) => a * b, 1);
  const out = new Float32Array(n);
  if (def.init === 'zeros') return out;
  const fanIn = def.shape[def.shape.length - 2] ?? 1;
  const fanOut = def.shape[def.shape.length - 1] ?? 1;
  const limit = def.init === 'glorot' ? Math.sqrt(6 / (fanIn + fanOut)) : 0.02;
  for (let i = 0; i < n; i++) out[i] = def.init === 'glorot' ? (rng.next() * 2 - 1) * limit : rng.normal() * limit;
  return out;
}

/** Train `forward` on rows `X` (n × d) with labels y in {0,1,2}; deterministic per seed. */
export async function trainNet(defs: Record<string, ParamDef>, forward: Forward, X: Float32Array, n: number, d: number, y: ArrayLike<number>, params: Partial<NnParams> = {}): Promise<Weights> {
  await tfReady();
  const p = { ...NN_DEFAULTS, ...params };
  const rng = createRng(p.seed);
  const vars: Record<string, tf.Variable> = {};
  for (const [name, def] of Object.entries(defs)) vars[name] = tf.variable(tf.tensor(initData(def, rng), def.shape), true);
  const decayed = Object.entries(defs).filter(([, def]) => def.decay).map(([name]) => vars[name]!);
  const opt = tf.train.adam(p.learningRate);
  const bx = new Float32Array(p.batchSize * d);
  const by = new Int32Array(p.batchSize);
  try {
    for (let epoch = 0; epoch < p.epochs; epoch++) {
      const order = permutation(n, rng);
      for (let s = 0; s < n; s += p.batchSize) {
        const b = Math.min(p.batchSize, n - s);
        for (let r = 0; r < b; r++) {
          const i = order[s + r] as number;
          bx.set(X.subarray(i * d, (i + 1) * d), r * d);
          by[r] = y[i] as number;
        }
        tf.tidy(() => {
          const xb = tf.tensor2d(bx.subarray(0, b * d), [b, d]);
          const yb = tf.oneHot(tf.tensor1d(by.subarray(0, b), 'int32'), 3);
          opt.minimize(() => {
            const ce = tf.losses.softmaxCrossEntropy(yb, forward(vars, xb));
            const reg = decayed.reduce<tf.Scalar>((acc, w) => acc.add(w.square().sum()), tf.scalar(0));
            return ce.add(reg.mul(p.l2)) as tf.Scalar;
          });
        });
      }
    }
    const out: Weights = {};
    for (const [name, v] of Object.entries(vars)) out[name] = { shape: v.shape, data: v.dataSync() as Float32Array };
    return out;
  } finally {
    opt.dispose();
    for (const v of Object.values(vars)) v.dispose();
  }
}

/** Softmax probabilities (n × 3) from trained weights, in batches. The parity reference for ONNX. */
export async function predictNet(w: Weights, forward: Forward, X: Float32Array, n: number, d: number, batch = 4096): Promise<Float32Array> {
  await tfReady();
  const out = new Float32Array(n * 3);
  const p: Record<string, tf.Tensor> = {};
  for (const [name, v] of Object.entries(w)) p[name] = tf.tensor(v.data, v.shape);
  try {
    for (let s = 0; s < n; s += batch) {
      const b = Math.min(batch, n - s);
      const probs = tf.tidy(() => tf.softmax(forward(p, tf.tensor2d(X.subarray(s * d, (s + b) * d), [b, d]))));
      out.set(probs.dataSync(), s * 3);
      probs.dispose();
    }
    return out;
  } finally {
    for (const t of Object.values(p)) t.dispose();
  }
}
