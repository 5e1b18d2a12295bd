/**
 * `createSimServer`: a Binance USD-M compatible REST + WebSocket server on loopback, fronting the
 * simulator engine, with run-time fault injection.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAdmin } from './admin.js';
import { Keyring } from './auth.js';
import { createFaults, type FaultController } from './faults.js';
import { createPipeline } from './http.js';
import { RateLimiter } from './limits.js';
import { ListenKeys } from './listen-keys.js';
import { compileOptions, type SimServerOptions } from './options.js';
import { routeTable } from './route.js';
import { accountRoutes } from './routes-account.js';
import { marketRoutes } from './routes-market.js';
import { tradeRoutes } from './routes-trade.js';
import { userStreamRoutes } from './routes-user-stream.js';
import { createWsHub } from './ws-hub.js';

/** A running simulator server. */
export interface SimServer {
  /** HTTP base, e.g. `http://127.0.0.1:PORT` (append `/fapi/v1/...`). */
  readonly url: string;
  /** WebSocket base, e.g. `ws://127.0.0.1:PORT` (append `/ws/<stream>` or `/stream?streams=`). */
  readonly wsUrl: string;
  readonly port: number;
  /** Run-time fault switches (also at `/sim/faults`). */
  readonly faults: FaultController;
  /** Stops listening, drops every connection and timer. The engine is left open. */
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** Starts the server; resolves once it listens. */
export async function createSimServer(options: SimServerOptions): Promise<SimServer> {
  const o = compileOptions(options);
  const keyring = new Keyring(o.credentials);
  const limiter = new RateLimiter(o.clock, o.limits);
  const listenKeys = new ListenKeys(o.clock, o.listenKeyTtlMs);
  const hub = createWsHub({ engine: o.engine, clock: o.clock, listenKeys, pingIntervalMs: o.pingIntervalMs });
  const faults = createFaults(o.seed, () => ({
    dropWebSockets: (filter) => hub.drop(filter),
    expireListenKeys: (key) => listenKeys.expire(key),
  }));
  const deps = { engine: o.engine, clock: o.clock, listenKeys };
  const routes = routeTable([...marketRoutes(o.limits), ...tradeRoutes(), ...accountRoutes({ dualSidePosition: o.dualSidePosition, feeBurn: o.feeBurn, multiAssetsMargin: o.multiAssetsMargin }), ...userStreamRoutes()]);
  const server: Server = createServer(
    { keepAlive: true },
    createPipeline({
      routes,
      deps,
      clock: o.clock,
      keyring,
      limiter,
      weightLimit: o.limits.weightPerMinute,
      faults,
      admin: createAdmin({ engine: o.engine, faults, limiter, serverClock: o.clock }),
    }),
  );
  server.on('upgrade', (req, socket, head) => hub.handleUpgrade(req, socket, head));

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const hostPart = o.host.includes(':') ? `[${o.host}]` : o.host;
  let closed: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closed ??= new Promise<void>((resolve) => {
      hub.close();
      listenKeys.close();
      server.close(() => resolve());
      // Hung responses from timeout faults and keep-alive sockets would otherwise hold close() open.
      server.closeAllConnections();
    });
    return closed;
  };
  return {
    url: `http://${hostPart}:${port}`,
    wsUrl: `ws://${hostPart}:${port}`,
    port,
    faults,
    close,
    [Symbol.asyncDispose]: close,
  };
}
