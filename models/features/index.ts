/** The feature spec: one source for training (batch) and inference (streaming state). */
export { FEATURE_SPEC, FEATURE_NAMES, FEATURES, FEATURE_PARAMS, WINDOW_SPEC, WARMUP, type FeatureName, type FeatureSpec } from './spec.js';
export {
  createFeatureState,
  update,
  FeatureStateError,
  type FeatureState,
  type FeatureOutput,
  type FeatureCandle,
  type FeatureMark,
} from './state.js';
export { computeFeatureMatrix, row, type FeatureMatrix } from './batch.js';
export type { Ring } from './ring.js';
export type { SmootherSnap } from './smoother.js';
