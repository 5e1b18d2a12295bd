/** Candle data for training and tests: Binance kline CSV readers and the shipped fixture. */
export { readKlineCsv, parseKlineCsv, klineLineParser, metaFromFileName, KlineCsvError, type KlineMeta } from './csv.js';
export { FIXTURE_BTC_1M } from './fixture.js';
export { encodeColumns, decodeColumns, columnsToCandles, fileName, type CandleColumns } from './qtc.js';
