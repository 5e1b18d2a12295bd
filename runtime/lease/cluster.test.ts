import { describe, expect, it } from 'vitest';
import { createLiveClock } from '../clock/index.js';
import type { Bus } from '../nats/index.js';
import { natsEnv } from '../testing/nats-env.js';
import { until } from '../testing/wait.js';
import { balance } from './balance.js';
import { createCluster, type Cluster } from './cluster.js';

const TTL = 1_500;
const cluster = (bus: Bus, node: string) => createCluster({ bus, node, clock: createLiveClock(), enabled: true, ttlMs: TTL, renewMs: 300, skewMs: 100 });
const UNIVERSE = ['AUSDT', 'BUSDT', 'CUSDT', 'DUSDT', 'EUSDT', 'FUSDT'];
// A symbol only node-a wants (it drains a position there) and that the hash gives node-a.
const DRAIN = Array.from({ length: 20 }, (_, i) => `DRAIN${i}USDT`).find((s) => balance([s], ['node-a', 'node-b']).get(s) === 'node-a')!;

describe('cluster membership on a real nats-server', () => {
  it('one leader; the universe split; a dead node\'s symbols — a draining one only it wanted included — and leadership move to the survivor; a retired symbol is not taken', async () => {
    await using env = await natsEnv();
    const busA = await env.connect();
    const a = await cluster(busA, 'node-a');
    const b = await cluster(await env.connect(), 'node-b');
    const events: string[] = [];
    for (const c of [a, b]) {
      c.onSymbol((s, owned) => void events.push(`${c.node}:${owned ? '+' : '-'}${s}`));
      c.onLeader((l) => void events.push(`${c.node}:${l ? '+' : '-'}leader`));
    }
    const both = [a, b] as Cluster[];
    try {
      await a.start();
      await b.start();
      a.setWanted([...UNIVERSE, DRAIN, 'GONEUSDT']);
      b.setWanted(UNIVERSE);
      await until(() => a.owned().length > 0 && b.owned().length > 0 && UNIVERSE.every((s) => a.owns(s) !== b.owns(s)), 'a split of the universe', 10_000);
      expect(both.filter((c) => c.isLeader()).map((c) => c.node)).toEqual(['node-a']);
      // Only node-a wants these; whoever the hash names holds them.
      await until(() => a.owns(DRAIN) && both.some((c) => c.owns('GONEUSDT')), 'the extra symbols held', 10_000);
      // GONE left the universe, flat: its owner retires it, and nobody takes it again.
      a.setWanted([...UNIVERSE, DRAIN]);
      await both.find((c) => c.owns('GONEUSDT'))!.retire('GONEUSDT');

      // node-a dies without a word: its connection drops and it never renews or releases again.
      await a.stop({ release: false });
      await busA.nc.close();
      await until(() => [...UNIVERSE, DRAIN].every((s) => b.owns(s)) && b.isLeader(), 'everything on node-b', TTL * 3);
      expect(b.owns('GONEUSDT')).toBe(false);
      expect(events).toContain('node-b:+leader');
      expect(events).toContain(`node-b:+${DRAIN}`);
    } finally {
      await b.stop();
    }
  }, 30_000);

  it('without leases a node owns everything and leads, with no KV traffic', async () => {
    const c = await createCluster({ bus: undefined as never, node: 'solo', clock: createLiveClock(), enabled: false, ttlMs: TTL });
    await c.start();
    expect([c.isLeader(), c.owns('BTCUSDT'), c.enabled]).toEqual([true, true, false]);
    await c.stop();
  });
});
