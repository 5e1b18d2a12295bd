import { describe, expect, it } from 'vitest';
import { BUCKETS } from '../../protocols/index.js';
import { natsEnv } from '../testing/nats-env.js';
import { scanKv } from './kv-scan.js';

describe('scanKv', () => {
  it('reads the latest value of each live key once and ends while a key keeps being rewritten; deleted keys are left out', async () => {
    await using env = await natsEnv();
    const kv = await env.bus.kvm.open(BUCKETS.leases);
    for (const k of ['node.a', 'node.b', 'node.c', 'lease.X']) await kv.put(k, new TextEncoder().encode(`${k}:0`));
    await kv.delete('node.c');
    expect(await scanKv(env.bus, BUCKETS.leases, 'other.*')).toEqual([]);

    // A peer heartbeating as fast as it can: kv.keys() chases these writes and does not end.
    let writing = true;
    let writes = 0;
    const writer = (async () => {
      while (writing) await kv.put('node.b', new TextEncoder().encode(`node.b:${++writes}`));
    })();
    try {
      await new Promise((r) => setTimeout(r, 50));
      for (let i = 0; i < 20; i++) {
        const entries = await scanKv(env.bus, BUCKETS.leases, 'node.*');
        expect(entries.map((e) => e.key)).toEqual(['node.a', 'node.b']);
        expect(new TextDecoder().decode(entries.find((e) => e.key === 'node.b')!.value)).toMatch(/^node\.b:\d+$/);
        const all = await scanKv(env.bus, BUCKETS.leases, '>');
        expect(all.map((e) => e.key)).toEqual(['lease.X', 'node.a', 'node.b']);
        expect(new TextDecoder().decode(all[0]!.value)).toBe('lease.X:0');
      }
    } finally {
      writing = false;
      await writer;
    }
    expect(writes).toBeGreaterThan(20);
    // More keys than one round of gets.
    await Promise.all(Array.from({ length: 150 }, (_, i) => kv.put(`lease.S${String(i).padStart(3, '0')}`, new TextEncoder().encode(`${i}`))));
    const leases = await scanKv(env.bus, BUCKETS.leases, 'lease.*');
    expect(leases.map((e) => e.key)).toEqual([...Array.from({ length: 150 }, (_, i) => `lease.S${String(i).padStart(3, '0')}`), 'lease.X']);
    expect(leases.every((e) => e.revision > 0)).toBe(true);
  });
});
