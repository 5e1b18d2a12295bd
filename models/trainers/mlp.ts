import * as tf from '@tensorflow/tfjs';
import { encodeModel, floatTensor, floatValue, node } from '../onnx/index.js';
import { predictNet, trainNet, type Forward, type NnParams, type ParamDef, type Weights } from './nn.js';

/** MLP options on top of the shared optimiser settings. */
export interface MlpParams extends NnParams {
  /** Hidden layer widths. @default [32, 16] */
  hidden: number[];
}

/** A trained MLP: standardisation constants plus dense weights `w<i>`/`b<i>`. */
export interface MlpModel {
  inputSize: number;
  hidden: number[];
  /** Per-feature mean and 1/std of the training rows (0 for constant features). */
  mean: Float32Array;
  invStd: Float32Array;
  weights: Weights;
}

function standardiser(X: Float32Array, n: number, F: number): { mean: Float32Array; invStd: Float32Array } {
  const mean = new Float32Array(F);
  const invStd = new Float32Array(F);
  for (let f = 0; f < F; f++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += X[i * F + f] as number;
    const mu = s / Math.max(1, n);
    let ss = 0;
    for (let i = 0; i < n; i++) ss += ((X[i * F + f] as number) - mu) ** 2;
    const sd = Math.sqrt(ss / Math.max(1, n));
    mean[f] = mu;
    // A feature constant in training (funding/premium on kline-only data) is switched off
    // rather than scaled by 1/0: the net has never seen it move, so it must not react to it.
    invStd[f] = sd > 1e-12 ? 1 / sd : 0;
  }
  return { mean, invStd };
}

function layers(inputSize: number, hidden: number[]): number[] {
  return [inputSize, ...hidden, 3];
}

function forwardOf(m: Pick<MlpModel, 'mean' | 'invStd' | 'hidden' | 'inputSize'>): Forward {
  const L = layers(m.inputSize, m.hidden).length - 1;
  return (p, x) => {
    let h: tf.Tensor2D = x.sub(tf.tensor1d(m.mean)).mul(tf.tensor1d(m.invStd));
    for (let i = 0; i < L; i++) {
      h = h.matMul(p[`w${i}`] as tf.Tensor2D).add(p[`b${i}`] as tf.Tensor1D);
      if (i < L - 1) h = h.relu();
    }
    return h;
  };
}

/** Fit an MLP on standardised engineered features. */
export async function fitMlp(X: Float32Array, n: number, F: number, y: ArrayLike<number>, params: Partial<MlpParams> = {}): Promise<MlpModel> {
  const hidden = params.hidden ?? [32, 16];
  const { mean, invStd } = standardiser(X, n, F);
  const dims = layers(F, hidden);
  const defs: Record<string, ParamDef> = {};
  for (let i = 0; i + 1 < dims.length; i++) {
    defs[`w${i}`] = { shape: [dims[i]!, dims[i + 1]!], init: 'glorot', decay: true };
    defs[`b${i}`] = { shape: [dims[i + 1]!], init: 'zeros' };
  }
  const shell = { inputSize: F, hidden, mean, invStd };
  const weights = await trainNet(defs, forwardOf(shell), X, n, F, y, params);
  return { ...shell, weights };
}

/** Probabilities (n × 3) from the tfjs graph. */
export function predictMlp(m: MlpModel, X: Float32Array, n: number): Promise<Float32Array> {
  return predictNet(m.weights, forwardOf(m), X, n, m.inputSize);
}

/** `features` → Sub(mean) → Mul(1/std) → [MatMul → Add → Relu]* → MatMul → Add → Softmax → `probs`. */
export function mlpToOnnx(m: MlpModel, metadata: Record<string, string> = {}): Uint8Array {
  const dims = layers(m.inputSize, m.hidden);
  const inits = [floatTensor('mean', [m.inputSize], m.mean), floatTensor('inv_std', [m.inputSize], m.invStd)];
  const nodes = [node('Sub', ['features', 'mean'], ['centred']), node('Mul', ['centred', 'inv_std'], ['h0'])];
  let h = 'h0';
  for (let i = 0; i + 1 < dims.length; i++) {
    const w = m.weights[`w${i}`]!;
    const b = m.weights[`b${i}`]!;
    inits.push(floatTensor(`w${i}`, w.shape, w.data), floatTensor(`b${i}`, b.shape, b.data));
    nodes.push(node('MatMul', [h, `w${i}`], [`mm${i}`]), node('Add', [`mm${i}`, `b${i}`], [`z${i}`]));
    const last = i + 2 === dims.length;
    if (!last) nodes.push(node('Relu', [`z${i}`], [`h${i + 1}`]));
    h = last ? `z${i}` : `h${i + 1}`;
  }
  nodes.push(node('Softmax', [h], ['probs'], { axis: { int: 1 } }));
  return encodeModel({
    name: 'qt_mlp', nodes, initializers: inits,
    inputs: [floatValue('features', m.inputSize)], outputs: [floatValue('probs', 3)],
    opsets: { '': 17 }, metadata,
    doc: 'Quantum Trader MLP over the engineered features (standardisation included); probs = [SELL, HOLD, BUY]',
  });
}
