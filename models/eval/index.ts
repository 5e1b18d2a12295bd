/** Labels, purged walk-forward splits, metrics, baselines and the honest evaluation report. */
export { CLASSES, DEFAULT_LABEL, buildDataset, labelOf, takeRows, type ClassName, type Dataset, type LabelSpec } from './dataset.js';
export { walkForward, type Fold, type WalkForwardOptions } from './splits.js';
export { computeMetrics, meanMetrics, argmax3, type Metrics, type MeanMetrics, type CalibrationBin } from './metrics.js';
export { BASELINES, priorBaseline, buyHoldBaseline, momentumBaseline, randomBaseline, type BaselineName } from './baselines.js';
export { evaluateWalkForward, verdict, type Evaluation, type FoldResult, type FitPredict, type Verdict, type Check } from './evaluate.js';
export { formatReport } from './report.js';
export { createRng, permutation, type Rng } from './rng.js';
