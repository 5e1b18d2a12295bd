import { describe, expect, it } from 'vitest';
import { FIXTURE_BTC_1M, KlineCsvError, metaFromFileName, parseKlineCsv, readKlineCsv } from './index.js';

describe('kline csv', () => {
  it('streams the shipped fixture into protocol candles', async () => {
    const c = await readKlineCsv(FIXTURE_BTC_1M);
    expect(c).toHaveLength(5000);
    expect(c[0]).toEqual({
      venue: 'binance', symbol: 'BTCUSDT', interval: '1m', openTime: 1689678780000, closeTime: 1689678839999,
      open: 29996.9, high: 30002, low: 29996.9, close: 30001.9, volume: 60.905,
    });
    expect(c.every((x, i) => i === 0 || x.openTime - c[i - 1]!.openTime === 60_000)).toBe(true);
  });

  it('infers meta from the file name and rejects bad input', () => {
    expect(metaFromFileName('/x/ETHUSDT-5m.csv')).toEqual({ symbol: 'ETHUSDT', interval: '5m' });
    expect(() => metaFromFileName('candles.csv')).toThrow(KlineCsvError);
    const meta = { symbol: 'BTCUSDT', interval: '1m' } as const;
    expect(() => parseKlineCsv('a,b\n', meta)).toThrow(/header/);
    expect(() => parseKlineCsv('open_time_ms,open,high,low,close,volume\n60000,1,1,2,1,1\n', meta)).toThrow(/bad row/);
    expect(() => parseKlineCsv('open_time_ms,open,high,low,close,volume\n60000,1,1,1,1,1\n60000,1,1,1,1,1\n', meta)).toThrow(/not after/);
  });
});
