export { openCandleStore, encodeColumns, decodeColumns, columnsToCandles, fileName, type CandleStore, type CandleColumns } from './store.js';
export { readKlineFile, klineFiles, parseName, type ImportedFile } from './import.js';
export { downloadKlines, type DownloadOptions } from './download.js';
