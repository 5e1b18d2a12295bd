import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { FIXTURE_BTC_1M, parseKlineCsv } from '../data/index.js';
import { FEATURE_SPEC } from '../features/index.js';
import { buildDataset } from '../eval/index.js';
import { ManifestSchema, verifyArtifact } from '../registry/index.js';
import { fitGbdt, predictGbdt, gbdtToOnnx, runOnnx, maxAbsDiff, trainModel, type TrainResult } from './index.js';

const candles = parseKlineCsv(readFileSync(FIXTURE_BTC_1M, 'utf8'), { symbol: 'BTCUSDT', interval: '1m' });
const fast = { gbdt: { rounds: 30 }, mlp: { epochs: 4 }, temporal: { epochs: 3 } } as const;
const results: Partial<Record<keyof typeof fast, TrainResult>> = {};

describe.each(['gbdt', 'mlp', 'temporal'] as const)('%s trainer on the fixture', (family) => {
  beforeAll(async () => {
    results[family] = await trainModel({ family, series: [candles], folds: 3, seed: 7, params: fast[family], createdAt: Date.UTC(2024, 0, 1) });
  }, 40_000);

  it('exports ONNX that onnxruntime runs identically to the trainer (≤ 1e-4), and a valid manifest', async () => {
    const r = results[family]!;
    expect(r.manifest.onnx.parityMaxDiff).toBeLessThanOrEqual(1e-4);
    const m = ManifestSchema.parse(JSON.parse(JSON.stringify(r.manifest)));
    expect(verifyArtifact(m, r.onnx).id).toBe(m.id);
    expect(m.featureSpec.hash).toBe(FEATURE_SPEC.hash);
    expect(m.input.name).toBe(family === 'temporal' ? 'window' : 'features');
    expect(m.evaluation.folds).toHaveLength(3);
    expect(m.data.symbols).toEqual(['BTCUSDT']);
    expect(r.report).toMatch(/VERDICT: /);
    // Probabilities are a distribution on every row.
    const ds = buildDataset([candles.slice(-400)]);
    const X = family === 'temporal' ? ds.W : ds.X;
    const p = await runOnnx(r.onnx, m.input.name, X, m.input.shape[1]);
    for (let i = 0; i < ds.n; i++) expect(p[i * 3]! + p[i * 3 + 1]! + p[i * 3 + 2]!).toBeCloseTo(1, 5);
  });
});

describe('gbdt', () => {
  it('is reproducible from its seed (same ONNX bytes) and matches onnxruntime on held-out rows', async () => {
    const ds = buildDataset([candles]);
    const a = fitGbdt(ds.X, 3000, FEATURE_SPEC.size, ds.y, { rounds: 20, seed: 3 });
    const b = fitGbdt(ds.X, 3000, FEATURE_SPEC.size, ds.y, { rounds: 20, seed: 3 });
    expect(Buffer.from(gbdtToOnnx(a)).equals(Buffer.from(gbdtToOnnx(b)))).toBe(true);
    const rest = ds.X.slice(3000 * FEATURE_SPEC.size);
    const n = ds.n - 3000;
    expect(maxAbsDiff(await runOnnx(gbdtToOnnx(a), 'features', rest, FEATURE_SPEC.size), predictGbdt(a, rest, n))).toBeLessThan(1e-5);
  });

  it('rejects tampered bytes', () => {
    const r = results.gbdt!;
    const bad = r.onnx.slice();
    bad[bad.length - 1] = bad[bad.length - 1]! ^ 1;
    expect(() => verifyArtifact(r.manifest, bad)).toThrow(/sha256/);
    expect(() => verifyArtifact(r.manifest, r.onnx, { version: 'x', hash: '0'.repeat(64) })).toThrow(/feature spec/);
  });
});
