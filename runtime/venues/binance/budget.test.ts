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
  it('market data is paced at the safety ratio; the order path (reserve) may use the rest of the minute', async () => {
    const minute = 60_000;
    const clock = createSimulatedClock(10 * minute);
    const budget = new WeightBudget(clock, 100, 0.9, 60_000);
    await budget.acquire(85, false);
    // Market data over 90 of 100 waits for the next minute...
    const polling = budget.acquire(10, false);
    expect(await settled(polling)).toBe(false);
    // ...while a stop's reference mark, a status query and an order go now.
    expect(await settled(budget.acquire(1, false, true))).toBe(true);
    expect(await settled(budget.acquire(1, false, true))).toBe(true);
    expect(await settled(budget.acquire(0, true))).toBe(true);
    expect(budget.state()).toMatchObject({ used: 87, limit: 100 });
    // The reserve is the venue's own limit, not more.
    expect(await settled(budget.acquire(14, false, true))).toBe(false);
    clock.advance(minute);
    expect(await settled(polling)).toBe(true);
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
    await expect(budget.acquire(1, false, true)).rejects.toBeInstanceOf(VenueClosedError);
    // Nothing is left on the clock to keep a process alive.
    expect(clock.pending()).toBe(0);
  });
});
