import { describe, expect, it } from 'vitest';
import { createSimulatedClock } from './index.js';

describe('simulated clock', () => {
  it('fires timers in due order, ties in creation order, only when advanced', () => {
    const c = createSimulatedClock(1_000);
    const fired: string[] = [];
    c.setTimeout(() => fired.push('b@50'), 50);
    c.setTimeout(() => fired.push('a@10'), 10);
    c.setTimeout(() => fired.push('c@50'), 50);
    expect(fired).toEqual([]);
    c.advance(49);
    expect(fired).toEqual(['a@10']);
    c.advance(1);
    expect(fired).toEqual(['a@10', 'b@50', 'c@50']);
    expect(c.now()).toBe(1_050);
  });

  it('runs timers scheduled by timers within the same advance, and honours clearTimeout', () => {
    const c = createSimulatedClock();
    const fired: number[] = [];
    const h = c.setTimeout(() => fired.push(-1), 5);
    c.setTimeout(() => c.setTimeout(() => fired.push(c.now()), 10), 10);
    c.clearTimeout(h);
    c.advance(100);
    expect(fired).toEqual([20]);
    expect(c.pending()).toBe(0);
  });
});
