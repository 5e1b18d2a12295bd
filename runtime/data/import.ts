import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { checkCandle, INTERVAL_MS, INTERVALS, type Candle, type Interval } from '../../protocols/index.js';

export interface ImportedFile {
  file: string;
  symbol: string;
  interval: Interval;
  candles: Candle[];
  rejected: Array<{ line: number; reason: string }>;
}

/** `BTCUSDT-1m.csv`, `BTCUSDT-1m-2023-08.csv` (Binance data dumps), `.json` likewise. */
export function parseName(file: string): { symbol: string; interval: Interval } {
  const m = /^([A-Z0-9]+)[-_](\d+[mhd])/.exec(basename(file).toUpperCase().replace(/(\d+)([MHD])/, (_x, n: string, u: string) => `${n}${u.toLowerCase()}`));
  if (!m || !(INTERVALS as readonly string[]).includes(m[2]!)) throw new Error(`cannot tell symbol and interval from file name '${basename(file)}' (expected e.g. BTCUSDT-1m.csv)`);
  return { symbol: m[1]!, interval: m[2] as Interval };
}

function toCandle(symbol: string, interval: Interval, venue: string, row: unknown[]): unknown {
  const n = (x: unknown) => (typeof x === 'number' ? x : Number(x));
  const openTime = n(row[0]);
  return { venue, symbol, interval, openTime, closeTime: openTime + INTERVAL_MS[interval] - 1, open: n(row[1]), high: n(row[2]), low: n(row[3]), close: n(row[4]), volume: n(row[5]) };
}

/**
 * Reads one Binance kline file: the 6-column CSV of shared/data (with header), Binance's 12-column
 * data-dump CSV (with or without header), or the REST JSON array. Every row is validated; bad rows
 * are reported with their line and reason, never silently kept.
 */
export function readKlineFile(file: string, venue = 'binance'): ImportedFile {
  const { symbol, interval } = parseName(file);
  const text = readFileSync(file, 'utf8');
  const rows: unknown[][] = file.toLowerCase().endsWith('.json')
    ? (JSON.parse(text) as unknown[][])
    : text.split(/\r?\n/).filter((l) => l.trim() && /^\d/.test(l.trim())).map((l) => l.split(','));
  const candles: Candle[] = [];
  const rejected: ImportedFile['rejected'] = [];
  rows.forEach((row, i) => {
    const r = checkCandle(toCandle(symbol, interval, venue, row));
    if (r.ok) candles.push(r.candle);
    else rejected.push({ line: i + 1, reason: r.reason });
  });
  return { file, symbol, interval, candles, rejected };
}

/** Every kline file in a file or directory. */
export function klineFiles(path: string): string[] {
  if (!existsSync(path)) throw new Error(`not found: ${path}`);
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path).filter((f) => /\.(csv|json)$/i.test(f)).sort().map((f) => join(path, f));
}
