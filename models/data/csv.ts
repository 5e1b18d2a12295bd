import { readFile } from 'node:fs/promises';
import { decodeColumns, columnsToCandles } from './qtc.js';
import { createReadStream } from 'node:fs';
import { basename } from 'node:path';
import { createInterface } from 'node:readline';
import { INTERVAL_MS, INTERVALS, type Candle, type Interval } from '../../protocols/index.js';

/** Where a kline file's candles come from; parsed from `<SYMBOL>-<interval>.csv` when omitted. */
export interface KlineMeta {
  symbol: string;
  interval: Interval;
  /** @default 'binance' */
  venue?: string;
}

/** A malformed kline file or row; never retryable. */
export class KlineCsvError extends Error {
  override name = 'KlineCsvError';
  readonly retryable = false;
}

const HEADER = 'open_time_ms,open,high,low,close,volume';

/** Symbol and interval from a file name like `BTCUSDT-1m.csv` or `BTCUSDT-1m-sample.csv`. */
export function metaFromFileName(path: string): KlineMeta {
  const m = /^([A-Z0-9]{2,30})-([0-9]+[mhd])(?:[-.].*)?\.(?:csv|qtc)$/.exec(basename(path));
  const interval = m?.[2] as Interval | undefined;
  if (!m || !interval || !INTERVALS.includes(interval)) throw new KlineCsvError(`cannot infer symbol/interval from ${path}; expected <SYMBOL>-<interval>.csv`);
  return { symbol: m[1] as string, interval };
}

/** A line parser with state (line number, order check); feed lines in file order. */
export function klineLineParser(meta: KlineMeta): (line: string) => Candle | null {
  const len = INTERVAL_MS[meta.interval];
  const venue = meta.venue ?? 'binance';
  let lineNo = 0;
  let last = -1;
  return (line) => {
    lineNo += 1;
    if (lineNo === 1) {
      if (line.trim() !== HEADER) throw new KlineCsvError(`line 1: expected header "${HEADER}", got "${line.slice(0, 80)}"`);
      return null;
    }
    if (line.length === 0) return null;
    const f = line.split(',');
    const openTime = Number(f[0]);
    const open = Number(f[1]);
    const high = Number(f[2]);
    const low = Number(f[3]);
    const close = Number(f[4]);
    const volume = Number(f[5]);
    // A cheap structural check instead of zod per row: files hold ~10^5 rows.
    if (f.length !== 6 || !Number.isInteger(openTime) || !(open > 0 && high > 0 && low > 0 && close > 0) || !(volume >= 0) || high < low) {
      throw new KlineCsvError(`line ${lineNo}: bad row "${line.slice(0, 80)}"`);
    }
    if (openTime <= last) throw new KlineCsvError(`line ${lineNo}: open time ${openTime} not after ${last}`);
    last = openTime;
    return { venue, symbol: meta.symbol, interval: meta.interval, openTime, closeTime: openTime + len - 1, open, high, low, close, volume };
  };
}

/** Parse a whole kline CSV text (the shared format) into candles. */
export function parseKlineCsv(text: string, meta: KlineMeta): Candle[] {
  const parse = klineLineParser(meta);
  const out: Candle[] = [];
  for (const line of text.split('\n')) {
    const c = parse(line.endsWith('\r') ? line.slice(0, -1) : line);
    if (c) out.push(c);
  }
  return out;
}

/**
 * Stream a kline CSV file line by line into candles (meta inferred from the name if omitted).
 * A `.qtc` file (the local store written by `qt data import|download`) is read as columns.
 */
export async function readKlineCsv(path: string, meta: KlineMeta = metaFromFileName(path)): Promise<Candle[]> {
  if (path.endsWith('.qtc')) {
    const cols = decodeColumns(await readFile(path));
    return columnsToCandles(cols, INTERVAL_MS[cols.interval]);
  }
  const parse = klineLineParser(meta);
  const out: Candle[] = [];
  const rl = createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity });
  for await (const line of rl) {
    const c = parse(line);
    if (c) out.push(c);
  }
  return out;
}
