import { RuntimeError } from '../errors.js';

/** Why a model could not be used; `reason` is stable for health, journal entries and metrics. */
export type ModelProblem = 'missing' | 'corrupted' | 'stale' | 'invalid' | 'signature' | 'failing';

/** A model that must not run. Never retryable by itself: the fix is a different artifact or pointer. */
export class ModelError extends RuntimeError {
  override name = 'ModelError';
  constructor(readonly problem: ModelProblem, message: string, opts: { cause?: unknown } = {}) {
    super(message, { ...opts, retryable: false });
  }
}
