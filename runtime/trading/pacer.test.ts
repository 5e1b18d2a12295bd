import { describe, expect, it } from 'vitest';
import { createOrderPacer, type PacePriority } from './pacer.js';

describe('order pacer', () => {
  it('never sends more than a window allows, and serves waiters by tier: stops, then take-profits, then entries', async () => {
    const windowMs = 150;
    // The send time the pacer counted: a busy test machine may run the callbacks late.
    const pacer = createOrderPacer({ windows: [[3, windowMs]], share: { stop: 1, reduce: 1, entry: 1 } });
    const grants: Array<{ who: string; at: number }> = [];
    const ask = (who: string, p: PacePriority) => pacer.acquire(p).then((at) => grants.push({ who, at }));
    // Entries for five symbols arrive first; take-profits, then stops arrive while they wait.
    const all = ['e1', 'e2', 'e3', 'e4', 'e5'].map((e) => ask(e, 'entry'));
    all.push(ask('t1', 'reduce'), ask('t2', 'reduce'), ask('s1', 'stop'), ask('s2', 'stop'));
    expect(pacer.waiting()).toEqual({ stop: 2, reduce: 2, entry: 2 });
    await Promise.all(all);
    expect(grants.map((g) => g.who)).toEqual(['e1', 'e2', 'e3', 's1', 's2', 't1', 't2', 'e4', 'e5']);
    // Behaviour, not speed: no window of `windowMs` ever held more than 3 sends.
    for (const g of grants) expect(grants.filter((x) => x.at >= g.at && x.at < g.at + windowMs).length).toBeLessThanOrEqual(3);
    expect(pacer.waiting()).toEqual({ stop: 0, reduce: 0, entry: 0 });
  });

  it('keeps headroom for stops: entries fill at most 60 % of a window and take-profits 80 %, so a stop goes at once', async () => {
    let t = 1_000;
    const pacer = createOrderPacer({ windows: [[10, 10_000]], now: () => t });
    const granted: string[] = [];
    const ask = (who: string, p: PacePriority) => void pacer.acquire(p).then(() => granted.push(who), () => undefined);
    for (let i = 1; i <= 8; i++) ask(`e${i}`, 'entry');
    await null;
    expect(granted).toEqual(['e1', 'e2', 'e3', 'e4', 'e5', 'e6']);
    ask('t1', 'reduce');
    ask('t2', 'reduce');
    ask('t3', 'reduce');
    await null;
    expect(granted.slice(6)).toEqual(['t1', 't2']);
    ask('s1', 'stop');
    ask('s2', 'stop');
    ask('s3', 'stop');
    await null;
    // Two stops fit the remaining 20 %; the third waits for the window to slide, ahead of everyone.
    expect(granted.slice(8)).toEqual(['s1', 's2']);
    expect(pacer.waiting()).toEqual({ stop: 1, reduce: 1, entry: 2 });
    pacer.close(new Error('done'));
    t += 1;
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
