import { describe, expect, it } from 'vitest';
import { readKlineCsv, FIXTURE_BTC_1M } from '../../models/data/index.js';
import { subjects } from '../../protocols/index.js';
import { createSimulatedClock } from '../clock/index.js';
import { symbolDef } from '../cli/defs.js';
import { counterDef } from '../testing/host-env.js';
import { createBacktestBus } from './bus.js';
import { subjectMatches } from './subject-match.js';

describe('backtest bus', () => {
  it('matches subjects like NATS', () => {
    expect(subjectMatches('qt.signal.>', 'qt.signal.BTCUSDT')).toBe(true);
    expect(subjectMatches('qt.signal.>', 'qt.signal.BTCUSDT.regime')).toBe(true);
    expect(subjectMatches('qt.signal.>', 'qt.signal')).toBe(false);
    expect(subjectMatches('qt.order.*.exec', 'qt.order.BTCUSDT.exec')).toBe(true);
    expect(subjectMatches('qt.order.*.exec', 'qt.order.BTCUSDT.event')).toBe(false);
    expect(subjectMatches('qt.md.sim.BTCUSDT.candle.1m', 'qt.md.sim.BTCUSDT.candle.5m')).toBe(false);
  });

  it('hosts the live definitions: same outputs, timers on the simulated clock, msgID dedup, bad input dead-lettered', async () => {
    const clock = createSimulatedClock(1_000_000);
    const bus = createBacktestBus(clock);
    const journal: unknown[] = [];
    bus.tap(subjects.journalAll, (m) => journal.push(m.data));
    const a = bus.add(counterDef, 'a');
    bus.publish(subjects.actorInput('counter', 'a'), { type: 'inc', by: 2 });
    bus.publish(subjects.actorInput('counter', 'a'), { type: 'arm', ms: 5_000 });
    bus.publish(subjects.actorInput('counter', 'a'), { bad: true });
    expect(a.getSnapshot().context.count).toBe(2);
    clock.advance(5_000);
    expect(a.getSnapshot().context.fired).toBe(1);
    expect(journal).toEqual([{ count: 2 }, { timer: 'tick', dueAt: 1_005_000, at: 1_005_000 }]);
    expect(bus.stats.deadLettered).toBe(1); // the host's default parse refuses a payload without a type
    const sym = bus.add(symbolDef({ venue: 'sim', interval: '1m' }), 'BTCUSDT');
    const candles = (await readKlineCsv(FIXTURE_BTC_1M)).slice(0, 100).map((c) => ({ ...c, venue: 'sim' }));
    const sigs: unknown[] = [];
    bus.tap(subjects.signal('BTCUSDT'), (m) => sigs.push(m.data));
    for (const c of candles) bus.publish(subjects.market('sim', 'BTCUSDT', 'candle.1m'), c);
    bus.publish(subjects.market('sim', 'BTCUSDT', 'candle.1m'), { ...candles[5], high: -1 });
    expect(sym.getSnapshot().context.candles).toBe(100);
    expect(sigs.length).toBeGreaterThan(30);
    expect(bus.stats.deadLettered).toBe(2);
    expect(bus.dead[1]!.reason).toMatch(/malformed candle/);
    bus.stop();
  });
});
