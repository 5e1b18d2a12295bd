import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FIXTURE_BTC_1M, parseKlineCsv } from '../data/index.js';
import { computeFeatureMatrix, FEATURE_SPEC, WARMUP } from '../features/index.js';
import { runOnnx } from '../trainers/parity.js';
import { ARTIFACTS_DIR, FAMILIES, listArtifacts, readArtifact } from './index.js';

describe('shipped artifacts', () => {
  it('one verified model per family, each running on live-style features', async () => {
    const ids = await listArtifacts(ARTIFACTS_DIR);
    const candles = parseKlineCsv(readFileSync(FIXTURE_BTC_1M, 'utf8'), { symbol: 'BTCUSDT', interval: '1m' }).slice(0, 300);
    const m = computeFeatureMatrix(candles);
    const rows = candles.length - (WARMUP - 1);
    const families = [];
    for (const id of ids) {
      const { manifest, bytes } = await readArtifact(ARTIFACTS_DIR, id);
      families.push(manifest.family);
      expect(bytes.length).toBeLessThan(2 * 1024 * 1024);
      const input = manifest.input.name === 'features' ? m.features : m.windows;
      const width = manifest.input.name === 'features' ? FEATURE_SPEC.size : FEATURE_SPEC.windowSize;
      const probs = await runOnnx(bytes, manifest.input.name, input.slice((WARMUP - 1) * width), width);
      expect(probs.length).toBe(rows * 3);
      expect(probs.every((p) => p >= 0 && p <= 1)).toBe(true);
    }
    expect(families.sort()).toEqual([...FAMILIES].sort());
  }, 20_000);
});
