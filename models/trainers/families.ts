import { FEATURE_NAMES, FEATURE_SPEC, WINDOW_SPEC } from '../features/index.js';
import type { Family } from '../registry/index.js';
import { fitGbdt, predictGbdt, GBDT_DEFAULTS, type GbdtParams } from './gbdt.js';
import { gbdtToOnnx } from './gbdt-onnx.js';
import { fitMlp, mlpToOnnx, predictMlp, type MlpParams } from './mlp.js';
import { NN_DEFAULTS } from './nn.js';
import { fitTemporal, predictTemporal, temporalToOnnx, type TemporalParams } from './temporal.js';

/** Family-specific knobs; unknown keys are ignored by a family that does not use them. */
export type FamilyParams = Partial<GbdtParams> & Partial<MlpParams> & Partial<TemporalParams>;

/** What the pipeline needs from a family: fit, predict (the parity reference), export. */
export interface FamilyAdapter {
  family: Family;
  input: 'features' | 'window';
  width: number;
  columns: string[];
  describe: string;
  defaults: Record<string, unknown>;
  fit(X: Float32Array, n: number, y: ArrayLike<number>, p: FamilyParams): Promise<unknown>;
  predict(model: unknown, X: Float32Array, n: number): Promise<ArrayLike<number>>;
  toOnnx(model: unknown, metadata: Record<string, string>): Uint8Array;
  opsets: Record<string, number>;
}

const F = FEATURE_SPEC.size;
const windowColumns = Array.from({ length: WINDOW_SPEC.length }, (_, t) => WINDOW_SPEC.channels.map((c) => `${c.name}[t-${WINDOW_SPEC.length - 1 - t}]`)).flat();

/** The three families. Models are opaque to the pipeline; each adapter knows its own type. */
export const ADAPTERS: Record<Family, FamilyAdapter> = {
  gbdt: {
    family: 'gbdt', input: 'features', width: F, columns: [...FEATURE_NAMES], opsets: { '': 17, 'ai.onnx.ml': 3 },
    describe: 'gradient-boosted trees, multiclass softmax, histogram splits, Newton leaves → ai.onnx.ml TreeEnsembleRegressor + Softmax',
    defaults: { ...GBDT_DEFAULTS },
    fit: async (X, n, y, p) => fitGbdt(X, n, F, y, p),
    predict: async (m, X, n) => predictGbdt(m as ReturnType<typeof fitGbdt>, X, n),
    toOnnx: (m, meta) => gbdtToOnnx(m as ReturnType<typeof fitGbdt>, meta),
  },
  mlp: {
    family: 'mlp', input: 'features', width: F, columns: [...FEATURE_NAMES], opsets: { '': 17 },
    describe: 'MLP 13→32→16→3 (ReLU) on standardised engineered features, tfjs CPU, Adam',
    defaults: { ...NN_DEFAULTS, hidden: [32, 16] },
    fit: (X, n, y, p) => fitMlp(X, n, F, y, p),
    predict: (m, X, n) => predictMlp(m as Awaited<ReturnType<typeof fitMlp>>, X, n),
    toOnnx: (m, meta) => mlpToOnnx(m as Awaited<ReturnType<typeof fitMlp>>, meta),
  },
  temporal: {
    family: 'temporal', input: 'window', width: FEATURE_SPEC.windowSize, columns: windowColumns, opsets: { '': 17 },
    describe: 'PatchTST-style: 32-candle window cut into 4 patches of 8, shared linear patch embedding + position, MLP mixer; tfjs CPU, Adam',
    defaults: { ...NN_DEFAULTS, patch: 8, embed: 16, hidden: 32 },
    fit: (X, n, y, p) => fitTemporal(X, n, y, p),
    predict: (m, X, n) => predictTemporal(m as Awaited<ReturnType<typeof fitTemporal>>, X, n),
    toOnnx: (m, meta) => temporalToOnnx(m as Awaited<ReturnType<typeof fitTemporal>>, meta),
  },
};
