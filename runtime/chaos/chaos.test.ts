import { describe, expect, it } from 'vitest';
import { renderResults, runChaos } from './runner.js';
import type { ScenarioResult } from './types.js';

function check(results: ScenarioResult[]): void {
  const report = renderResults(results);
  for (const r of results) {
    expect(r.failures, `${r.name}:\n${report}`).toEqual([]);
    expect(r.violations, `${r.name}:\n${report}`).toEqual([]);
  }
}

/**
 * The chaos suite, short forms: real `qt up` nodes trading against the fault-injecting simulator on
 * a real nats-server; after every scenario the invariants are checked from the simulator's own
 * records (runtime/chaos/invariants.ts). The two environments run one after the other: two nodes at
 * once on two cores starve each other into NATS timeouts.
 */
describe('chaos suite (short forms)', () => {
  it('fuzz: every input subject, malformed/oversized/NaN/out-of-order: no bad input applied, no parse crash', async () => {
    const results = await runChaos({ scenarios: ['fuzz'], symbols: 3, speed: 10, seed: 7, awaitTrading: false });
    const r = results[0]!;
    expect(r.failures, renderResults(results)).toEqual([]);
    expect(r.violations, renderResults(results)).toEqual([]);
    expect(r.stats.deadLettered).toBeGreaterThan(0);
  }, 120_000);

  it('a run whose node never trades fails instead of passing vacuously', async () => {
    // A confidence bar no signal clears: nothing is ever entered.
    const results = await runChaos({ scenarios: ['fuzz'], symbols: 2, speed: 10, seed: 7, tradingWaitMs: 2_000, nodeEnv: { QT_STRATEGY__MIN_CONFIDENCE: '0.99' } });
    const r = results[0]!;
    expect(r.violations).toEqual([]);
    expect(r.stats.venueTrades).toBe(0);
    expect(r.ok).toBe(false);
    expect(r.failures).toEqual([expect.stringMatching(/^no venue fill in the 2 s before the scenario nor during it/)]);
  }, 120_000);

  it('node hosting the simulator at 10×: actor kills, venue faults, NATS restarts while trading', async () => {
    const results = await runChaos({ scenarios: ['actor-kills', 'venue-faults', 'nats-restart'], symbols: 4, speed: 10, seed: 7 });
    expect(results.map((r) => r.name)).toEqual(['actor-kills', 'venue-faults', 'nats-restart']);
    check(results);
    const by = Object.fromEntries(results.map((r) => [r.name, r.stats]));
    expect((by['actor-kills']!['killed.orders'] ?? 0) + (by['actor-kills']!['killed.position'] ?? 0)).toBeGreaterThan(2);
    expect(by['nats-restart']!.restarts).toBe(2);
    // Trading was active, and the faults met order traffic (flattens, exits, re-entries).
    expect(by['actor-kills']!.venueTrades).toBeGreaterThan(0);
    expect(by['venue-faults']!.venueOrders).toBeGreaterThan(by['actor-kills']!.venueOrders!);
  }, 200_000);

  it('node against an external simulator at 10×: 25 × kill -9 and restart, then a crash loop past the intensity', async () => {
    const results = await runChaos({ scenarios: ['kill9', 'crash-loop'], symbols: 8, seed: 7 });
    check(results);
    const by = Object.fromEntries(results.map((r) => [r.name, r.stats]));
    expect((by.kill9!['kills.random'] ?? 0) + (by.kill9!['kills.afterEntry'] ?? 0) + (by.kill9!['kills.afterExit'] ?? 0)).toBe(25);
    expect(by.kill9!.venueTrades).toBeGreaterThan(0);
    expect(by['crash-loop']!.nonZeroExits).toBe(1);
  }, 420_000);
});
