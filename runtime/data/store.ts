import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { INTERVALS, type Candle, type Interval } from '../../protocols/index.js';
import { columnsToCandles, decodeColumns, encodeColumns, fileName, type CandleColumns } from '../../models/data/qtc.js';

export { columnsToCandles, decodeColumns, encodeColumns, fileName, type CandleColumns };

/** The local candle store: one `.qtc` file per symbol and interval under `dir`. */
export interface CandleStore {
  dir: string;
  list(): Array<{ symbol: string; interval: Interval; file: string }>;
  read(symbol: string, interval: Interval): CandleColumns | undefined;
  /** Merges candles into the file (sorted, later duplicates win), atomically. Returns the new count. */
  write(symbol: string, interval: Interval, venue: string, candles: readonly Candle[]): number;
}

export function openCandleStore(dir: string, intervalMs: (i: Interval) => number): CandleStore {
  mkdirSync(dir, { recursive: true });
  const path = (s: string, i: Interval) => join(dir, fileName(s, i));
  const store: CandleStore = {
    dir,
    list() {
      return readdirSync(dir)
        .filter((f) => f.endsWith('.qtc'))
        .map((file) => {
          const [symbol, iv] = file.replace(/\.qtc$/, '').split('-') as [string, string];
          return { symbol, interval: iv as Interval, file: join(dir, file) };
        })
        .filter((x) => (INTERVALS as readonly string[]).includes(x.interval));
    },
    read(symbol, interval) {
      const p = path(symbol, interval);
      return existsSync(p) ? decodeColumns(readFileSync(p)) : undefined;
    },
    write(symbol, interval, venue, candles) {
      const old = store.read(symbol, interval);
      const byOpen = new Map<number, Candle>();
      if (old) for (const c of columnsToCandles(old, intervalMs(interval))) byOpen.set(c.openTime, c);
      for (const c of candles) byOpen.set(c.openTime, c);
      const merged = [...byOpen.values()].sort((a, b) => a.openTime - b.openTime);
      const tmp = `${path(symbol, interval)}.tmp`;
      writeFileSync(tmp, encodeColumns(symbol, interval, venue, merged));
      renameSync(tmp, path(symbol, interval));
      return merged.length;
    },
  };
  return store;
}
