import { createHash } from 'node:crypto';
import { FEATURE_SPEC } from '../features/index.js';
import { ManifestSchema, type Manifest } from './manifest.js';

/** Why an artifact was refused; `reason` is stable for metrics and journal entries. */
export class ArtifactError extends Error {
  override name = 'ArtifactError';
  readonly retryable = false;
  constructor(readonly reason: 'invalid_manifest' | 'hash_mismatch' | 'feature_spec_mismatch', message: string, opts: { cause?: unknown } = {}) {
    super(message, opts);
  }
}

/** sha256 hex of bytes. */
export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * Validate a manifest and its ONNX bytes before anyone runs them: schema, content hash, and
 * the feature spec the model was trained with against the one this process computes.
 */
export function verifyArtifact(manifest: unknown, bytes: Uint8Array, spec: { version: string; hash: string } = FEATURE_SPEC): Manifest {
  const parsed = ManifestSchema.safeParse(manifest);
  if (!parsed.success) throw new ArtifactError('invalid_manifest', `manifest invalid: ${parsed.error.message}`, { cause: parsed.error });
  const m = parsed.data;
  const sha = sha256Hex(bytes);
  if (sha !== m.onnx.sha256) throw new ArtifactError('hash_mismatch', `${m.id}: onnx sha256 ${sha} ≠ manifest ${m.onnx.sha256}`);
  if (m.featureSpec.hash !== spec.hash) {
    throw new ArtifactError('feature_spec_mismatch', `${m.id}: trained on feature spec ${m.featureSpec.version}/${m.featureSpec.hash.slice(0, 12)}, running ${spec.version}/${spec.hash.slice(0, 12)}`);
  }
  return m;
}
