import { describe, expect, it } from 'vitest';
import { createSimulatedClock } from '../clock/index.js';
import { startPoller } from './poller.js';

const flush = () => new Promise((r) => setImmediate(r));

describe('poller', () => {
  it('runs on its own timer, and a refresh brings the next run forward without ever pushing it back', async () => {
    const clock = createSimulatedClock(0);
    const runs: number[] = [];
    const p = await startPoller({ clock, debounceMs: 1_000, once: async () => (runs.push(clock.now()), 30_000), info: () => ({}) });
    expect(runs).toEqual([0]);
    // Account events every 300 ms without pause: reads still happen, about once per debounce.
    for (let t = 0; t < 5_000; t += 300) {
      p.refresh();
      clock.advance(300);
      await flush();
    }
    expect(runs.length).toBeGreaterThanOrEqual(4);
    for (let i = 2; i < runs.length; i++) expect(runs[i]! - runs[i - 1]!).toBeLessThanOrEqual(1_300);
    // Quiet again: the refresh still pending runs, then only the periodic one, about 30 s later.
    clock.advance(1_000);
    await flush();
    const n = runs.length;
    clock.advance(29_000);
    await flush();
    expect(runs).toHaveLength(n);
    clock.advance(2_000);
    await flush();
    expect(runs).toHaveLength(n + 1);
    await p.stop();
  });
});
