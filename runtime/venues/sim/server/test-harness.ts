/**
 * Test support: a real engine behind a real loopback server, plus a minimal signed HTTP client
 * that does exactly what Binance's docs describe (so failures point at the server, not a library).
 */
import WebSocket from 'ws';
import { createLiveClock, type Clock } from '../../../clock/index.js';
import { createSimEngine } from '../engine/engine.js';
import type { SimEngine } from '../engine/types.js';
import { sign } from './auth.js';
import type { RateLimitConfig } from './limits.js';
import { createSimServer, type SimServer } from './server.js';

export const API_KEY = 'testkey123';
export const API_SECRET = 'testsecret456';

/** A started engine + server. */
export interface Sim {
  engine: SimEngine;
  server: SimServer;
  clock: Clock;
  /** Unsigned request. */
  call(method: string, path: string, params?: Record<string, string | number | boolean>): Promise<Response>;
  /** Signed request with params in the query string (or form body with `inBody`). */
  signed(
    method: string,
    path: string,
    params?: Record<string, string | number | boolean>,
    o?: { inBody?: boolean; timestamp?: number; secret?: string; apiKey?: string; signal?: AbortSignal },
  ): Promise<Response>;
  /** Pushes one minute of synthetic market data at `price`. */
  tick(symbol: string, price: number, time?: number): void;
  close(): Promise<void>;
}

function qs(params: Record<string, string | number | boolean>): string {
  return Object.entries(params)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`)
    .join('&');
}

/** Starts engine and server on a random port, seeded with BTCUSDT ≈ 60000 and ETHUSDT ≈ 3000. */
export async function startSim(
  o: { clock?: Clock; limits?: Partial<RateLimitConfig>; listenKeyTtlMs?: number; pingIntervalMs?: number; dualSidePosition?: boolean; feeBurn?: boolean; multiAssetsMargin?: boolean; fundingIntervalMs?: number } = {},
): Promise<Sim> {
  const clock = o.clock ?? createLiveClock();
  const engine = createSimEngine({
    clock,
    symbols: [
      { symbol: 'BTCUSDT', baseAsset: 'BTC', tickSize: 0.1, stepSize: 0.001, pricePrecision: 2, quantityPrecision: 3, minNotional: 5 },
      { symbol: 'ETHUSDT', baseAsset: 'ETH', tickSize: 0.01, stepSize: 0.001, pricePrecision: 2, quantityPrecision: 3, minNotional: 5 },
    ],
    initialBalance: 10_000,
    ...(o.fundingIntervalMs ? { fundingIntervalMs: o.fundingIntervalMs } : {}),
  });
  const tick = (symbol: string, price: number, time = clock.now()): void => {
    engine.ingest({ kind: 'mark', symbol, time, markPrice: price, indexPrice: price, fundingRate: 0.0001, nextFundingTime: time + 3_600_000 });
    engine.ingest({ kind: 'book', symbol, time, bid: price - 0.1, ask: price + 0.1, bidQty: 5, askQty: 5 });
    engine.ingest({ kind: 'trade', symbol, time, price, qty: 0.01, isBuyerMaker: false });
  };
  tick('BTCUSDT', 60_000);
  tick('ETHUSDT', 3_000);
  const server = await createSimServer({
    engine,
    clock,
    credentials: [{ apiKey: API_KEY, apiSecret: API_SECRET }],
    ...(o.limits ? { limits: o.limits } : {}),
    ...(o.listenKeyTtlMs ? { listenKeyTtlMs: o.listenKeyTtlMs } : {}),
    ...(o.pingIntervalMs ? { pingIntervalMs: o.pingIntervalMs } : {}),
    ...(o.dualSidePosition ? { dualSidePosition: true } : {}),
    ...(o.feeBurn ? { feeBurn: true } : {}),
    ...(o.multiAssetsMargin ? { multiAssetsMargin: true } : {}),
  });
  const call: Sim['call'] = (method, path, params = {}) => {
    const q = qs(params);
    return fetch(`${server.url}${path}${q ? `?${q}` : ''}`, { method, headers: { 'X-MBX-APIKEY': API_KEY } });
  };
  const signed: Sim['signed'] = (method, path, params = {}, opt = {}) => {
    const payload = qs({ ...params, timestamp: opt.timestamp ?? clock.now() });
    const signature = sign(payload, opt.secret ?? API_SECRET);
    const full = `${payload}&signature=${signature}`;
    const headers: Record<string, string> = { 'X-MBX-APIKEY': opt.apiKey ?? API_KEY };
    const init: RequestInit = { method, headers };
    if (opt.signal) init.signal = opt.signal;
    if (opt.inBody) {
      headers['Content-Type'] = 'application/x-www-form-urlencoded';
      init.body = full;
      return fetch(`${server.url}${path}`, init);
    }
    return fetch(`${server.url}${path}?${full}`, init);
  };
  return {
    engine,
    server,
    clock,
    call,
    signed,
    tick,
    close: async () => {
      await server.close();
      engine.close();
    },
  };
}

/** Opens a WebSocket and collects parsed messages. */
export async function openWs(url: string): Promise<{ ws: WebSocket; messages: unknown[]; next(pred?: (m: any) => boolean, ms?: number): Promise<any> }> {
  const ws = new WebSocket(url);
  const messages: unknown[] = [];
  const waiters: Array<{ pred: (m: any) => boolean; resolve: (m: unknown) => void }> = [];
  ws.on('message', (d) => {
    const m: unknown = JSON.parse(String(d));
    messages.push(m);
    for (const w of [...waiters]) {
      if (w.pred(m)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(m);
      }
    }
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return {
    ws,
    messages,
    next(pred = () => true, ms = 3000) {
      const seen = messages.find(pred);
      if (seen !== undefined) {
        messages.splice(messages.indexOf(seen), 1);
        return Promise.resolve(seen);
      }
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error('timed out waiting for ws message')), ms);
        waiters.push({
          pred,
          resolve: (m) => {
            clearTimeout(t);
            messages.splice(messages.indexOf(m), 1);
            resolve(m);
          },
        });
      });
    },
  };
}
