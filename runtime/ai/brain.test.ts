import { readFileSync } from 'node:fs';
import { pino } from 'pino';
import { Svcm } from '@nats-io/services';
import { describe, expect, it } from 'vitest';
import { STREAMS, subjects, type JournalEntry, type Signal } from '../../protocols/index.js';
import { FIXTURE_BTC_1M, parseKlineCsv } from '../../models/data/index.js';
import { computeFeatureMatrix, FEATURE_SPEC, WARMUP } from '../../models/features/index.js';
import { createLiveClock } from '../clock/index.js';
import { encode } from '../codec.js';
import { aiLogic, modelSupervisorDef } from '../cli/defs-ai.js';
import { loadConfig } from '../config/index.js';
import { hostKit } from '../testing/host-env.js';
import { natsEnv } from '../testing/nats-env.js';
import { readStream, until } from '../testing/wait.js';
import { modelStore, promoteModel, seedRegistry, startAiBrain, startAiService, type AiLogic, type FeaturesMessage } from './index.js';
import { rankSignals } from './feed.js';

const SYMBOLS = ['BTCUSDT', 'ETHUSDT', 'SOLUSDT'];
const candles = parseKlineCsv(readFileSync(FIXTURE_BTC_1M, 'utf8'), { symbol: 'BTCUSDT', interval: '1m' }).slice(0, 400);
const fm = computeFeatureMatrix(candles);

/** One features message per symbol for candle close `k` (fixture rows at different offsets, same ts). */
function batch(k: number): FeaturesMessage[] {
  return SYMBOLS.map((symbol, s) => {
    const i = WARMUP + k + s * 50;
    return {
      venue: 'sim', symbol, interval: '1m', ts: candles[WARMUP + k]!.closeTime, close: candles[i]!.close, ready: true, spec: FEATURE_SPEC.hash.slice(0, 16),
      features: Array.from(fm.features.subarray(i * FEATURE_SPEC.size, (i + 1) * FEATURE_SPEC.size)), window: Array.from(fm.windows.subarray(i * FEATURE_SPEC.windowSize, (i + 1) * FEATURE_SPEC.windowSize)), atr: fm.atr[i] ?? null,
    };
  });
}

// The fixture's closes are from the past: every batch would be stale on a live clock, so the
// tests about batching lift the bound; the staleness test sets it back to the default.
async function setup(signals: { staleAfterMs?: number } = { staleAfterMs: Number.MAX_SAFE_INTEGER }) {
  const env = await natsEnv();
  const cfg = loadConfig({ env: {}, overrides: { ai: { batchDeadlineMs: 200 }, signals } });
  const kit = await hostKit(env);
  const sup = await kit.start('main', modelSupervisorDef(cfg));
  const start = () => startAiBrain({ bus: env.bus, clock: createLiveClock(), logger: pino({ level: 'silent' }), logic: aiLogic as AiLogic<unknown>, ai: cfg.ai, fallbackRule: 'momentum', staleAfterMs: cfg.signals.staleAfterMs, deliver: 'all' });
  const publishBatch = (k: number, ts?: number) => Promise.all(batch(k).map((m) => env.bus.js.publish(subjects.features('sim', m.symbol), encode(ts === undefined ? m : { ...m, ts }))));
  return { env, sup, start, publishBatch, cfg };
}

