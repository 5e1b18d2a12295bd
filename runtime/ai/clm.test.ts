import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { STREAMS, subjects, type JournalEntry } from '../../protocols/index.js';
import { FIXTURE_BTC_1M, readKlineCsv } from '../../models/data/index.js';
import { createLiveClock } from '../clock/index.js';
import { encode } from '../codec.js';
import { clmDef } from '../cli/defs-ai.js';
import { loadConfig } from '../config/index.js';
import { hostKit } from '../testing/host-env.js';
import { natsEnv } from '../testing/nats-env.js';
import { readStream, until } from '../testing/wait.js';
import { getPointer, hasModel, promoteModel, seedRegistry, startClmRunner } from './index.js';

describe('CLM runner', () => {
  it('retrains in a worker thread, registers the model, compares it with the champion on the same out-of-sample rows, and never promotes a worse one', async () => {
    await using env = await natsEnv();
    const cfg = loadConfig({ env: {}, overrides: { ai: { clm: { everyHours: 0, folds: 2, shadowHours: 1 } } } });
    await seedRegistry(env.bus, { now: 1, policy: 'beat-baselines' });
    const champion = (await getPointer(env.bus, 'champion'))!;
    const kit = await hostKit(env);
    const clm = await kit.start('main', clmDef(cfg));
    const runner = await startClmRunner({
      bus: env.bus, clock: createLiveClock(), logger: pino({ level: 'silent' }), ai: cfg.ai, params: { rounds: 10 } as never,
      data: async () => [await readKlineCsv(FIXTURE_BTC_1M)],
    });
    try {
      await env.bus.js.publish(subjects.actorInput('clm', 'main'), encode({ type: 'champion', ids: champion.value.ids, brier: 0.66, logLoss: 1.09 }));
      await env.bus.js.publish(subjects.actorInput('clm', 'main'), encode({ type: 'retrain', reason: 'test' }));
      const decision = await until(async () => (await readStream<JournalEntry>(env.bus, STREAMS.journal, subjects.journal('model'))).find((e) => /rejected|beats the champion/.test(e.data.summary)), 'CLM decision', 30_000);
      const ev = decision.data.data as { challenger: { id: string; logLoss: number; brier: number }; champion: { logLoss: number; brier: number; source: string } };
      expect(await hasModel(env.bus, ev.challenger.id)).toBe(true);
      expect(ev.champion.source).toMatch(/test rows/);
      const worse = !(ev.challenger.logLoss <= ev.champion.logLoss - 0.002 && ev.challenger.brier <= ev.champion.brier - 0.001);
      expect(decision.data.summary).toMatch(worse ? /rejected out of sample/ : /beats the champion/);
      if (worse) {
        await until(async () => (runner.info() as { commands: number }).commands >= 2, 'reject handled');
        expect((await getPointer(env.bus, 'champion'))!.value.ids).toEqual(champion.value.ids);
        expect((await getPointer(env.bus, 'shadow'))!.value.ids).not.toContain(ev.challenger.id);
      } else {
        await until(async () => (await getPointer(env.bus, 'shadow'))!.value.ids.includes(ev.challenger.id), 'challenger in shadow');
        expect((await getPointer(env.bus, 'champion'))!.value.ids).toEqual(champion.value.ids); // shadow first, never straight to champion
      }
      expect(await readStream(env.bus, STREAMS.dlq, subjects.dlqAll)).toEqual([]);
    } finally {
      await runner.stop();
      await clm.stop();
    }
  }, 45_000);

  it('a rollback is alerted once the pointer moved; one with nothing earlier is a critical alert, not a claim that it happened', async () => {
    await using env = await natsEnv();
    const cfg = loadConfig({ env: {}, overrides: { ai: { clm: { everyHours: 0 } } } });
    await seedRegistry(env.bus, { now: 1, policy: 'beat-baselines' });
    const seeded = (await getPointer(env.bus, 'champion'))!.value.ids;
    const runner = await startClmRunner({ bus: env.bus, clock: createLiveClock(), logger: pino({ level: 'silent' }), ai: cfg.ai, data: async () => [] });
    const rollback = (n: number) => env.bus.js.publish(subjects.actorInput('clm-runner', 'main'), encode({ op: 'rollback', reason: `live Brier bad #${n}`, evidence: { n } }), { msgID: `rb${n}` });
    const alerts = async () => (await readStream<JournalEntry>(env.bus, STREAMS.journal, subjects.journal('alert'))).map((e) => e.data as JournalEntry & { severity?: string; key?: string });
    try {
      await rollback(1);
      const failed = await until(async () => (await alerts()).find((a) => /CLM rollback failed: no earlier champion/.test(a.summary)), 'failed rollback alerted');
      expect(JSON.stringify(failed)).toContain('critical');
      expect((await alerts()).some((a) => /Champion rolled back/.test(a.summary))).toBe(false);
      expect((await getPointer(env.bus, 'champion'))!.value.ids).toEqual(seeded);

      await promoteModel(env.bus, seeded[0]!, { by: 'test', now: 2, mode: 'only' });
      await rollback(2);
      const done = await until(async () => (await alerts()).find((a) => /Champion rolled back to/.test(a.summary)), 'rollback alerted');
      expect(done.summary).toContain(seeded.join('+'));
      expect((await getPointer(env.bus, 'champion'))!.value.ids).toEqual(seeded);
    } finally {
      await runner.stop();
    }
  }, 30_000);
});
