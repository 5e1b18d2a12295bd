import { describe, expect, it } from 'vitest';
import { subjects, type JournalEntry, type SubmitCommand, type VenueReport } from '../../protocols/index.js';
import { runBacktest } from '../cli/backtest.js';
import { createSimulatedClock } from '../clock/index.js';
import { loadConfig } from '../config/index.js';
import { createSimVenue } from '../venues/sim/engine/index.js';
import { createBacktestBus } from './bus.js';
import { bridgeVenue } from './venue-bridge.js';

/** A bridged engine with one minute of synthetic market behind it, and the reports it answers with. */
function bridged() {
  const clock = createSimulatedClock(Date.UTC(2024, 0, 1));
  const venue = createSimVenue({ clock, seed: 3, market: { kind: 'synthetic', symbols: 5 }, feed: { printsPerCandle: 4, klinePartials: false, quotes: false, retime: false } });
  const bus = createBacktestBus(clock);
  bridgeVenue(bus, venue);
  const reports: VenueReport[] = [];
  bus.tap(subjects.orderEach('report'), (m) => reports.push(m.data as VenueReport));
  venue.start();
  clock.advance(60_000);
  let n = 0;
  const place = (c: Partial<SubmitCommand> & Pick<SubmitCommand, 'symbol' | 'side' | 'orderType'>): VenueReport => {
    const cmd: SubmitCommand = { type: 'submit', clientOrderId: `t-${++n}`, intentId: `i-${n}`, leg: 'entry', reduceOnly: false, attribution: 'test', ts: clock.now(), ...c };
    bus.publish(subjects.order(c.symbol, 'exec'), { op: 'place', command: cmd });
    return reports.filter((r) => r.clientOrderId === cmd.clientOrderId).at(-1)!;
  };
  const mark = (symbol: string) => Number(venue.engine.premiumIndex(symbol).markPrice);
  return { venue, place, mark, stop: () => venue.stop() };
}

describe('backtest venue bridge: orders pass the live adapter checks before the engine', () => {
  it('rounds an entry down to the step and a stop to the tick, as the adapter sends them live', () => {
    const b = bridged();
    // SOLUSDT: step 1, tick 0.001 (Binance's).
    const entry = b.place({ symbol: 'SOLUSDT', side: 'SELL', orderType: 'MARKET', qty: 40.5893 });
    expect(entry).toMatchObject({ status: 'FILLED', executedQty: 40 });
    const m = b.mark('SOLUSDT');
    const stop = b.place({ symbol: 'SOLUSDT', side: 'BUY', orderType: 'STOP_MARKET', stopPrice: m * 1.0123456, closePosition: true, workingType: 'MARK_PRICE', leg: 'sl' });
    expect(stop.status).toBe('NEW');
    const open = b.venue.engine.openOrders('SOLUSDT');
    expect(open).toHaveLength(1);
    expect(Number(open[0]!.stopPrice)).toBeCloseTo(Math.round((m * 1.0123456) / 0.001) * 0.001, 9);
    const tp = b.place({ symbol: 'SOLUSDT', side: 'BUY', orderType: 'TAKE_PROFIT_MARKET', stopPrice: m * 0.98, qty: 12.9, reduceOnly: true, workingType: 'MARK_PRICE', leg: 'tp1' });
    expect(tp.status).toBe('NEW');
    expect(b.venue.engine.openOrders('SOLUSDT').map((o) => o.origQty)).toContain('12');
    expect(b.venue.engine.history().rejects).toEqual([]);
    b.stop();
  });

  it('answers what the adapter refuses with a typed local refusal (code 0), never a venue -1111', () => {
    const b = bridged();
    const tooSmall = b.place({ symbol: 'SOLUSDT', side: 'BUY', orderType: 'MARKET', qty: 0.7 });
    expect(tooSmall).toMatchObject({ status: 'REJECTED', code: 0 });
    expect(tooSmall.reason).toMatch(/^order refused locally \(BELOW_MIN_QTY on qty\)/);
    const m = b.mark('ETHUSDT');
    const wrongSide = b.place({ symbol: 'ETHUSDT', side: 'SELL', orderType: 'STOP_MARKET', stopPrice: m * 1.01, closePosition: true, leg: 'sl' });
    expect(wrongSide).toMatchObject({ status: 'REJECTED', code: 0 });
    expect(wrongSide.reason).toMatch(/WRONG_SIDE on stopPrice/);
    const dust = b.place({ symbol: 'ETHUSDT', side: 'BUY', orderType: 'MARKET', qty: 0.0019 });
    expect(dust.reason).toMatch(/BELOW_MIN_NOTIONAL/);
    // Nothing refused locally reached the engine.
    expect(b.venue.engine.history().rejects).toEqual([]);
    expect(b.venue.engine.history().orders).toEqual([]);
    b.stop();
  });
});

describe('backtest entries reach the engine as live would send them', () => {
  it('every approved entry is a venue order or a typed local refusal; every filled one is protected', async () => {
    // A 1.2 % stop floor sizes some entries of this seed just under the venue's step or min notional.
    const cfg = loadConfig({ env: {}, overrides: { strategy: { minConfidence: 0.51, stopPct: 0.012 } } });
    const r = await runBacktest({ cfg, data: 'synthetic', symbols: 50, candles: 300, seed: 3, signals: 'fallback' });
    expect(r.venueRejects['-1111']).toBeUndefined();
    type OrderEntry = JournalEntry & { data: { status: string; leg: string; reason?: string } };
    const orders = r.journal.filter((j): j is OrderEntry => j.kind === 'order');
    const approved = r.journal.filter((j) => j.kind === 'risk' && (j.data as { verdict?: { decision?: string } }).verdict?.decision === 'approve');
    expect(approved.length).toBeGreaterThan(0);
    const statusOf = (cid: string | undefined, status: string) => orders.find((o) => o.clientOrderId === cid && o.data.status === status);
    let atVenue = 0;
    let refusals = 0;
    for (const a of approved) {
      if (statusOf(a.clientOrderId, 'accepted')) {
        atVenue++;
        continue;
      }
      const refused = statusOf(a.clientOrderId, 'rejected');
      expect(refused?.data.reason, `entry ${a.clientOrderId}`).toMatch(/^order refused locally \([A-Z_]+ on \w+\): ./);
      refusals++;
    }
    expect(atVenue).toBeGreaterThan(approved.length / 2);
    // This run includes entries that round below the step or min notional: the refusal path is exercised.
    expect(refusals).toBeGreaterThan(0);
    const filled = new Set(orders.filter((o) => o.data.leg === 'entry' && o.data.status === 'filled').map((o) => o.intentId));
    const stopped = new Set(orders.filter((o) => o.data.leg === 'sl' && o.data.status === 'accepted').map((o) => o.intentId));
    expect(filled.size).toBeGreaterThan(0);
    expect([...filled].filter((i) => !stopped.has(i))).toEqual([]);
  }, 120_000);
});
