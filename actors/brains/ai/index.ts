/** AI brain decision logic (pure): weighted soft voting, calibration, live scores, outcomes, labelled fallback. */
export { combine, argmaxSide, validProbs, type Probs, type MemberOutput, type Combined } from './ensemble.js';
export { buildCalibrator, calibrate, calibrateEnsemble, type Calibrator, type ReliabilityBin } from './calibrate.js';
export { lossOf, priorScore, updateScore, weightsOf, type Score } from './performance.js';
export { track, resolve, type PendingPrediction, type Resolved, type LabelRule, type OutcomeBook } from './outcomes.js';
export {
  ENSEMBLE, createCore, setModels, weights, observe, modelSignal, trackShadow, ruleDecision, fallbackSignal, pairedLosses,
  type CoreState, type CoreOptions, type MemberInfo, type FeaturesRow, type FallbackPolicy,
} from './core.js';
