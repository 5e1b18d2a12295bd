import type { Candle, Interval } from '../../protocols/index.js';

/**
 * `.qtc`: a compact columnar candle file. Layout: magic `QTC1`, u32 header length, JSON header
 * ({symbol, interval, venue, count}), padding to 8 bytes, then six Float64 columns of `count`
 * values (openTime, open, high, low, close, volume). Reading is one `readFileSync` and six
 * typed-array views — no parsing — which is what backtests and training want.
 */
const MAGIC = 'QTC1';
const COLS = ['openTime', 'open', 'high', 'low', 'close', 'volume'] as const;

export interface CandleColumns {
  symbol: string;
  interval: Interval;
  venue: string;
  count: number;
  openTime: Float64Array;
  open: Float64Array;
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
  volume: Float64Array;
}

export function fileName(symbol: string, interval: Interval): string {
  return `${symbol}-${interval}.qtc`;
}

/** Encodes candles (sorted, de-duplicated by openTime) into `.qtc` bytes. */
export function encodeColumns(symbol: string, interval: Interval, venue: string, candles: readonly Candle[]): Buffer {
  const header = Buffer.from(JSON.stringify({ symbol, interval, venue, count: candles.length }));
  const headLen = 8 + header.length;
  const pad = (8 - (headLen % 8)) % 8;
  const buf = Buffer.alloc(headLen + pad + COLS.length * 8 * candles.length);
  buf.write(MAGIC, 0, 'ascii');
  buf.writeUInt32LE(header.length, 4);
  header.copy(buf, 8);
  const body = new Float64Array(buf.buffer, buf.byteOffset + headLen + pad, COLS.length * candles.length);
  COLS.forEach((c, j) => {
    for (let i = 0; i < candles.length; i++) body[j * candles.length + i] = candles[i]![c];
  });
  return buf;
}

/** Decodes `.qtc` bytes without copying the columns. */
export function decodeColumns(bytes: Buffer): CandleColumns {
  if (bytes.toString('ascii', 0, 4) !== MAGIC) throw new Error('not a .qtc candle file (bad magic)');
  const hl = bytes.readUInt32LE(4);
  const h = JSON.parse(bytes.toString('utf8', 8, 8 + hl)) as { symbol: string; interval: Interval; venue: string; count: number };
  const start = 8 + hl + ((8 - ((8 + hl) % 8)) % 8);
  // Copy into an aligned buffer when the file buffer's offset is not 8-byte aligned.
  const aligned = (bytes.byteOffset + start) % 8 === 0 ? bytes : Buffer.from(bytes);
  const col = (j: number) => new Float64Array(aligned.buffer, aligned.byteOffset + start + j * 8 * h.count, h.count);
  return { ...h, openTime: col(0), open: col(1), high: col(2), low: col(3), close: col(4), volume: col(5) };
}

export function columnsToCandles(c: CandleColumns, ms: number): Candle[] {
  const out: Candle[] = new Array(c.count);
  for (let i = 0; i < c.count; i++) {
    out[i] = { venue: c.venue, symbol: c.symbol, interval: c.interval, openTime: c.openTime[i]!, closeTime: c.openTime[i]! + ms - 1, open: c.open[i]!, high: c.high[i]!, low: c.low[i]!, close: c.close[i]!, volume: c.volume[i]! };
  }
  return out;
}

