import { readFileSync } from 'node:fs';
import { FIXTURE_BTC_1M, parseKlineCsv } from '../../models/data/index.js';
import { computeFeatureMatrix, FEATURE_SPEC } from '../../models/features/index.js';
import { ARTIFACTS_DIR, listArtifacts, readArtifact } from '../../models/registry/index.js';
import { inferBatch } from './infer.js';
import { releaseAll, sessionFor, type LoadedModel } from './sessions.js';
import type { FeaturesMessage } from './types.js';

/** Latency of one batch of `symbols` rows through every shipped model, batched vs one call per symbol. */
export interface InferenceBenchRow {
  symbols: number;
  models: string[];
  batched: { p50: number; p99: number; perSymbolUs: number };
  oneCallPerSymbol: { p50: number; p99: number; perSymbolUs: number };
  speedup: number;
}

const pct = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? 0;
};

/** Feature messages for `n` symbols from the fixture's real rows (row i of symbol k = fixture row i + 7k). */
function rows(n: number): FeaturesMessage[] {
  const candles = parseKlineCsv(readFileSync(FIXTURE_BTC_1M, 'utf8'), { symbol: 'BTCUSDT', interval: '1m' });
  const m = computeFeatureMatrix(candles);
  const ready: number[] = [];
  for (let i = 0; i < candles.length; i++) if (m.ready[i]) ready.push(i);
  return Array.from({ length: n }, (_, k) => {
    const i = ready[(k * 7) % ready.length]!;
    return {
      venue: 'bench', symbol: `S${k}USDT`, interval: '1m', ts: candles[i]!.closeTime, close: candles[i]!.close, ready: true, spec: FEATURE_SPEC.hash.slice(0, 16),
      features: Array.from(m.features.subarray(i * FEATURE_SPEC.size, (i + 1) * FEATURE_SPEC.size)),
      window: Array.from(m.windows.subarray(i * FEATURE_SPEC.windowSize, (i + 1) * FEATURE_SPEC.windowSize)), atr: m.atr[i] ?? null,
    };
  });
}

/**
 * Batched inference latency (p50/p99, ms per candle close) for 50 and 500 symbols through the
 * three shipped models, against one inference call per symbol per model. Not a test: run it with
 * `npx tsx -e "import('./runtime/ai/bench.ts').then(async m => console.log(JSON.stringify(await m.benchInference(), null, 2)))"`.
 */
export async function benchInference(o: { sizes?: number[]; iterations?: number } = {}): Promise<InferenceBenchRow[]> {
  const models: LoadedModel[] = [];
  for (const id of await listArtifacts(ARTIFACTS_DIR)) {
    const a = await readArtifact(ARTIFACTS_DIR, id);
    models.push(await sessionFor(a.manifest, a.bytes, null));
  }
  const out: InferenceBenchRow[] = [];
  try {
    for (const n of o.sizes ?? [50, 500]) {
      const batch = rows(n);
      const iters = o.iterations ?? (n >= 500 ? 20 : 50);
      const batched: number[] = [];
      const single: number[] = [];
      await inferBatch(batch, models, [], true); // warm-up
      for (let it = 0; it < iters; it++) {
        let t = performance.now();
        await inferBatch(batch, models, [], true);
        batched.push(performance.now() - t);
        t = performance.now();
        for (const r of batch) await inferBatch([r], models, [], true);
        single.push(performance.now() - t);
      }
      const b = { p50: pct(batched, 0.5), p99: pct(batched, 0.99) };
      const s = { p50: pct(single, 0.5), p99: pct(single, 0.99) };
      out.push({
        symbols: n, models: models.map((m) => m.id),
        batched: { ...b, perSymbolUs: (b.p50 / n) * 1000 }, oneCallPerSymbol: { ...s, perSymbolUs: (s.p50 / n) * 1000 }, speedup: s.p50 / Math.max(1e-9, b.p50),
      });
    }
  } finally {
    await releaseAll(models);
  }
  return out;
}
