/**
 * Test support: the simulator server on loopback plus an adapter pointed at it with short timings,
 * and a log capture to check that secrets never reach a log line.
 */
import { pino, type Logger } from 'pino';
import type { Clock } from '../../clock/index.js';
import { API_KEY, API_SECRET, startSim, type Sim } from '../sim/server/test-harness.js';
import type { BinanceVenueOptions } from './options.js';
import type { BinanceVenue } from './types.js';
import { createBinanceVenue } from './venue.js';

export { API_KEY, API_SECRET };

/** A sim server and an adapter bound to it. */
export interface VenueEnv {
  sim: Sim;
  venue: BinanceVenue;
  /** Every log line the adapter wrote (JSON strings). */
  lines: string[];
  /** Another adapter on the same server (e.g. with a simulated clock). */
  another(o?: Partial<BinanceVenueOptions>): BinanceVenue;
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** Short timings so fault paths finish in milliseconds. */
export function fastOptions(sim: Sim, logger: Logger, o: Partial<BinanceVenueOptions> = {}): BinanceVenueOptions {
  return {
    mode: 'sim',
    restUrl: sim.server.url,
    wsUrl: sim.server.wsUrl,
    apiKey: API_KEY,
    apiSecret: API_SECRET,
    logger,
    requestTimeoutMs: 1_000,
    orderTimeoutMs: 250,
    resolve: { attempts: 8, baseDelayMs: 20, maxDelayMs: 100, processingWindowMs: 100, placementAttempts: 2 },
    retry: { attempts: 3, baseDelayMs: 10 },
    breaker: { volumeThreshold: 4, errorThresholdPercentage: 50, resetTimeoutMs: 150, rollingWindowMs: 10_000 },
    ws: { reconnectBaseMs: 20, reconnectMaxMs: 200, pingIntervalMs: 5_000, silenceMs: 15_000 },
    ...o,
  };
}

/** Starts sim + adapter. */
export async function startVenueEnv(o: { venue?: Partial<BinanceVenueOptions>; sim?: Parameters<typeof startSim>[0] } = {}): Promise<VenueEnv> {
  const sim = await startSim(o.sim);
  const lines: string[] = [];
  const logger = pino({ level: 'debug' }, { write: (l: string) => void lines.push(l) });
  const venues: BinanceVenue[] = [];
  const make = (extra: Partial<BinanceVenueOptions> = {}): BinanceVenue => {
    const v = createBinanceVenue(fastOptions(sim, logger, { ...o.venue, ...extra }));
    venues.push(v);
    return v;
  };
  const venue = make();
  const close = async (): Promise<void> => {
    await Promise.all(venues.map((v) => v.close()));
    await sim.close();
  };
  return { sim, venue, lines, another: make, close, [Symbol.asyncDispose]: close };
}

/** Polls until `cond` holds (an event wait, not a timing assertion). */
export async function until<T>(cond: () => T | Promise<T>, what: string, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await cond();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Orders the engine accepted with this clientOrderId (its audit history, not the adapter's view). */
export function engineOrders(sim: Sim, clientOrderId: string): number {
  return sim.engine.history().orders.filter((x) => x.clientOrderId === clientOrderId).length;
}

/** Waits until a simulated clock has at least `n` pending timers (the adapter is sleeping on it). */
export function sleeping(clock: Clock & { pending(): number }, n = 1): Promise<boolean> {
  return until(() => clock.pending() >= n, 'a timer on the simulated clock');
}
