import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Clock } from '../../clock/index.js';
import { createSimVenue, type SimVenue } from './engine/index.js';
import type { Kline1m } from './engine/types.js';
import { readKlineCsv, parseKlineJson } from './market/index.js';
import { createSimServer, type SimServer } from './server/index.js';
import { readFileSync } from 'node:fs';
import { decodeColumns } from '../../../models/data/qtc.js';

export interface SimulatorOptions {
  /** Clock of the market and the matching engine (scaled with `--speed`). */
  clock: Clock;
  /**
   * Clock of the protocol server: signed-request timestamps, rate-limit windows and listenKey
   * expiry come from real clients in wall time, whatever the market's speed. @default clock
   */
  serverClock?: Clock;
  /** Synthetic universe size (ignored with `data`). @default 5 */
  symbols?: number;
  /** @default 1 */
  seed?: number;
  /** Replay Binance kline CSV/JSON files from this file or directory instead of the generator. */
  data?: string;
  /** Max rows read per replay file. @default 100000 */
  maxRows?: number;
  /** @default 0 (random) */
  port?: number;
  /** @default 127.0.0.1 */
  host?: string;
  apiKey: string;
  apiSecret: string;
  /** @default 10000 */
  initialBalance?: number;
  /** Closed 1m candles of history generated at start (synthetic only). @default 240 */
  warmupCandles?: number;
}

export interface Simulator {
  venue: SimVenue;
  server: SimServer;
  url: string;
  wsUrl: string;
  symbols: string[];
  close(): Promise<void>;
}

/** A `.qtc` file of the local store as replay klines (1m). */
function qtcKlines(path: string, maxRows: number): Kline1m[] {
  const c = decodeColumns(readFileSync(path));
  const n = Math.min(c.count, maxRows);
  const out: Kline1m[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const close = c.close[i]!;
    out[i] = { openTime: c.openTime[i]!, open: c.open[i]!, high: c.high[i]!, low: c.low[i]!, close, volume: c.volume[i]!, quoteVolume: c.volume[i]! * close, trades: 0, takerBuyVolume: c.volume[i]! / 2 };
  }
  return out;
}

/** Reads `SYMBOL-<interval>.csv|json|qtc` files (a file, or every such file in a dir). */
export function readReplayDir(path: string, maxRows = 100_000): Record<string, Kline1m[]> {
  if (!existsSync(path)) throw new Error(`replay data not found: ${path}`);
  const files = statSync(path).isDirectory() ? readdirSync(path).filter((f) => /\.(csv|json|qtc)$/i.test(f)).sort().map((f) => join(path, f)) : [path];
  const out: Record<string, Kline1m[]> = {};
  for (const f of files) {
    const symbol = basename(f).split(/[-_.]/)[0]!.toUpperCase();
    if (out[symbol]) continue; // first interval file per symbol wins (sorted names: 15m before 1h…)
    out[symbol] = f.endsWith('.qtc') ? qtcKlines(f, maxRows) : f.toLowerCase().endsWith('.json') ? parseKlineJson(readFileSync(f, 'utf8')).slice(0, maxRows) : readKlineCsv(f, maxRows);
  }
  if (Object.keys(out).length === 0) throw new Error(`no kline CSV/JSON files in ${path}`);
  return out;
}

/**
 * The built-in paper venue: engine + market feed (synthetic or replayed candles) behind the
 * Binance USD-M compatible REST/WS server on loopback. The node trades against it through the
 * same adapter it would use for Binance.
 */
export async function startSimulator(o: SimulatorOptions): Promise<Simulator> {
  const venue = createSimVenue({
    clock: o.clock,
    seed: o.seed ?? 1,
    market: o.data ? { kind: 'replay', candles: readReplayDir(o.data, o.maxRows) } : { kind: 'synthetic', symbols: o.symbols ?? 5 },
    engine: { initialBalance: o.initialBalance ?? 10_000 },
    ...(o.data ? {} : { feed: { warmupCandles: o.warmupCandles ?? 240 } }),
  });
  const server = await createSimServer({
    engine: venue.engine,
    clock: o.serverClock ?? o.clock,
    port: o.port ?? 0,
    host: o.host ?? '127.0.0.1',
    credentials: [{ apiKey: o.apiKey, apiSecret: o.apiSecret }],
    seed: o.seed ?? 1,
  });
  venue.start();
  return {
    venue,
    server,
    url: server.url,
    wsUrl: server.wsUrl,
    symbols: venue.engine.symbols(),
    async close() {
      venue.stop();
      await server.close();
    },
  };
}
