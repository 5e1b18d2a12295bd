import { describe, expect, it } from 'vitest';
import type { GoLiveReport } from './check.js';
import { assertLiveAllowed, LIVE_ACK_TEXT, LiveTradingRefusedError } from './live-guard.js';

const report = (pass: boolean): GoLiveReport => ({
  pass,
  period: { from: 0, to: 1 },
  gates: [{ name: 'max-drawdown', pass, value: pass ? 0.02 : 0.2, limit: 0.1, detail: pass ? 'ok' : '20% max drawdown' }],
  config: { minHours: 48, maxDrawdown: 0.1, unprotectedGraceSec: 5, maxEscalations: 0, minPnlEntries: 1 },
  checkedAt: 1,
});

describe('assertLiveAllowed', () => {
  it('paper and testnet need nothing', () => {
    expect(() => assertLiveAllowed({ mode: 'sim', cliOptIn: false })).not.toThrow();
    expect(() => assertLiveAllowed({ mode: 'binance-testnet', cliOptIn: false })).not.toThrow();
  });

  it('live needs the flag AND the exact acknowledgement AND a passed gate', () => {
    expect(() => assertLiveAllowed({ mode: 'binance-live', cliOptIn: true, configAck: LIVE_ACK_TEXT, gate: report(true) })).not.toThrow();
    const refused = (i: Parameters<typeof assertLiveAllowed>[0]) => {
      try {
        assertLiveAllowed(i);
      } catch (e) {
        expect(e).toBeInstanceOf(LiveTradingRefusedError);
        return (e as LiveTradingRefusedError).reasons;
      }
      throw new Error('expected a refusal');
    };
    expect(refused({ mode: 'binance-live', cliOptIn: false, configAck: LIVE_ACK_TEXT, gate: report(true) })).toEqual(['the command line lacks --i-understand-live-trading']);
    expect(refused({ mode: 'binance-live', cliOptIn: true, configAck: LIVE_ACK_TEXT.toLowerCase(), gate: report(true) })[0]).toMatch(/does not match the required text exactly/);
    expect(refused({ mode: 'binance-live', cliOptIn: true, configAck: LIVE_ACK_TEXT, gate: report(false) })).toEqual(['the go-live gate failed: max-drawdown (20% max drawdown)']);
    expect(refused({ mode: 'binance-live', cliOptIn: false })).toHaveLength(3);
  });
});
