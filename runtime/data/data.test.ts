import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURE_BTC_1M, readKlineCsv as readKlineCsvModels } from '../../models/data/index.js';
import { readReplayDir } from '../venues/sim/run.js';
import { INTERVAL_MS } from '../../protocols/index.js';
import { startVenueEnv } from '../venues/binance/testkit.js';
import { runQt } from '../testing/cli.js';
import { columnsToCandles, downloadKlines, openCandleStore, readKlineFile } from './index.js';

describe('historical data', () => {
  it('imports the shipped Binance CSV into .qtc and reads back exactly the same candles', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qtc-'));
    const store = openCandleStore(dir, (i) => INTERVAL_MS[i]);
    const f = readKlineFile(FIXTURE_BTC_1M);
    expect(f.rejected).toEqual([]);
    expect(store.write('BTCUSDT', '1m', 'binance', f.candles)).toBe(f.candles.length);
    // Re-importing an overlapping slice neither duplicates nor loses anything.
    expect(store.write('BTCUSDT', '1m', 'binance', f.candles.slice(100, 200))).toBe(f.candles.length);
    const back = columnsToCandles(store.read('BTCUSDT', '1m')!, 60_000);
    expect(back).toEqual(f.candles);
    // Training and backtests read the store directly.
    const viaTraining = await readKlineCsvModels(join(dir, 'BTCUSDT-1m.qtc'));
    expect(viaTraining.map((c) => [c.openTime, c.close, c.volume])).toEqual(f.candles.map((c) => [c.openTime, c.close, c.volume]));
    const replay = readReplayDir(dir);
    expect(replay['BTCUSDT']!.map((k) => k.close)).toEqual(f.candles.map((c) => c.close));
  });

  it('rejects malformed rows with their line and reason', () => {
    const dir = mkdtempSync(join(tmpdir(), 'qtc-'));
    const p = join(dir, 'ETHUSDT-1m.csv');
    writeFileSync(p, 'open_time_ms,open,high,low,close,volume\n1690000020000,10,11,9,10.5,3\n1690000080000,10,9,11,10.5,3\n1690000140000,10,11,9,NaN,3\n1690000200000,10,11,9,10,-1\n');
    const r = readKlineFile(p);
    expect(r.candles).toHaveLength(1);
    expect(r.rejected.map((x) => x.line)).toEqual([2, 3, 4]);
    expect(r.rejected[0]!.reason).toMatch(/high/);
    expect(r.rejected[2]!.reason).toMatch(/volume/);
  });

  it('downloads paginated klines from a Binance-compatible REST server (the simulator), closed candles only', async () => {
    await using v = await startVenueEnv();
    const now = Date.now();
    for (let i = 120; i >= 1; i--) v.sim.tick('BTCUSDT', 60_000 + i, now - i * 60_000);
    const got = await downloadKlines({ baseUrl: v.sim.server.url, symbol: 'BTCUSDT', interval: '1m', from: now - 130 * 60_000, to: now, pageSize: 50 });
    expect(got.length).toBeGreaterThan(100);
    const opens = got.map((c) => c.openTime);
    expect(new Set(opens).size).toBe(opens.length);
    expect(opens.every((t, i) => i === 0 || t > opens[i - 1]!)).toBe(true);
    expect(got.every((c) => c.closeTime < Date.now())).toBe(true);
  });

  it('qt data import / ls through the CLI', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qtc-'));
    const imp = await runQt(['data', 'import', FIXTURE_BTC_1M, '--dir', dir, '--json']);
    expect(imp.code).toBe(0);
    const ls = await runQt(['data', 'ls', '--dir', dir, '--json']);
    expect(JSON.parse(ls.stdout).files[0]).toMatchObject({ symbol: 'BTCUSDT', interval: '1m' });
  });
});
