/**
 * The route contract shared by the REST areas (market, trade, account, user stream).
 */
import type { Clock } from '../../../clock/index.js';
import type { SimEngine } from '../engine/types.js';
import type { Credential, Security } from './auth.js';
import type { ListenKeys } from './listen-keys.js';
import type { Params } from './params.js';

/** What handlers may touch. */
export interface ServerDeps {
  readonly engine: SimEngine;
  readonly clock: Clock;
  readonly listenKeys: ListenKeys;
}

/** One request as a handler sees it. */
export interface RouteContext {
  readonly params: Params;
  /** Present for SIGNED and USER_STREAM routes. */
  readonly cred: Credential | undefined;
  readonly deps: ServerDeps;
}

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** A REST endpoint: Binance path, security type, request weight and handler. */
export interface Route {
  readonly method: HttpMethod;
  readonly path: string;
  readonly security: Security;
  /** REQUEST_WEIGHT charged to the IP; a function when Binance varies it by parameters. */
  readonly weight: number | ((p: Params) => number);
  /** Counts against the ORDERS limits (X-MBX-ORDER-COUNT-*). */
  readonly countsAsOrder?: boolean;
  /** Returns the JSON body; throws BinanceApiError / SimVenueError for Binance errors. */
  handle(ctx: RouteContext): unknown;
}

/** Route table keyed by `METHOD path`. */
export function routeTable(routes: readonly Route[]): Map<string, Route> {
  const table = new Map<string, Route>();
  for (const r of routes) {
    const key = `${r.method} ${r.path}`;
    if (table.has(key)) throw new Error(`duplicate route ${key}`);
    table.set(key, r);
  }
  return table;
}
