import { fileURLToPath } from 'node:url';

/** Absolute path of the shipped 5,000-row BTCUSDT 1m fixture (real Binance klines; see fixtures/README.md). */
export const FIXTURE_BTC_1M = fileURLToPath(new URL('./fixtures/BTCUSDT-1m-sample.csv', import.meta.url));
