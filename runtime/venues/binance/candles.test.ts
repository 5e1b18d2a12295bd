import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { Candle } from '../../../protocols/market.js';
import { createSimulatedClock } from '../../clock/index.js';
import { CandleSequencer } from './candles.js';

const M = 60_000;
const T0 = 1_700_000_000_000 - (1_700_000_000_000 % M);
const candle = (i: number): Candle => ({
  venue: 'sim', symbol: 'BTCUSDT', interval: '1m', openTime: T0 + i * M, closeTime: T0 + i * M + M - 1,
  open: 100 + i, high: 101 + i, low: 99 + i, close: 100.5 + i, volume: 1,
});

function setup(rows: Candle[] | (() => Promise<Candle[]>)) {
  const clock = createSimulatedClock(T0 + 10 * M);
  const calls: Array<[number, number | undefined]> = [];
  const out: number[] = [];
  const seq = new CandleSequencer(
    '1m',
    async (from, to) => {
      calls.push([from, to]);
      if (typeof rows === 'function') return rows();
      return rows.filter((r) => r.openTime >= from && (to === undefined || r.openTime <= to));
    },
    (c) => out.push((c.openTime - T0) / M),
    clock,
    pino({ level: 'silent' }),
  );
  return { seq, calls, out, clock };
}

describe('CandleSequencer', () => {
  it('backfills a hole from REST before the candle that revealed it, and drops duplicates', async () => {
    const { seq, calls, out } = setup([0, 1, 2, 3, 4].map(candle));
    seq.onClosed(candle(0));
    seq.onClosed(candle(3));
    seq.onClosed(candle(2));
    seq.onClosed(candle(3));
    seq.onClosed(candle(4));
    await seq.idle();
    expect(out).toEqual([0, 1, 2, 3, 4]);
    expect(calls).toEqual([[T0 + M, T0 + 3 * M - 1]]);
    expect(seq.stats).toMatchObject({ emitted: 5, backfilled: 2, duplicates: 2 });
  });

  it('catches up after a reconnect, holding back a newest row that is still open', async () => {
    // Rows up to minute 9; the clock is at minute 10, so 9 closed at T0+10m-1: all closed.
    const rows = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map(candle);
    const { seq, out, clock } = setup(rows);
    seq.onClosed(candle(5));
    seq.onReconnect();
    await seq.idle();
    expect(out).toEqual([5, 6, 7, 8, 9]);
    // A row whose close time is still ahead and has no successor is the forming candle.
    clock.set(T0 + 10 * M + 30_000);
    rows.push(candle(10));
    seq.onReconnect();
    await seq.idle();
    expect(out).toEqual([5, 6, 7, 8, 9]);
    seq.onClosed(candle(10));
    await seq.idle();
    expect(out).toEqual([5, 6, 7, 8, 9, 10]);
  });

  it('still delivers the live candle when the backfill fails, and counts the unfilled gap', async () => {
    const { seq, out } = setup(() => Promise.reject(new Error('503')));
    seq.onClosed(candle(0));
    seq.onClosed(candle(2));
    await seq.idle();
    expect(out).toEqual([0, 2]);
    expect(seq.stats.gapsUnfilled).toBe(1);
  });
});
