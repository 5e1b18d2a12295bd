import { describe, expect, it } from 'vitest';
import { BUCKETS } from '../../protocols/index.js';
import { createLiveClock } from '../clock/index.js';
import type { Bus } from '../nats/index.js';
import { natsEnv, type NatsEnv } from '../testing/nats-env.js';
import { until } from '../testing/wait.js';
import { balance } from './balance.js';
import { createLeaseManager, type LeaseManager } from './manager.js';

const SYMBOLS = Array.from({ length: 10 }, (_, i) => `SYM${i}USDT`);
const TTL = 1_500;
const RENEW = TTL / 3;
const SKEW = 150;

/** Until provisioning creates `qt_leases`, the test makes it the way provisioning will. */
async function leaseEnv(): Promise<NatsEnv> {
  const env = await natsEnv();
  if (!(await env.bus.jsm.streams.info(`KV_${BUCKETS.leases}`).catch(() => undefined))) await env.bus.kvm.create(BUCKETS.leases, { history: 1 });
  return env;
}

const manager = (bus: Bus, node: string) => createLeaseManager({ bus, node, ttlMs: TTL, skewMs: SKEW, clock: createLiveClock() });

describe('balance', () => {
  it('assigns each symbol to exactly one live node; a leaving node moves only its own symbols', () => {
    const two = balance(SYMBOLS, ['b', 'a']);
    expect([...two.keys()]).toEqual(SYMBOLS);
    expect(new Set(two.values())).toEqual(new Set(['a', 'b']));
    const three = balance(SYMBOLS, ['a', 'b', 'c']);
    for (const s of SYMBOLS) if (three.get(s) !== 'c') expect(three.get(s)).toBe(two.get(s));
    expect([...balance(SYMBOLS, ['a']).values()].every((n) => n === 'a')).toBe(true);
    expect(balance(SYMBOLS, []).size).toBe(0);
  });
});

describe('lease manager on a real nats-server', () => {
  it('of two takers of an expired lease exactly one wins', async () => {
    await using env = await leaseEnv();
    const [a, b] = await Promise.all([manager(await env.connect(), 'a'), manager(await env.connect(), 'b')]);
    for (let i = 0; i < 10; i++) {
      const sym = `RACE${i}`;
      const wins = await Promise.all([a.acquire(sym), b.acquire(sym)]);
      expect(wins.filter(Boolean)).toHaveLength(1);
      expect(a.owned().includes(sym) !== b.owned().includes(sym)).toBe(true);
    }
    // A held lease is not taken; a released one is, and the loser hears about it only through its own release.
    expect(await b.acquire('HELD')).toBe(true);
    expect(await a.acquire('HELD')).toBe(false);
    const lost: string[] = [];
    b.onLost((s, why) => void lost.push(`${s}:${why}`));
    await b.release('HELD');
    expect(lost).toEqual(['HELD:released']);
    expect(await a.acquire('HELD')).toBe(true);
    await Promise.all([a.stop(), b.stop()]);
  });

  it('a renewal that loses the compare-and-set drops the symbol at once', async () => {
    await using env = await leaseEnv();
    const a = await manager(await env.connect(), 'a');
    const lost: string[] = [];
    a.onLost((s, why) => void lost.push(`${s}:${why}`));
    expect(await a.acquire('BTCUSDT')).toBe(true);
    // Someone (an operator, a split brain) overwrote the lease behind our back.
    await (await env.bus.kvm.open(BUCKETS.leases)).put('lease.BTCUSDT', new Uint8Array([0x80]));
    await a.renew();
    expect(lost).toEqual(['BTCUSDT:conflict']);
    expect(a.owned()).toEqual([]);
    await a.stop();
  });

  it('two nodes split 10 symbols; a killed node\'s symbols move within TTL + renew, never doubly owned', async () => {
    await using env = await leaseEnv();
    const busA = await env.connect();
    const nodes: LeaseManager[] = [await manager(busA, 'node-a'), await manager(await env.connect(), 'node-b')];
    const [a, b] = nodes as [LeaseManager, LeaseManager];
    const violations: string[] = [];
    const lastOwned = new Map<string, number>();
    let maxGap = 0;
    let watchGaps = false;
    // Sample often: at no instant may two nodes both claim a symbol with an unexpired lease.
    const sampler = setInterval(() => {
      const now = Date.now();
      for (const s of SYMBOLS) {
        const holders = nodes.filter((n) => n.owned().includes(s)).map((n) => n.node);
        if (holders.length > 1) violations.push(`${s} held by ${holders.join(' and ')} at ${now}`);
        if (holders.length) lastOwned.set(s, now);
        else if (watchGaps) maxGap = Math.max(maxGap, now - (lastOwned.get(s) ?? now));
      }
    }, 5);
    try {
      a.start(() => SYMBOLS);
      b.start(() => SYMBOLS);
      const plan = balance(SYMBOLS, ['node-a', 'node-b']);
      const mine = (n: string) => SYMBOLS.filter((s) => plan.get(s) === n);
      await until(() => JSON.stringify(a.owned()) === JSON.stringify(mine('node-a')) && JSON.stringify(b.owned()) === JSON.stringify(mine('node-b')), 'balanced split', 10_000);
      expect(a.owned().length).toBeGreaterThan(0);
      expect(b.owned().length).toBeGreaterThan(0);
      expect(a.owned().length + b.owned().length).toBe(10);
      watchGaps = true;

      // Kill node A: its connection goes away mid-flight and it never renews or releases again.
      const moving = a.owned();
      const killedAt = Date.now();
      await busA.nc.close();
      await until(() => b.owned().length === 10, 'all symbols on node B', TTL + RENEW + 2 * SKEW + 2_000);
      const moveMs = Date.now() - killedAt;
      expect(moving.every((s) => b.owned().includes(s))).toBe(true);
      expect(a.owned()).toEqual([]);
      expect(moveMs).toBeLessThanOrEqual(TTL + RENEW + 2 * SKEW + 300);
      expect(maxGap).toBeLessThanOrEqual(TTL + RENEW);
      expect(violations).toEqual([]);
    } finally {
      clearInterval(sampler);
      await a.stop({ release: false });
      await b.stop();
    }
  }, 30_000);
});
