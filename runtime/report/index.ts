/** Journal report: trades rebuilt from QT_JOURNAL, their metrics, and table / JSON / HTML views. */
export { readJournal, type ReadOptions, type JournalRead } from './read.js';
export { reconstructTrades, type Reconstruction } from './trades.js';
export { buildReport, journaledEquity, type Report, type BuildOptions } from './build.js';
export {
  summarize, sharpe, sortino, equityCurve, drawdownSeries, maxDrawdown, dailyReturns, exposure, breakdown,
  type Summary, type CurvePoint, type DrawdownPoint,
} from './metrics.js';
export { renderText, renderHtml, svgChart } from './render.js';
export { PnlDataSchema, ExitDataSchema, FillDataSchema, type PnlData, type ExitData, type FillData, type Trade } from './shapes.js';
