import { describe, expect, it } from 'vitest';
import { createOrderPacer, type PacePriority } from './pacer.js';

describe('order pacer', () => {
  it('never sends more than a window allows, and serves waiters by tier: stops, then take-profits, then entries', async () => {
    const windowMs = 150;
    const pacer = createOrderPacer({ windows: [[3, windowMs]] });
    const grants: Array<{ who: string; at: number }> = [];
    const ask = (who: string, p: PacePriority) => pacer.acquire(p).then(() => grants.push({ who, at: performance.now() }));
    // Entries for five symbols arrive first; take-profits, then stops arrive while they wait.
    const all = ['e1', 'e2', 'e3', 'e4', 'e5'].map((e) => ask(e, 'entry'));
    all.push(ask('t1', 'reduce'), ask('t2', 'reduce'), ask('s1', 'stop'), ask('s2', 'stop'));
    expect(pacer.waiting()).toEqual({ stop: 2, reduce: 2, entry: 2 });
    await Promise.all(all);
    expect(grants.map((g) => g.who)).toEqual(['e1', 'e2', 'e3', 's1', 's2', 't1', 't2', 'e4', 'e5']);
    // Behaviour, not speed: no window of `windowMs` ever held more than 3 sends.
    for (const g of grants) expect(grants.filter((x) => x.at >= g.at && x.at < g.at + windowMs - 1).length).toBeLessThanOrEqual(3);
    expect(pacer.waiting()).toEqual({ stop: 0, reduce: 0, entry: 0 });
  });

  it('rejects waiters when closed, and every later request', async () => {
    const pacer = createOrderPacer({ windows: [[1, 60_000]] });
    await pacer.acquire('entry');
    const waiting = pacer.acquire('stop');
    pacer.close(new Error('stopping'));
    await expect(waiting).rejects.toThrow('stopping');
    await expect(pacer.acquire('entry')).rejects.toThrow('stopping');
  });
});
