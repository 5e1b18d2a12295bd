import { describe, expect, it } from 'vitest';
import { STREAMS, subjects, type JournalEntry } from '../../protocols/index.js';
import { loadConfig } from '../config/index.js';
import { readStream } from '../testing/wait.js';
import { natsEnv } from '../testing/nats-env.js';
import { hostKit } from '../testing/host-env.js';
import { riskDef, RISK_ID } from './defs-risk.js';
import { universeDef } from './venue.js';

type Ctx = Record<string, unknown> & { base: { maxDailyLossPct: number }; ledger: unknown; stats: unknown };

describe('a restored brain takes its limits from the current config', () => {
  it('risk: a loss limit tightened between two runs applies after the restart; the state built from events is kept', async () => {
    await using env = await natsEnv();
    const kit = await hostKit(env);
    const loose = loadConfig({ env: {}, overrides: { risk: { maxDailyLossPct: 0.05 } } });
    const first = await kit.start(RISK_ID, riskDef(loose));
    await first.stop();
    const stored = first.actor.getSnapshot().context as Ctx;
    expect(stored.base.maxDailyLossPct).toBe(0.05);

    const tight = loadConfig({ env: {}, overrides: { risk: { maxDailyLossPct: 0.02 } } });
    const again = await kit.start(RISK_ID, riskDef(tight));
    const ctx = again.actor.getSnapshot().context as Ctx;
    expect(ctx.base.maxDailyLossPct).toBe(0.02);
    // Only the configured fields moved: the ledger and counters are the stored ones.
    expect(ctx.ledger).toEqual(stored.ledger);
    expect(ctx.stats).toEqual(stored.stats);
    await again.stop();

    // The change is in the policy journal with the old and new values, once.
    const changes = async () => (await readStream<JournalEntry>(env.bus, STREAMS.journal, subjects.journal('policy'))).map((m) => m.data).filter((e) => e.data.reason === 'config_changed');
    const [entry, ...more] = await changes();
    expect(more).toEqual([]);
    expect(entry?.data.actor).toBe(`risk.${RISK_ID}`);
    const base = (entry?.data.changes as Array<{ field: string; from: { maxDailyLossPct: number }; to: { maxDailyLossPct: number } }>).find((c) => c.field === 'base');
    expect([base?.from.maxDailyLossPct, base?.to.maxDailyLossPct]).toEqual([0.05, 0.02]);
    // A restart on the same config changes nothing and journals nothing.
    const third = await kit.start(RISK_ID, riskDef(tight));
    await third.stop();
    expect(await changes()).toHaveLength(1);
  });

  it('universe: a larger topN applies to a restored selector', async () => {
    await using env = await natsEnv();
    const kit = await hostKit(env);
    const a = await kit.start('sim', universeDef(loadConfig({ env: {}, overrides: { universe: { topN: 3 } } }), 'sim'));
    await a.stop();
    const b = await kit.start('sim', universeDef(loadConfig({ env: {}, overrides: { universe: { topN: 50 } } }), 'sim'));
    expect((b.actor.getSnapshot().context as { topN: number }).topN).toBe(50);
    await b.stop();
  });
});
