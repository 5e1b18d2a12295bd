import * as ort from 'onnxruntime-node';
import { FEATURE_SPEC } from '../../models/features/index.js';
import type { Manifest } from '../../models/registry/index.js';
import type { Bus } from '../nats/index.js';
import { ModelError } from './errors.js';
import { readModel } from './registry.js';
import { checkSignature, createSession } from './signature.js';
import type { DriftReference, MemberInfo } from './types.js';

/** A model ready to run: verified bytes, a live session, and what the core needs to know. */
export interface LoadedModel {
  id: string;
  manifest: Manifest;
  input: 'features' | 'window';
  width: number;
  session: ort.InferenceSession;
  reference: DriftReference | null;
  /** First 16 hex digits of the feature spec hash, as symbol actors stamp their messages. */
  spec: string;
}

/** The manifest bits the decision core uses. */
export function memberInfo(m: LoadedModel): MemberInfo {
  const p = m.manifest.evaluation.pooled.model;
  return { id: m.id, family: m.manifest.family, version: m.manifest.version, pooled: { logLoss: p.logLoss, brier: p.brier, ...(p.calibration ? { calibration: p.calibration } : {}) } };
}

/** Builds a session for verified bytes after checking the signature. */
export async function sessionFor(manifest: Manifest, bytes: Uint8Array, reference: DriftReference | null): Promise<LoadedModel> {
  await checkSignature(bytes, manifest);
  let session: ort.InferenceSession;
  try {
    session = await createSession(bytes);
  } catch (e) {
    throw new ModelError('invalid', `${manifest.id}: onnxruntime cannot load it: ${(e as Error).message}`, { cause: e });
  }
  const input = manifest.input.name;
  return { id: manifest.id, manifest, input, width: input === 'features' ? FEATURE_SPEC.size : FEATURE_SPEC.windowSize, session, reference, spec: manifest.featureSpec.hash.slice(0, 16) };
}

/**
 * Loads one model from the registry. The sha256 and feature spec are verified BEFORE any ONNX
 * parser sees the bytes (a corrupted file must not reach native code), then the signature.
 */
export async function loadModel(bus: Bus, id: string): Promise<LoadedModel> {
  const { manifest, bytes, reference } = await readModel(bus, id);
  return sessionFor(manifest, bytes, reference);
}

/** Releases sessions; errors are irrelevant at that point. */
export async function releaseAll(models: readonly LoadedModel[]): Promise<void> {
  await Promise.all(models.map((m) => m.session.release().catch(() => undefined)));
}

/**
 * One inference call for a whole batch: `rows` is [n, width] row-major float32. Returns `probs`
 * [n, 3]. Throws ModelError('failing') on a runtime error or a malformed output.
 */
export async function runModel(m: LoadedModel, rows: Float32Array, n: number): Promise<Float32Array> {
  try {
    const out = await m.session.run({ [m.input]: new ort.Tensor('float32', rows, [n, m.width]) });
    const p = out['probs'];
    if (!p || p.dims[0] !== n || p.dims[1] !== 3) throw new Error(`probs has shape [${p?.dims.join(', ') ?? 'none'}], expected [${n}, 3]`);
    return p.data as Float32Array;
  } catch (e) {
    throw new ModelError('failing', `${m.id}: inference failed: ${(e as Error).message}`, { cause: e });
  }
}
