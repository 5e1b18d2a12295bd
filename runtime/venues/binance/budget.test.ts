import { describe, expect, it } from 'vitest';
import { createSimulatedClock } from '../../clock/index.js';
import { WeightBudget } from './budget.js';
import { VenueClosedError } from './errors.js';

const settled = async (p: Promise<unknown>): Promise<boolean> => {
  let done = false;
  void p.then(() => (done = true), () => (done = true));
  for (let i = 0; i < 5; i++) await null;
  return done;
};

describe('request-weight budget', () => {
  it('market data is paced at the safety ratio; the order path may use two thirds of the rest, a protective order all of it', async () => {
    const minute = 60_000;
    const clock = createSimulatedClock(10 * minute);
    const budget = new WeightBudget(clock, 120, 0.9, 60_000);
    await budget.acquire(100, false);
    // Market data over 108 of 120 waits for the next minute...
    const polling = budget.acquire(10, false);
    expect(await settled(polling)).toBe(false);
    // ...while status queries and cancels go now, up to 116 (0.9 + 2/3 of the last 10 %)...
    expect(await settled(budget.acquire(1, false, 'order'))).toBe(true);
    expect(await settled(budget.acquire(0, true))).toBe(true);
    expect(await settled(budget.acquire(15, false, 'order'))).toBe(true);
    expect(budget.state()).toMatchObject({ used: 116, limit: 120 });
    const query = budget.acquire(1, false, 'order');
    expect(await settled(query)).toBe(false);
    // ...and a stop's reference mark still finds the top of the reserve, up to the venue's own limit, not more.
    expect(await settled(budget.acquire(4, false, 'protect'))).toBe(true);
    expect(await settled(budget.acquire(1, false, 'protect'))).toBe(false);
    clock.advance(minute);
    expect(await settled(polling)).toBe(true);
    expect(await settled(query)).toBe(true);
  });

  it('closing ends every wait for weight or a retry at once, and refuses further calls', async () => {
    const clock = createSimulatedClock(0);
    const budget = new WeightBudget(clock, 100, 0.9, 60_000);
    await budget.acquire(90, false);
    const waiting = budget.acquire(10, false);
    const retry = budget.wait(30_000);
    expect(await settled(waiting)).toBe(false);
    budget.close();
    await expect(waiting).rejects.toBeInstanceOf(VenueClosedError);
    await expect(retry).rejects.toBeInstanceOf(VenueClosedError);
    await expect(budget.acquire(1, false, 'protect')).rejects.toBeInstanceOf(VenueClosedError);
    // Nothing is left on the clock to keep a process alive.
    expect(clock.pending()).toBe(0);
  });
});
