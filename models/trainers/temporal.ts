import type * as tf from '@tensorflow/tfjs';
import { WINDOW_SPEC } from '../features/index.js';
import { encodeModel, floatTensor, floatValue, int64Tensor, node } from '../onnx/index.js';
import { predictNet, trainNet, type Forward, type NnParams, type ParamDef, type Weights } from './nn.js';

/**
 * PatchTST-style model over the raw window, without attention: the W-candle window is cut
 * into non-overlapping patches of P candles, each patch (P × C values) goes through one shared
 * linear embedding plus a learned per-patch position vector, then an MLP mixes all patch
 * embeddings into class logits. Small enough to train on 2 CPU cores in seconds.
 */

/** Temporal options on top of the shared optimiser settings. */
export interface TemporalParams extends NnParams {
  /** Candles per patch; must divide the window length. @default 8 */
  patch: number;
  /** Patch embedding width. @default 16 */
  embed: number;
  /** Mixer hidden width. @default 32 */
  hidden: number;
}

/** A trained temporal model. */
export interface TemporalModel {
  inputSize: number;
  patches: number;
  patchSize: number;
  embed: number;
  hidden: number;
  weights: Weights;
}

function forwardOf(m: Omit<TemporalModel, 'weights'>): Forward {
  return (p, x) => {
    const b = x.shape[0];
    const patches = x.reshape([b * m.patches, m.patchSize]);
    const emb = patches.matMul(p['we'] as tf.Tensor2D).reshape([b, m.patches, m.embed]).add(p['pos'] as tf.Tensor2D).relu();
    const flat = emb.reshape([b, m.patches * m.embed]) as tf.Tensor2D;
    const h = flat.matMul(p['w1'] as tf.Tensor2D).add(p['b1'] as tf.Tensor1D).relu();
    return h.matMul(p['w2'] as tf.Tensor2D).add(p['b2'] as tf.Tensor1D);
  };
}

/** Fit on windows (n × W·C, time-major as produced by the feature state). */
export async function fitTemporal(Wx: Float32Array, n: number, y: ArrayLike<number>, params: Partial<TemporalParams> = {}): Promise<TemporalModel> {
  const C = WINDOW_SPEC.channels.length;
  const patch = params.patch ?? 8;
  if (WINDOW_SPEC.length % patch !== 0) throw new Error(`patch ${patch} does not divide window ${WINDOW_SPEC.length}`);
  const shell = {
    inputSize: WINDOW_SPEC.length * C, patches: WINDOW_SPEC.length / patch, patchSize: patch * C,
    embed: params.embed ?? 16, hidden: params.hidden ?? 32,
  };
  const defs: Record<string, ParamDef> = {
    // The embedding bias lives in `pos` (one vector per patch), so there is no separate bias.
    we: { shape: [shell.patchSize, shell.embed], init: 'glorot', decay: true },
    pos: { shape: [shell.patches, shell.embed], init: 'small' },
    w1: { shape: [shell.patches * shell.embed, shell.hidden], init: 'glorot', decay: true },
    b1: { shape: [shell.hidden], init: 'zeros' },
    w2: { shape: [shell.hidden, 3], init: 'glorot', decay: true },
    b2: { shape: [3], init: 'zeros' },
  };
  const weights = await trainNet(defs, forwardOf(shell), Wx, n, shell.inputSize, y, params);
  return { ...shell, weights };
}

/** Probabilities (n × 3) from the tfjs graph. */
export function predictTemporal(m: TemporalModel, Wx: Float32Array, n: number): Promise<Float32Array> {
  return predictNet(m.weights, forwardOf(m), Wx, n, m.inputSize);
}

/** `window` [N, W·C] → Reshape [N, patches, P·C] → MatMul → Add(pos) → Relu → Reshape → MLP → Softmax → `probs`. */
export function temporalToOnnx(m: TemporalModel, metadata: Record<string, string> = {}): Uint8Array {
  const w = (k: string): Weights[string] => m.weights[k]!;
  const inits = [
    int64Tensor('patch_shape', [-1, m.patches, m.patchSize]),
    int64Tensor('flat_shape', [-1, m.patches * m.embed]),
    ...['we', 'pos', 'w1', 'b1', 'w2', 'b2'].map((k) => floatTensor(k, w(k).shape, w(k).data)),
  ];
  const nodes = [
    node('Reshape', ['window', 'patch_shape'], ['patches']),
    node('MatMul', ['patches', 'we'], ['emb_mm']),
    node('Add', ['emb_mm', 'pos'], ['emb_z']),
    node('Relu', ['emb_z'], ['emb']),
    node('Reshape', ['emb', 'flat_shape'], ['flat']),
    node('MatMul', ['flat', 'w1'], ['mm1']),
    node('Add', ['mm1', 'b1'], ['z1']),
    node('Relu', ['z1'], ['h1']),
    node('MatMul', ['h1', 'w2'], ['mm2']),
    node('Add', ['mm2', 'b2'], ['logits']),
    node('Softmax', ['logits'], ['probs'], { axis: { int: 1 } }),
  ];
  return encodeModel({
    name: 'qt_temporal', nodes, initializers: inits,
    inputs: [floatValue('window', m.inputSize)], outputs: [floatValue('probs', 3)],
    opsets: { '': 17 }, metadata,
    doc: 'Quantum Trader temporal model: patch embedding over the raw candle window + MLP mixer; probs = [SELL, HOLD, BUY]',
  });
}
