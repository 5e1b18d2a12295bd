export * from './names.js';
export * from './codec.js';
export * from './supervision.js';
export * from './actor.js';
export * from './market.js';
export * from './signal.js';
export * from './venue.js';
export * from './trading.js';
