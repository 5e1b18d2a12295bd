/**
 * Public market-data endpoints (security NONE), with Binance's per-endpoint request weights.
 */
import type { SimEngine } from '../engine/types.js';
import { apiErrors } from './errors.js';
import type { RateLimitConfig } from './limits.js';
import type { Params } from './params.js';
import type { Route } from './route.js';

/** Kline intervals Binance accepts. */
export const KLINE_INTERVALS = ['1m', '3m', '5m', '15m', '30m', '1h', '2h', '4h', '6h', '8h', '12h', '1d', '3d', '1w', '1M'] as const;

const DEPTH_LIMITS = [5, 10, 20, 50, 100, 500, 1000];

function klinesWeight(p: Params): number {
  const limit = p.int('limit') ?? 500;
  if (limit < 100) return 1;
  if (limit < 500) return 2;
  if (limit <= 1000) return 5;
  return 10;
}

function depthWeight(p: Params): number {
  const limit = p.int('limit') ?? 500;
  if (limit <= 50) return 2;
  if (limit <= 100) return 5;
  if (limit <= 500) return 10;
  return 20;
}

/** Answers one row for `symbol`, or an array over every symbol, as the Binance ticker endpoints do. */
function oneOrAll<T>(engine: SimEngine, p: Params, get: (s: string) => T): T | T[] {
  const symbol = p.symbol();
  if (symbol !== undefined) {
    if (!engine.symbols().includes(symbol)) throw apiErrors.badSymbol();
    return get(symbol);
  }
  return engine.symbols().map(get);
}

const bySymbol = (withSymbol: number, without: number) => (p: Params) => (p.has('symbol') ? withSymbol : without);

/** The exchangeInfo rate limits advertise what this server enforces. */
function rateLimitsOf(limits: RateLimitConfig) {
  return [
    { rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: limits.weightPerMinute },
    { rateLimitType: 'ORDERS', interval: 'MINUTE', intervalNum: 1, limit: limits.ordersPerMinute },
    { rateLimitType: 'ORDERS', interval: 'SECOND', intervalNum: 10, limit: limits.ordersPer10s },
  ];
}

/** Market-data routes. */
export function marketRoutes(limits: RateLimitConfig): Route[] {
  const bookTicker: Route['handle'] = ({ params, deps }) => oneOrAll(deps.engine, params, (s) => deps.engine.bookTicker(s));
  const tickerPrice: Route['handle'] = ({ params, deps }) => oneOrAll(deps.engine, params, (s) => deps.engine.tickerPrice(s));
  return [
    { method: 'GET', path: '/fapi/v1/ping', security: 'NONE', weight: 1, handle: () => ({}) },
    { method: 'GET', path: '/fapi/v1/time', security: 'NONE', weight: 1, handle: ({ deps }) => ({ serverTime: deps.clock.now() }) },
    {
      method: 'GET',
      path: '/fapi/v1/exchangeInfo',
      security: 'NONE',
      weight: 1,
      handle: ({ deps }) => ({ ...deps.engine.exchangeInfo(), serverTime: deps.clock.now(), rateLimits: rateLimitsOf(limits) }),
    },
    {
      method: 'GET',
      path: '/fapi/v1/ticker/24hr',
      security: 'NONE',
      weight: bySymbol(1, 40),
      handle: ({ params, deps }) => oneOrAll(deps.engine, params, (s) => deps.engine.ticker24hr(s)),
    },
    { method: 'GET', path: '/fapi/v1/ticker/price', security: 'NONE', weight: bySymbol(1, 2), handle: tickerPrice },
    { method: 'GET', path: '/fapi/v2/ticker/price', security: 'NONE', weight: bySymbol(1, 2), handle: tickerPrice },
    { method: 'GET', path: '/fapi/v1/ticker/bookTicker', security: 'NONE', weight: bySymbol(2, 5), handle: bookTicker },
    // Not a Binance path; kept as an alias because the brief and some scripts use it.
    { method: 'GET', path: '/fapi/v1/bookTicker', security: 'NONE', weight: bySymbol(2, 5), handle: bookTicker },
    {
      method: 'GET',
      path: '/fapi/v1/premiumIndex',
      security: 'NONE',
      weight: bySymbol(1, 10),
      handle: ({ params, deps }) => oneOrAll(deps.engine, params, (s) => deps.engine.premiumIndex(s)),
    },
    {
      method: 'GET',
      path: '/fapi/v1/klines',
      security: 'NONE',
      weight: klinesWeight,
      handle: ({ params, deps }) => {
        const symbol = params.symbol(true);
        const interval = params.reqStr('interval');
        if (!(KLINE_INTERVALS as readonly string[]).includes(interval)) throw apiErrors.badInterval();
        const limit = params.int('limit') ?? 500;
        if (limit < 1 || limit > 1500) throw apiErrors.invalidParam('limit');
        return deps.engine.klines(symbol, interval, { startTime: params.int('startTime'), endTime: params.int('endTime'), limit });
      },
    },
    {
      method: 'GET',
      path: '/fapi/v1/depth',
      security: 'NONE',
      weight: depthWeight,
      handle: ({ params, deps }) => {
        const limit = params.int('limit') ?? 500;
        if (!DEPTH_LIMITS.includes(limit)) throw apiErrors.invalidParam('limit');
        return deps.engine.depth(params.symbol(true), limit);
      },
    },
    {
      method: 'GET',
      path: '/fapi/v1/aggTrades',
      security: 'NONE',
      weight: 20,
      handle: ({ params, deps }) => deps.engine.aggTrades(params.symbol(true), { limit: params.int('limit') ?? 500 }),
    },
    {
      method: 'GET',
      path: '/fapi/v1/fundingRate',
      security: 'NONE',
      weight: 1,
      handle: ({ params, deps }) => deps.engine.fundingRates(params.symbol(true), { limit: params.int('limit') ?? 100 }),
    },
  ];
}
