export { startMarketData, type MarketDataOptions, type MarketDataWorker } from './market-data.js';
export { startUniverseWatch, type UniverseTargets } from './universe-watch.js';
