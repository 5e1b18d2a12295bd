import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config/index.js';
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
