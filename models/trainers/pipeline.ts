import { basename } from 'node:path';
import type { Candle } from '../../protocols/index.js';
import { readKlineCsv } from '../data/index.js';
import { FEATURE_SPEC, WARMUP, WINDOW_SPEC } from '../features/index.js';
import { CLASSES, DEFAULT_LABEL, buildDataset, evaluateWalkForward, formatReport, takeRows, type Dataset, type Evaluation, type LabelSpec } from '../eval/index.js';
import { ManifestSchema, sha256Hex, type Family, type Manifest } from '../registry/index.js';
import { ADAPTERS, type FamilyParams } from './families.js';
import { assertParity } from './parity.js';

/** Bumped when trainer code changes what a given seed and data produce. */
export const TRAINER_VERSION = '1.0.0';

/** One training run of one family. Plain data, so it can cross into a worker thread. */
export interface TrainOptions {
  family: Family;
  /** Kline CSV files, one per symbol, all the same interval (ignored when `series` is given). */
  files?: string[];
  /** Candle series, one per symbol (in-process callers only). */
  series?: Candle[][];
  /** Use only the last N candles of each series. */
  maxCandles?: number;
  label?: Partial<LabelSpec>;
  /** Walk-forward folds. @default 4 */
  folds?: number;
  /** @default 1 */
  seed?: number;
  params?: FamilyParams;
  /** Manifest `createdAt` (ms). @default Date.now() when the run starts */
  createdAt?: number;
  /** Rows checked for ONNX parity. @default 1024 */
  parityRows?: number;
}

/** A trained, exported, parity-checked model with its evaluation. */
export interface TrainResult {
  manifest: Manifest;
  onnx: Uint8Array;
  evaluation: Evaluation;
  report: string;
}

const iso = (t: number): string => new Date(t).toISOString();

async function loadSeries(o: TrainOptions): Promise<Candle[][]> {
  const series = o.series ?? (await Promise.all((o.files ?? []).map((f) => readKlineCsv(f))));
  if (series.length === 0) throw new Error('train: no data (give files or series)');
  return o.maxCandles ? series.map((s) => s.slice(-o.maxCandles!)) : series;
}

/**
 * Load → features → labels → purged walk-forward evaluation (fresh model per fold) → final fit
 * on all rows → ONNX export → onnxruntime parity check → manifest. Throws on parity failure.
 */
export async function trainModel(o: TrainOptions, onProgress: (msg: string) => void = () => {}): Promise<TrainResult> {
  const started = performance.now();
  const createdAt = o.createdAt ?? Date.now();
  const a = ADAPTERS[o.family];
  const seed = o.seed ?? 1;
  const params = { ...a.defaults, ...o.params, seed } as FamilyParams & { seed: number };
  const label = { ...DEFAULT_LABEL, ...o.label };
  const series = await loadSeries(o);
  const ds = buildDataset(series, label);
  const M = a.input === 'features' ? ds.X : ds.W;
  onProgress(`${o.family}: ${ds.n} rows from ${ds.symbols.join(',')}`);

  const evaluation = await evaluateWalkForward(ds, async (train, test, fold) => {
    const model = await a.fit(takeRows(M, a.width, train), train.length, Array.from(train, (i) => ds.y[i]!), params);
    onProgress(`${o.family}: fold ${fold} trained on ${train.length} rows`);
    return a.predict(model, takeRows(M, a.width, test), test.length);
  }, { folds: o.folds ?? 4, seed });

  const model = await a.fit(M, ds.n, ds.y, params);
  onProgress(`${o.family}: final model trained on ${ds.n} rows`);
  const metadata = { family: o.family, feature_spec_version: FEATURE_SPEC.version, feature_spec_hash: FEATURE_SPEC.hash, classes: CLASSES.join(','), input: a.input };
  const onnx = a.toOnnx(model, metadata);
  const k = Math.min(ds.n, o.parityRows ?? 1024);
  const rows = M.slice((ds.n - k) * a.width);
  const parityMaxDiff = await assertParity(onnx, a.input, rows, a.width, await a.predict(model, rows, k));
  const manifest = buildManifest(o, ds, evaluation, onnx, { createdAt, params, parityMaxDiff, durationMs: performance.now() - started });
  return { manifest, onnx, evaluation, report: formatReport(`${manifest.id} (${a.describe})`, evaluation) };
}

interface RunInfo {
  createdAt: number;
  params: FamilyParams & { seed: number };
  parityMaxDiff: number;
  durationMs: number;
}

function buildManifest(o: TrainOptions, ds: Dataset, ev: Evaluation, onnx: Uint8Array, run: RunInfo): Manifest {
  const a = ADAPTERS[o.family];
  const sha = sha256Hex(onnx);
  const interval = intervalName(ds.intervalMs);
  const id = `${o.family}-${interval}-h${ds.label.horizon}-${sha.slice(0, 12)}`;
  const strip = <T extends { calibration?: unknown }>(m: T): Omit<T, 'calibration'> => {
    const { calibration: _c, ...rest } = m;
    return rest;
  };
  return ManifestSchema.parse({
    schema: 1, id, family: o.family, version: sha.slice(0, 12), createdAt: iso(run.createdAt),
    trainer: { name: `qt-${o.family}`, version: TRAINER_VERSION, seed: run.params.seed, params: { ...run.params }, durationMs: Math.round(run.durationMs) },
    featureSpec: { version: FEATURE_SPEC.version, hash: FEATURE_SPEC.hash },
    input: { name: a.input, dtype: 'float32', shape: [-1, a.width], columns: a.columns },
    output: { name: 'probs', dtype: 'float32', shape: [-1, 3], classes: [...CLASSES] },
    window: { warmupCandles: WARMUP, length: WINDOW_SPEC.length },
    label: { interval, horizon: ds.label.horizon, deadZoneK: ds.label.deadZoneK, rule: 'BUY if log(close[t+H]/close[t]) > k·(ATR14/close)·√H, SELL if < −that, else HOLD' },
    data: {
      source: o.files ? 'Binance USD-M perpetual klines (public market data)' : 'in-memory candles',
      symbols: ds.symbols, interval, from: iso(ds.time[0]!), to: iso(ds.time[ds.n - 1]!), rows: ds.n,
      files: (o.files ?? []).map((f) => basename(f)),
    },
    evaluation: {
      scheme: `expanding walk-forward, ${ev.folds.length} folds, purge gap ≥ H + ${WARMUP} candles, pooled out-of-sample`,
      folds: ev.folds.map((f) => ({ ...f, testFrom: iso(f.testFrom), testTo: iso(f.testTo), trainTo: iso(f.trainTo), model: strip(f.model), baselines: mapB(f.baselines, strip) })),
      mean: ev.mean,
      pooled: { model: ev.pooled.model, baselines: mapB(ev.pooled.baselines, strip) },
      beatsBaselines: ev.verdict.beatsBaselines, summary: ev.verdict.summary, warnings: ev.verdict.warnings,
    },
    onnx: { file: `${id}.onnx`, bytes: onnx.length, sha256: sha, opsets: a.opsets, parityMaxDiff: run.parityMaxDiff },
  });
}

function mapB<T, U>(b: Record<'prior' | 'buyHold' | 'momentum' | 'random', T>, f: (x: T) => U): Record<'prior' | 'buyHold' | 'momentum' | 'random', U> {
  return { prior: f(b.prior), buyHold: f(b.buyHold), momentum: f(b.momentum), random: f(b.random) };
}

function intervalName(ms: number): string {
  if (ms % 86_400_000 === 0) return `${ms / 86_400_000}d`;
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  return `${ms / 60_000}m`;
}