describe('AI brain', () => {
  it('batches the universe, publishes calibrated ensemble signals with contributions, journals shadows, feeds the supervisor, serves qt-ai', async () => {
    const { env, sup, start, publishBatch } = await setup();
    await using _env = env;
    await seedRegistry(env.bus, { now: 1, policy: 'beat-baselines' });
    const brain = await start();
    const svc = await startAiService(env.bus, () => brain, 'test');
    try {
      await publishBatch(0);
      const sigs = await until(async () => {
        const s = await readStream<Signal>(env.bus, STREAMS.signals, subjects.signalAll);
        return s.length === 3 ? s : null;
      }, 'three signals');
      for (const { data } of sigs) {
        expect(data).toMatchObject({ source: 'model', attribution: 'ensemble:champion', interval: '1m' });
        expect(data.contributions.map((c) => c.family)).toEqual(['gbdt', 'mlp']);
        expect(data.contributions.reduce((a, c) => a + c.weight, 0)).toBeCloseTo(1, 6);
        expect(data.confidence).toBeGreaterThan(0);
        expect(data.confidence).toBeLessThan(0.7); // calibrated: these models are right ~40-48% of the time
      }
      // Stored strongest first, so a limited order rate admits the most confident entries.
      expect(sigs.map((s) => s.data.symbol)).toEqual(rankSignals(sigs.map((s) => s.data)).map((s) => s.symbol));
      expect(brain.health()).toMatchObject({ loaded: true, fallback: null, batches: 1, signals: 3, errors: 0 });
      const shadow = await until(async () => (await readStream<JournalEntry>(env.bus, STREAMS.journal, subjects.journal('model'))).find((e) => e.data.data['action'] === 'shadow-predictions'), 'shadow journal');
      expect(shadow.data.data['model']).toBe('temporal-1m-h12-a45815639e90');
      expect((shadow.data.data['predictions'] as unknown[]).length).toBe(3);
      await until(async () => (sup.info() as { cursor: number }).cursor >= 2, 'supervisor fed');
      expect(await readStream(env.bus, STREAMS.dlq, subjects.dlqAll)).toEqual([]);

      // The second close completes as soon as the known universe has reported.
      await publishBatch(1);
      await until(() => brain.health().batches === 2, 'second batch');

      const svcm = new Svcm(env.bus.nc as unknown as ConstructorParameters<typeof Svcm>[0]).client();
      const infos = [];
      for await (const i of await svcm.info('qt-ai')) infos.push(i);
      expect(infos[0]!.endpoints.map((e) => e.name).sort()).toEqual(['health', 'models', 'signal']);
      const stats = [];
      for await (const s of await svcm.stats('qt-ai')) stats.push(s);
      expect(stats).toHaveLength(1);
      const req = async (op: string, body?: unknown) => JSON.parse(new TextDecoder().decode((await env.bus.nc.request(subjects.control('ai', op), body ? JSON.stringify(body) : '', { timeout: 5_000 })).data));
      const one = batch(5)[0]!;
      expect(await req('signal', one)).toMatchObject({ symbol: 'BTCUSDT', ts: one.ts, source: 'model', attribution: 'ensemble:champion' });
      expect((await req('models')).champion.map((m: { family: string }) => m.family)).toEqual(['gbdt', 'mlp']);
      expect(await req('health')).toMatchObject({ loaded: true, fallback: null });
      const bad = await env.bus.nc.request(subjects.control('ai', 'signal'), JSON.stringify({ symbol: 'x' }), { timeout: 5_000 });
      expect(bad.headers?.get('Nats-Service-Error')).toMatch(/malformed features message/);
      expect(brain.health().batches).toBe(2); // a bad request is the caller's problem, not a crash
      // A pointer change reloads the ensemble (KV watch on qt_policy models.*).
      await promoteModel(env.bus, 'temporal-1m-h12-a45815639e90', { by: 'test', now: 5, mode: 'only' });
      await until(() => brain.health().champion.join() === 'temporal-1m-h12-a45815639e90', 'reload on promotion');
    } finally {
      await svc.stop();
      await brain.stop();
      await sup.stop();
    }
  }, 30_000);

  it('a close older than signals.staleAfterMs (warm-up history, a backlog) gets no inference and no signal; a live close right after does', async () => {
    const { env, start, publishBatch, cfg } = await setup({});
    await using _env = env;
    expect(cfg.signals.staleAfterMs).toBe(90_000);
    await seedRegistry(env.bus, { now: 1, policy: 'beat-baselines' });
    const brain = await start();
    try {
      await publishBatch(0);
      await publishBatch(1);
      await until(() => brain.health().staleBatches === 2, 'two stale batches observed');
      const live = Math.floor(Date.now() / 60_000) * 60_000 - 1;
      await publishBatch(2, live);
      const sigs = await until(async () => {
        const s = await readStream<Signal>(env.bus, STREAMS.signals, subjects.signalAll);
        return s.length >= 3 ? s : null;
      }, 'signals of the live close');
      expect(sigs.map((x) => x.data.ts)).toEqual([live, live, live]);
      expect(sigs.every((x) => x.data.source === 'model')).toBe(true);
      expect(brain.health()).toMatchObject({ batches: 3, signals: 3, staleBatches: 2, staleRows: 6, fallback: null });
    } finally {
      await brain.stop();
    }
  }, 30_000);

  it('a corrupted champion file (bytes flipped in qt_models) → labelled fallback, alert, reduce-only to risk; the brain stays up and recovers', async () => {
    const { env, start, publishBatch, sup } = await setup();
    await using _env = env;
    await seedRegistry(env.bus, { now: 1, policy: 'beat-baselines' });
    const os = await modelStore(env.bus);
    const name = 'gbdt-1m-h12-bc6aa2d971a1.onnx';
    const good = (await os.getBlob(name))!;
    const bad = good.slice();
    bad[200] = bad[200]! ^ 0xff;
    await os.putBlob({ name }, bad);
    const brain = await start();
    try {
      expect(brain.health()).toMatchObject({ loaded: false, fallback: { kind: 'corrupted', policy: 'reduce-only', rule: 'fallback:momentum' } });
      expect(brain.health().fallback!.reason).toMatch(/sha256/);
      await publishBatch(0);
      const sigs = await until(async () => {
        const s = await readStream<Signal>(env.bus, STREAMS.signals, subjects.signalAll);
        return s.length === 3 ? s : null;
      }, 'fallback signals');
      for (const { data } of sigs) {
        expect(data).toMatchObject({ source: 'fallback', attribution: 'fallback:momentum', contributions: [] });
        expect(data.reason).toMatch(/^reduce-only \(exits only\): champion .* unusable: \[corrupted\]/);
      }
      const alerts = await readStream<JournalEntry>(env.bus, STREAMS.journal, subjects.journal('alert'));
      expect(alerts.some((a) => a.data.summary.includes('fallback:momentum') && a.data.data['severity'] === 'critical')).toBe(true);
      const risk = await readStream<{ type: string; status: string; reason: string }>(env.bus, STREAMS.inputs, subjects.actorInput('risk', 'main'));
      expect(risk.map((r) => r.data.status)).toContain('reduce-only');
      const model = await readStream<JournalEntry>(env.bus, STREAMS.journal, subjects.journal('model'));
      expect(model.some((e) => e.data.data['action'] === 'fallback' && e.data.data['kind'] === 'corrupted')).toBe(true);
      // The supervisor machine folded the brain's fallback state into its status.
      await until(async () => (await readStream<{ status: string }>(env.bus, STREAMS.inputs, subjects.actorInput('risk', 'main'))).length >= 2, 'supervisor status to risk');

      await os.putBlob({ name }, good);
      await brain.reload();
      expect(brain.health()).toMatchObject({ loaded: true, fallback: null });
      await publishBatch(1);
      await until(async () => (await readStream<Signal>(env.bus, STREAMS.signals, subjects.signalAll)).some((s) => s.data.source === 'model'), 'model signals again');
    } finally {
      await brain.stop();
      await sup.stop();
    }
  }, 30_000);
});
