/**
 * Binance USD-M compatible loopback server for the simulator venue.
 */
export { createSimServer, type SimServer } from './server.js';
export type { SimServerOptions, CredentialInput } from './options.js';
export type { FaultController, FaultKind, FaultRule, FaultSpec } from './faults.js';
export type { RateLimitConfig } from './limits.js';
export { BinanceApiError } from './errors.js';
export { sign } from './auth.js';
export { LISTEN_KEY_TTL_MS } from './listen-keys.js';
