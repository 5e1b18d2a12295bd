import { z } from 'zod';

/** Model families this repo trains. */
export const FAMILIES = ['gbdt', 'mlp', 'temporal'] as const;
export type Family = (typeof FAMILIES)[number];

const num = z.number().finite();
const triple = z.tuple([num, num, num]);

const CalibrationBinSchema = z.strictObject({ lo: num, hi: num, n: z.number().int().nonnegative(), confidence: num.nullable(), accuracy: num.nullable() });

/** Scalar out-of-sample metrics (see models/eval/metrics.ts for definitions). */
export const MetricsSchema = z.strictObject({
  n: z.number().int().nonnegative(),
  accuracy: num,
  directionalAccuracy: num.nullable(),
  coverage: num,
  brier: num,
  logLoss: num,
  meanSignedReturnBps: num,
  predictedShare: triple,
  ece: num,
  calibration: z.array(CalibrationBinSchema).optional(),
});

const BaselinesSchema = z.strictObject({ prior: MetricsSchema, buyHold: MetricsSchema, momentum: MetricsSchema, random: MetricsSchema });

const FoldSchema = z.strictObject({
  fold: z.number().int(),
  trainRows: z.number().int(),
  testRows: z.number().int(),
  testFrom: z.string(),
  testTo: z.string(),
  trainTo: z.string(),
  model: MetricsSchema,
  baselines: BaselinesSchema,
});

/**
 * The manifest next to every `.onnx`: what goes in, what comes out, what it was trained on,
 * how it did out of sample against the baselines, and the sha256 of the exact bytes.
 */
export const ManifestSchema = z.strictObject({
  schema: z.literal(1),
  /** `<family>-<interval>-h<H>-<sha256[0..12]>`: also the file stem. */
  id: z.string().regex(/^[a-z]+-[0-9]+[mhd]-h[0-9]+-[0-9a-f]{12}$/),
  family: z.enum(FAMILIES),
  /** Content version: the first 12 hex digits of the ONNX sha256. */
  version: z.string(),
  createdAt: z.iso.datetime(),
  trainer: z.strictObject({ name: z.string(), version: z.string(), seed: z.number().int(), params: z.record(z.string(), z.unknown()), durationMs: num }),
  featureSpec: z.strictObject({ version: z.string(), hash: z.string().length(64) }),
  input: z.strictObject({
    name: z.enum(['features', 'window']),
    dtype: z.literal('float32'),
    /** ONNX shape; -1 is the batch dimension. */
    shape: z.tuple([z.literal(-1), z.number().int().positive()]),
    /** Column names (features) or channel names in time-major order (window). */
    columns: z.array(z.string()),
  }),
  output: z.strictObject({ name: z.literal('probs'), dtype: z.literal('float32'), shape: z.tuple([z.literal(-1), z.literal(3)]), classes: z.tuple([z.literal('SELL'), z.literal('HOLD'), z.literal('BUY')]) }),
  /** Candles of history the feature state needs before the first input (WARMUP), and the raw window length. */
  window: z.strictObject({ warmupCandles: z.number().int().positive(), length: z.number().int().positive() }),
  label: z.strictObject({ interval: z.string(), horizon: z.number().int().positive(), deadZoneK: num, rule: z.string() }),
  data: z.strictObject({
    source: z.string(),
    symbols: z.array(z.string()).min(1),
    interval: z.string(),
    from: z.string(),
    to: z.string(),
    rows: z.number().int().positive(),
    files: z.array(z.string()),
  }),
  evaluation: z.strictObject({
    scheme: z.string(),
    folds: z.array(FoldSchema),
    mean: z.strictObject({ model: MetricsSchema, baselines: BaselinesSchema }),
    pooled: z.strictObject({ model: MetricsSchema, baselines: BaselinesSchema }),
    beatsBaselines: z.boolean(),
    summary: z.string(),
    warnings: z.array(z.string()),
  }),
  onnx: z.strictObject({
    file: z.string(),
    bytes: z.number().int().positive(),
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
    opsets: z.record(z.string(), z.number().int()),
    /** Max |onnxruntime − trainer| on the parity rows. */
    parityMaxDiff: num,
  }),
});
export type Manifest = z.infer<typeof ManifestSchema>;
