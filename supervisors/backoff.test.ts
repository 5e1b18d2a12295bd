import { describe, expect, it } from 'vitest';
import { backoffDelay, createBackoff, resolveBackoffOptions } from './backoff.js';
import { harness } from './test-harness.js';
import { flush } from './testing.js';

describe('backoff', () => {
  const opts = resolveBackoffOptions({ min: 10, max: 500, jitter: 0.2, resetAfter: 1000 });

  it('doubles from min and caps at max', () => {
    const b = createBackoff({ ...opts, jitter: 0 });
    expect(Array.from({ length: 8 }, () => b.next())).toEqual([10, 20, 40, 80, 160, 320, 500, 500]);
    expect(b.attempt).toBe(8);
  });

  it('adds jitter within [base, base * (1 + jitter)] and never past max', () => {
    expect(backoffDelay(2, opts, () => 0)).toBe(40);
    expect(backoffDelay(2, opts, () => 1)).toBe(48);
    expect(backoffDelay(2, opts, () => 0.5)).toBe(44);
    for (let attempt = 0; attempt < 12; attempt++) {
      for (const r of [0, 0.1, 0.37, 0.99, 1]) {
        const base = Math.min(500, 10 * 2 ** attempt);
        const d = backoffDelay(attempt, opts, () => r);
        expect(d).toBeGreaterThanOrEqual(base);
        expect(d).toBeLessThanOrEqual(Math.min(500, Math.round(base * 1.2)));
      }
    }
    // A random source outside 0..1 is clamped rather than trusted.
    expect(backoffDelay(0, opts, () => 7)).toBe(12);
    expect(backoffDelay(100, opts, () => 0)).toBe(500);
  });

  it('resets after a healthy run of resetAfter ms, not before', () => {
    const b = createBackoff({ ...opts, jitter: 0 });
    b.next();
    b.next();
    expect(b.ran(999)).toBe(false);
    expect(b.next()).toBe(40);
    expect(b.ran(1000)).toBe(true);
    expect(b.next()).toBe(10);
    b.next();
    b.reset();
    expect(b.next()).toBe(10);
  });

  it('rejects impossible options', () => {
    expect(() => resolveBackoffOptions({ min: -1 })).toThrow(RangeError);
    expect(() => resolveBackoffOptions({ min: 100, max: 10 })).toThrow(RangeError);
    expect(() => resolveBackoffOptions({ jitter: 1.5 })).toThrow(RangeError);
  });
});

describe('backoff inside a supervisor', () => {
  it('grows per crash streak, is capped, and resets after resetAfter of running', async () => {
    const h = harness();
    const sup = h.make({ intensity: 100, backoff: { min: 10, max: 50, resetAfter: 1000 }, children: [h.kids.spec('a')] });
    await sup.start();
    const delays: number[] = [];
    for (let i = 0; i < 5; i++) {
      h.kids.get('a').crash();
      await flush();
      const rec = h.reporter.last('root.a');
      expect(rec?.status).toBe('backoff');
      delays.push(rec!.backoffMs!);
      // Not restarted one ms early: the delay runs on the injected clock.
      await h.advance(rec!.backoffMs! - 1);
      expect(sup.find('root.a')?.status).toBe('backoff');
      await h.advance(1);
      expect(sup.find('root.a')?.status).toBe('running');
    }
    expect(delays).toEqual([10, 20, 40, 50, 50]);
    expect(h.reporter.events.filter((e) => e.type === 'restarted').map((e) => e.backoffMs)).toEqual([10, 20, 40, 50, 50]);

    await h.advance(1000);
    h.kids.get('a').crash();
    await flush();
    expect(h.reporter.last('root.a')?.backoffMs).toBe(10);
  });

  it('uses the injected random source for jitter', async () => {
    const h = harness(() => 0.5);
    const sup = h.make({ backoff: { min: 100, max: 10_000, jitter: 0.2 }, children: [h.kids.spec('a')] });
    await sup.start();
    h.kids.get('a').crash();
    await flush();
    expect(h.reporter.last('root.a')?.backoffMs).toBe(110);
  });
});
