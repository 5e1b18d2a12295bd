import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURE_BTC_1M, parseKlineCsv } from '../../models/data/index.js';
import { computeFeatureMatrix, FEATURE_SPEC, WARMUP } from '../../models/features/index.js';
import { ARTIFACTS_DIR, listArtifacts, readArtifact } from '../../models/registry/index.js';
import { runOnnx } from '../../models/trainers/index.js';
import { runModels } from '../cli/models.js';
import { natsEnv } from '../testing/nats-env.js';
import { getPointer, inferBatch, loadModel, readModel, releaseAll, seedRegistry, type FeaturesMessage } from './index.js';

function fixtureMessages(n: number): FeaturesMessage[] {
  const candles = parseKlineCsv(readFileSync(FIXTURE_BTC_1M, 'utf8'), { symbol: 'BTCUSDT', interval: '1m' }).slice(0, WARMUP - 1 + n);
  const m = computeFeatureMatrix(candles);
  const out: FeaturesMessage[] = [];
  for (let i = WARMUP - 1; i < candles.length; i++) {
    out.push({
      venue: 'sim', symbol: 'BTCUSDT', interval: '1m', ts: candles[i]!.closeTime, close: candles[i]!.close, ready: true, spec: FEATURE_SPEC.hash.slice(0, 16),
      features: Array.from(m.features.subarray(i * FEATURE_SPEC.size, (i + 1) * FEATURE_SPEC.size)), window: Array.from(m.windows.subarray(i * FEATURE_SPEC.windowSize, (i + 1) * FEATURE_SPEC.windowSize)), atr: m.atr[i] ?? null,
    });
  }
  return out;
}

describe('model registry on NATS', () => {
  it('seeds idempotently; each family loaded from qt_models infers like the trainer-side onnxruntime run, batched = per row (1e-4)', async () => {
    await using env = await natsEnv();
    const first = await seedRegistry(env.bus, { now: 1, policy: 'beat-baselines' });
    expect(first.added.length).toBe(3);
    expect(first.champion).toEqual(['gbdt-1m-h12-bc6aa2d971a1', 'mlp-1m-h12-cde15889aabd']);
    expect(first.shadow).toEqual(['temporal-1m-h12-a45815639e90']);
    const again = await seedRegistry(env.bus, { now: 2, policy: 'beat-baselines' });
    expect(again).toEqual({ added: [], present: first.added, champion: null, shadow: null });
    expect((await getPointer(env.bus, 'champion'))!.value.since).toBe(1);

    const msgs = fixtureMessages(64);
    for (const id of await listArtifacts(ARTIFACTS_DIR)) {
      const m = await loadModel(env.bus, id);
      try {
        const { bytes } = await readArtifact(ARTIFACTS_DIR, id);
        const rows = new Float32Array(msgs.flatMap((x) => (m.input === 'features' ? x.features : x.window)));
        const expected = await runOnnx(bytes, m.input, rows, m.width);
        const batched = await inferBatch(msgs, [m], [], true);
        expect(batched.problem).toBeNull();
        expect(batched.calls).toBe(1);
        let maxDiff = 0;
        for (let i = 0; i < msgs.length; i++) {
          const single = await inferBatch([msgs[i]!], [m], [], true);
          for (let k = 0; k < 3; k++) {
            maxDiff = Math.max(maxDiff, Math.abs(batched.probs[i]![id]![k]! - expected[i * 3 + k]!), Math.abs(single.probs[0]![id]![k]! - batched.probs[i]![id]![k]!));
          }
        }
        expect(maxDiff).toBeLessThan(1e-4);
      } finally {
        await releaseAll([m]);
      }
    }
  }, 30_000);

  it('qt models: ls, promote → rollback round trip (journaled), add refuses mismatches with the reason', async () => {
    await using env = await natsEnv();
    await seedRegistry(env.bus, { now: 1, policy: 'beat-baselines' });
    let out = '';
    let err = '';
    const io = { bus: env.bus, out: (s: string) => void (out += s), err: (s: string) => void (err += s), now: () => 1000 };
    expect(await runModels(['ls', '--json'], io)).toBe(0);
    const ls = JSON.parse(out) as { models: Array<{ id: string; role: string }> };
    expect(ls.models.map((m) => m.role)).toEqual(['champion', 'champion', 'shadow']);

    out = '';
    expect(await runModels(['promote', 'temporal-1m-h12-a45815639e90', '--json', '--reason', 'test'], io)).toBe(0);
    expect((JSON.parse(out) as { ids: string[] }).ids).toEqual(['gbdt-1m-h12-bc6aa2d971a1', 'mlp-1m-h12-cde15889aabd', 'temporal-1m-h12-a45815639e90']);
    expect((await getPointer(env.bus, 'shadow'))!.value.ids).toEqual([]);
    out = '';
    expect(await runModels(['promote', 'gbdt-1m-h12-bc6aa2d971a1', '--only', '--json'], io)).toBe(0);
    expect((await getPointer(env.bus, 'champion'))!.value.ids).toEqual(['gbdt-1m-h12-bc6aa2d971a1']);
    // Rollback walks back: first to the three-member champion, then to the seeded two.
    expect(await runModels(['rollback', '--reason', 'test'], io)).toBe(0);
    expect((await getPointer(env.bus, 'champion'))!.value.ids).toHaveLength(3);
    expect(await runModels(['rollback'], io)).toBe(0);
    expect((await getPointer(env.bus, 'champion'))!.value.ids).toEqual(['gbdt-1m-h12-bc6aa2d971a1', 'mlp-1m-h12-cde15889aabd']);
    expect(await runModels(['promote', 'nope-1m-h12-000000000000'], io)).toBe(1);
    expect(err).toMatch(/refused \(missing\)/);

    const dir = await mkdtemp(join(tmpdir(), 'qt-models-'));
    try {
      const id = 'gbdt-1m-h12-bc6aa2d971a1';
      const { manifest, bytes } = await readArtifact(ARTIFACTS_DIR, id);
      await writeFile(join(dir, 'm.onnx'), bytes);
      const tryAdd = async (m: unknown) => {
        err = '';
        await writeFile(join(dir, 'm.json'), JSON.stringify(m));
        return runModels(['add', join(dir, 'm.onnx'), '--manifest', join(dir, 'm.json')], io);
      };
      expect(await tryAdd(manifest)).toBe(0); // already there: idempotent
      expect(await tryAdd({ ...manifest, input: { ...manifest.input, name: 'window', shape: [-1, 64] } })).toBe(1);
      expect(err).toMatch(/refused \(signature\).*model inputs \[features\] ≠ manifest input 'window'/);
      expect(await tryAdd({ ...manifest, input: { ...manifest.input, shape: [-1, 12] } })).toBe(1);
      expect(err).toMatch(/input width 12 ≠ feature spec features width 13/);
      expect(await tryAdd({ ...manifest, onnx: { ...manifest.onnx, sha256: '0'.repeat(64) } })).toBe(1);
      expect(err).toMatch(/refused \(corrupted\)/);
      expect(await tryAdd({ ...manifest, featureSpec: { ...manifest.featureSpec, hash: 'f'.repeat(64) } })).toBe(1);
      expect(err).toMatch(/refused \(stale\)/);
      expect((await readModel(env.bus, id)).manifest.id).toBe(id);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 30_000);
});
