/**
 * Binance USD-M futures adapter (also the client of the simulator's Binance-compatible server).
 */
export { createBinanceVenue } from './venue.js';
export type { BinanceVenue, PositionMode, VenueHealth } from './types.js';
export { MODE_URLS, type BinanceMode, type BinanceVenueOptions } from './options.js';
export type { Subscription } from './stream-hub.js';
export type { ResyncSnapshot } from './user-stream.js';
export type { BreakerEvent, BreakerName, BreakerSnapshot, BreakerStatus } from './breakers.js';
export type { WeightState } from './budget.js';
export {
  OrderRefusedError, VenueRejectError, VenueUnavailableError, RateLimitedError, CircuitOpenError, VenueClosedError, type RefusalReason,
} from './errors.js';
export { buildOrderParams, toGrid } from './guard.js';
export { benchOrderRoundTrip, type OrderBenchResult } from './bench.js';
