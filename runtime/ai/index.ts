/** AI engine and model lifecycle: NATS model registry, batched ONNX brain, qt-ai service, CLM runner. */
export { ModelError, type ModelProblem } from './errors.js';
export { type FeaturesMessage, type PointerValue, type DriftReference, type AiLogic, type MemberInfo, type CoreOptions, type FeaturesRow, type Resolved, type Probs } from './types.js';
export { modelStore, putModel, readModel, hasModel, listModels, readManifest, objectNames, type StoredModel, type ModelSummary } from './registry.js';
export {
  getPointer, setPointer, pointerHistory, pointerKey, promoteModel, rollbackChampion, setShadow, journalModel, journalAlert,
  type PointerName, type PromoteOptions,
} from './pointers.js';
export { addModel, seedRegistry, type SeedReport } from './register.js';
export { buildReference, referenceFromCandles, fixtureReference } from './reference.js';
export { checkSignature } from './signature.js';
export { loadModel, runModel, releaseAll, memberInfo, sessionFor, type LoadedModel } from './sessions.js';
export { inferBatch, packRows, type BatchInference } from './infer.js';
export { createBatcher, type Batcher } from './batcher.js';
export { startAiBrain, type AiBrain, type AiBrainOptions, type AiHealth, type AiMetrics } from './brain.js';
export { startAiService } from './service.js';
export { startClmRunner, type ClmRunner, type ClmRunnerOptions } from './clm-runner.js';
export { candlesFromFiles, candlesFromMarket, championOnLastFold } from './clm-data.js';
export { FEED_TARGETS, type FeedTargets } from './feed.js';
