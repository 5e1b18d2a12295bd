/** Test helpers: an engine on a simulated clock with BTCUSDT/ETHUSDT and one-line market moves. */
import { createSimulatedClock, type SimulatedClock } from '../../../clock/index.js';
import { createSimEngine } from './engine.js';
import { SimVenueError } from './errors.js';
import type { NewOrderInput, SimEngine, SimEngineOptions, UserEvent } from './types.js';

/** 2024-01-01T00:00:00Z, a funding boundary. */
export const T0 = Date.UTC(2024, 0, 1);

/** A test harness. */
export interface Harness {
  clock: SimulatedClock;
  engine: SimEngine;
  events: UserEvent[];
  /** A trade print (also moves mark to the same price unless `mark` is false). */
  px(price: number, qty?: number, mark?: boolean): void;
  /** A mark price update only. */
  mark(price: number, fundingRate?: number): void;
  place(input: NewOrderInput): ReturnType<SimEngine['placeOrder']>;
  /** The Binance code a placement is rejected with (fails the test if it is accepted). */
  rejectCode(input: NewOrderInput): number;
  amt(symbol?: string): number;
  wallet(): number;
}

/** Builds a harness; BTCUSDT starts at 30 000. */
export function harness(opts: Partial<Omit<SimEngineOptions, 'clock'>> = {}, start = 30_000): Harness {
  const clock = createSimulatedClock(T0 + 60_000);
  const engine = createSimEngine({
    clock,
    symbols: [
      { symbol: 'BTCUSDT', tickSize: 0.1, stepSize: 0.001 },
      { symbol: 'ETHUSDT', tickSize: 0.01, stepSize: 0.001 },
    ],
    ...opts,
  });
  const events: UserEvent[] = [];
  engine.subscribeUser((e) => events.push(e));
  const h: Harness = {
    clock,
    engine,
    events,
    px(price, qty = 1, mark = true) {
      clock.advance(1000);
      engine.ingest({ kind: 'trade', symbol: 'BTCUSDT', time: clock.now(), price, qty, isBuyerMaker: false });
      if (mark) h.mark(price);
    },
    mark(price, fundingRate = 0.0001) {
      engine.ingest({ kind: 'mark', symbol: 'BTCUSDT', time: clock.now(), markPrice: price, indexPrice: price, fundingRate, nextFundingTime: 0 });
    },
    place: (input) => engine.placeOrder({ symbol: 'BTCUSDT', ...input }),
    rejectCode(input) {
      try {
        engine.placeOrder({ symbol: 'BTCUSDT', ...input });
      } catch (e) {
        if (e instanceof SimVenueError) return e.code;
        throw e;
      }
      throw new Error(`accepted: ${JSON.stringify(input)}`);
    },
    amt: (symbol = 'BTCUSDT') => Number(engine.positions(symbol)[0]?.positionAmt),
    wallet: () => Number(engine.account().totalWalletBalance),
  };
  h.px(start);
  return h;
}
