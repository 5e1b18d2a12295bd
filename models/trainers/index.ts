/** Trainers for the three model families, ONNX export, parity checks and off-thread training. */
export { trainModel, TRAINER_VERSION, type TrainOptions, type TrainResult } from './pipeline.js';
export { trainInWorker, TrainingError, type TrainInWorkerOptions } from './worker.js';
export { ADAPTERS, type FamilyAdapter, type FamilyParams } from './families.js';
export { fitGbdt, predictGbdt, GBDT_DEFAULTS, type GbdtModel, type GbdtParams, type Tree } from './gbdt.js';
export { gbdtToOnnx } from './gbdt-onnx.js';
export { fitMlp, predictMlp, mlpToOnnx, type MlpModel, type MlpParams } from './mlp.js';
export { fitTemporal, predictTemporal, temporalToOnnx, type TemporalModel, type TemporalParams } from './temporal.js';
export { NN_DEFAULTS, type NnParams } from './nn.js';
export { runOnnx, assertParity, maxAbsDiff, ParityError } from './parity.js';
