import { describe, expect, it } from 'vitest';
import { createOrderPacer, type PacePriority } from './pacer.js';

describe('order pacer', () => {
  it('never sends more than a window allows, and serves waiters by tier: stops, then take-profits, then entries', async () => {
    const windowMs = 150;
    // The send time the pacer counted: a busy test machine may run the callbacks late.
    // No shares and no stop reservations: the tiers alone decide the order.
    const pacer = createOrderPacer({ windows: [[3, windowMs]], share: { stop: 1, reduce: 1, entry: 1 }, reserveMs: 0 });
    const grants: Array<{ who: string; at: number }> = [];
    const ask = (who: string, p: PacePriority) => pacer.acquire(p).then((at) => grants.push({ who, at: at! }));
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

  it('keeps headroom for stops: every entry reserves its stop, entries fill at most 60 % and take-profits 80 % of a window', async () => {
    let t = 1_000;
    const pacer = createOrderPacer({ windows: [[10, 10_000]], now: () => t, reserveMs: 5_000 });
    const granted: string[] = [];
    const ask = (who: string, p: PacePriority) => void pacer.acquire(p).then(() => granted.push(who), () => undefined);
    for (let i = 1; i <= 8; i++) ask(`e${i}`, 'entry');
    await null;
    // Three entries and the three stops they will need fill the entries' 60 %.
    expect(granted).toEqual(['e1', 'e2', 'e3']);
    expect(pacer.reserved()).toBe(3);
    for (const s of ['s1', 's2', 's3']) ask(s, 'stop');
    await null;
    expect(granted.slice(3)).toEqual(['s1', 's2', 's3']);
    expect(pacer.reserved()).toBe(0);
    // Six sends: no room left for entries; take-profits may go up to 80 %.
    for (const tp of ['t1', 't2', 't3']) ask(tp, 'reduce');
    await null;
    expect(granted.slice(6)).toEqual(['t1', 't2']);
    // Stops may fill the window: two fit the remaining 20 %, the third waits for it to slide, ahead of everyone.
    for (const s of ['s4', 's5', 's6']) ask(s, 'stop');
    await null;
    expect(granted.slice(8)).toEqual(['s4', 's5']);
    expect(pacer.waiting()).toEqual({ stop: 1, reduce: 1, entry: 5 });
    pacer.close(new Error('done'));
  });

  it('a reservation whose stop never comes (an entry that did not fill) expires and frees its room', async () => {
    let t = 1_000;
    const pacer = createOrderPacer({ windows: [[10, 10_000]], now: () => t, reserveMs: 5_000 });
    const granted: string[] = [];
    const ask = (who: string, p: PacePriority) => void pacer.acquire(p).then(() => granted.push(who), () => undefined);
    for (let i = 1; i <= 5; i++) ask(`e${i}`, 'entry');
    await null;
    expect(granted).toEqual(['e1', 'e2', 'e3']);
    t += 4_999;
    ask('e6', 'entry');
    await null;
    expect(granted).toEqual(['e1', 'e2', 'e3']);
    // Past reserveMs the three reservations are gone; the three sends still count in the 10 s window.
    t += 2;
    ask('e7', 'entry');
    await null;
    // Room for two more entries with their stops: 3 sent + 2 entries + 2 reserved > 6 would not be.
    expect(granted).toEqual(['e1', 'e2', 'e3', 'e4', 'e5']);
    expect(pacer.reserved()).toBe(2);
    pacer.close(new Error('done'));
  });

  it('lets an entry past its deadline go with null, counting no send for it', async () => {
    let t = 1_000;
    const pacer = createOrderPacer({ windows: [[2, 10_000]], share: { stop: 1, reduce: 1, entry: 1 }, now: () => t, reserveMs: 0 });
    expect(await pacer.acquire('entry')).toBe(1_000);
    expect(await pacer.acquire('entry')).toBe(1_000);
    // The window is full: both wait, one with a deadline.
    const late = pacer.acquire('entry', 1_500);
    const patient = pacer.acquire('entry');
    t = 1_600;
    // Any later call looks again: the late one (and one already past its deadline) resolve null.
    expect(await pacer.acquire('entry', 1_599)).toBeNull();
    expect(await late).toBeNull();
    expect(pacer.waiting()).toEqual({ stop: 0, reduce: 0, entry: 1 });
    // Once the first two sends leave the window, a stop and the patient entry both fit: the
    // expired waiters took no room in it.
    t = 11_001;
    expect(await pacer.acquire('stop')).toBe(11_001);
    expect(await patient).toBe(11_001);
    pacer.close(new Error('done'));
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
