/** Simulator matching engine: public surface. */
export type * from './types.js';
export { createSimEngine, SimConfigError } from './engine.js';
export { SimVenueError } from './errors.js';
export { createSimVenue, type SimVenue, type SimVenueOptions } from './venue.js';
export { benchEngine } from './bench.js';
