import * as ort from 'onnxruntime-node';
import { FEATURE_NAMES, FEATURE_SPEC } from '../../models/features/index.js';
import type { Manifest } from '../../models/registry/index.js';
import { ModelError } from './errors.js';

const WIDTH = { features: FEATURE_SPEC.size, window: FEATURE_SPEC.windowSize } as const;

/** Creates a CPU inference session (the only place ONNX sessions are built, with sessions.ts). */
export function createSession(bytes: Uint8Array): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(bytes, { executionProviders: ['cpu'], intraOpNumThreads: 1, graphOptimizationLevel: 'all' });
}

const dims = (m: ort.InferenceSession.ValueMetadata | undefined) => (m && m.isTensor ? { type: m.type, shape: m.shape } : null);

/**
 * Checks that an ONNX model computes what its manifest and the feature spec say: exactly one
 * float32 input named as the manifest's (`features` [N, 13] or `window` [N, 64]) with a dynamic
 * batch dimension, column names equal to the spec's, and a float32 `probs` [N, 3] output whose
 * rows are probabilities on a probe batch. Throws ModelError('signature') naming the mismatch.
 */
export async function checkSignature(bytes: Uint8Array, manifest: Manifest): Promise<void> {
  const bad = (why: string) => new ModelError('signature', `${manifest.id}: ${why}`);
  const want = manifest.input.name;
  const width = WIDTH[want];
  if (manifest.input.shape[1] !== width) throw bad(`manifest input width ${manifest.input.shape[1]} ≠ feature spec ${want} width ${width}`);
  if (want === 'features' && manifest.input.columns.join(',') !== FEATURE_NAMES.join(',')) throw bad(`manifest feature columns [${manifest.input.columns.join(',')}] ≠ spec [${FEATURE_NAMES.join(',')}]`);
  let s: ort.InferenceSession;
  try {
    s = await createSession(bytes);
  } catch (e) {
    throw new ModelError('invalid', `${manifest.id}: onnxruntime cannot load the model: ${(e as Error).message}`, { cause: e });
  }
  try {
    if (s.inputNames.length !== 1 || s.inputNames[0] !== want) throw bad(`model inputs [${s.inputNames.join(', ')}] ≠ manifest input '${want}'`);
    const i = dims(s.inputMetadata[0]);
    if (i && i.type !== 'float32') throw bad(`input '${want}' is ${i.type}, expected float32`);
    if (i && i.shape.length && (i.shape.length !== 2 || i.shape[1] !== width || typeof i.shape[0] === 'number' && i.shape[0] !== -1)) {
      throw bad(`input '${want}' has shape [${i.shape.join(', ')}], expected [N, ${width}]`);
    }
    if (!s.outputNames.includes('probs')) throw bad(`model outputs [${s.outputNames.join(', ')}] have no 'probs'`);
    const out = dims(s.outputMetadata[s.outputNames.indexOf('probs')]);
    if (out && out.shape.length && (out.shape.length !== 2 || out.shape[1] !== 3)) throw bad(`output 'probs' has shape [${out.shape.join(', ')}], expected [N, 3]`);
    const probe = await s.run({ [want]: new ort.Tensor('float32', new Float32Array(2 * width), [2, width]) });
    const p = probe['probs'];
    if (!p || p.dims.length !== 2 || p.dims[0] !== 2 || p.dims[1] !== 3) throw bad(`probe run returned probs of shape [${p?.dims.join(', ') ?? 'none'}], expected [2, 3]`);
    const v = p.data as Float32Array;
    for (let r = 0; r < 2; r++) {
      const row = [v[r * 3]!, v[r * 3 + 1]!, v[r * 3 + 2]!];
      if (row.some((x) => !Number.isFinite(x) || x < 0 || x > 1) || Math.abs(row[0]! + row[1]! + row[2]! - 1) > 1e-3) throw bad(`probe output [${row.join(', ')}] is not a probability row`);
    }
  } finally {
    await s.release();
  }
}
