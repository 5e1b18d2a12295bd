/**
 * Account, position and settings endpoints (SIGNED). v3 shapes are derived from the engine's v2
 * views because Binance's v3 rows are a re-cut of the same numbers.
 */
import type { AccountView, BalanceView, OrderView, PositionView, SimEngine } from '../engine/types.js';
import { BinanceApiError, apiErrors } from './errors.js';
import type { Route } from './route.js';

type Json = Record<string, unknown>;

/** Binance names the field `maxWithdrawAmount`; the engine views call it `maxWithdrawAvailable`. */
function fixWithdraw<T extends object>(row: T): Json {
  const { maxWithdrawAvailable, ...rest } = row as T & { maxWithdrawAvailable?: string };
  return maxWithdrawAvailable === undefined ? rest : { ...rest, maxWithdrawAmount: maxWithdrawAvailable };
}

function fmt(n: number): string {
  return n === 0 ? '0' : String(Number(n.toFixed(8)));
}

function openNotional(orders: OrderView[], symbol: string, side: 'BUY' | 'SELL'): string {
  let sum = 0;
  for (const o of orders) {
    if (o.symbol !== symbol || o.side !== side || o.type !== 'LIMIT') continue;
    sum += Number(o.price) * (Number(o.origQty) - Number(o.executedQty));
  }
  return fmt(sum);
}

/** GET /fapi/v2/account, with Binance's field names. */
export function accountV2(engine: SimEngine, feeBurn = false): Json {
  const a = engine.account();
  return {
    feeBurn,
    multiAssetsMargin: false,
    tradeGroupId: -1,
    ...fixWithdraw(a),
    assets: a.assets.map(fixWithdraw),
    positions: a.positions,
  };
}

/** GET /fapi/v3/account: totals, assets, and only the symbols that hold a position. */
export function accountV3(engine: SimEngine): Json {
  const a: AccountView = engine.account();
  const { feeTier: _f, canTrade: _t, canDeposit: _d, canWithdraw: _w, updateTime: _u, assets, positions, ...totals } = a;
  return {
    ...fixWithdraw(totals),
    assets: assets.map((x) => {
      const { marginAvailable: _m, ...rest } = fixWithdraw(x);
      return rest;
    }),
    positions: positions
      .filter((p) => Number(p.positionAmt) !== 0)
      .map((p) => ({
        symbol: p.symbol,
        positionSide: p.positionSide,
        positionAmt: p.positionAmt,
        unrealizedProfit: p.unrealizedProfit,
        isolatedMargin: p.isolatedWallet,
        notional: p.notional,
        isolatedWallet: p.isolatedWallet,
        initialMargin: p.initialMargin,
        maintMargin: p.maintMargin,
        updateTime: p.updateTime,
      })),
  };
}

/** GET /fapi/v3/positionRisk: symbols with a position or open orders, with margin columns. */
export function positionRiskV3(engine: SimEngine, symbol: string | undefined): Json[] {
  const open = engine.openOrders(symbol);
  const margins = new Map(engine.account().positions.map((p) => [p.symbol, p]));
  return engine
    .positions(symbol)
    .filter((p: PositionView) => Number(p.positionAmt) !== 0 || open.some((o) => o.symbol === p.symbol))
    .map((p) => {
      const m = margins.get(p.symbol);
      return {
        symbol: p.symbol,
        positionSide: p.positionSide,
        positionAmt: p.positionAmt,
        entryPrice: p.entryPrice,
        breakEvenPrice: p.breakEvenPrice,
        markPrice: p.markPrice,
        unRealizedProfit: p.unRealizedProfit,
        liquidationPrice: p.liquidationPrice,
        isolatedMargin: p.isolatedMargin,
        notional: p.notional,
        marginAsset: 'USDT',
        isolatedWallet: p.isolatedWallet,
        initialMargin: m?.initialMargin ?? '0',
        maintMargin: m?.maintMargin ?? '0',
        positionInitialMargin: m?.positionInitialMargin ?? '0',
        openOrderInitialMargin: m?.openOrderInitialMargin ?? '0',
        adl: 0,
        bidNotional: openNotional(open, p.symbol, 'BUY'),
        askNotional: openNotional(open, p.symbol, 'SELL'),
        updateTime: p.updateTime,
      };
    });
}

function balances(engine: SimEngine): Json[] {
  return engine.balance().map((b: BalanceView) => fixWithdraw(b));
}

function leverageBracket(engine: SimEngine, symbol: string): Json {
  const spec = engine.spec(symbol);
  // The engine models one maintenance bracket per symbol, so that is all we can advertise.
  return {
    symbol,
    notionalCoef: 1,
    brackets: [
      { bracket: 1, initialLeverage: spec.maxLeverage, notionalCap: 1_000_000_000, notionalFloor: 0, maintMarginRatio: spec.maintMarginRate, cum: 0 },
    ],
  };
}

/** Binance `GET /sapi/v1/account/apiRestrictions` answer (the fields that matter for a futures bot). */
export interface SimApiRestrictions {
  ipRestrict: boolean;
  createTime: number;
  enableReading: boolean;
  enableFutures: boolean;
  enableWithdrawals: boolean;
  enableInternalTransfer: boolean;
  permitsUniversalTransfer: boolean;
  enableMargin: boolean;
  enableSpotAndMarginTrading: boolean;
  enableVanillaOptions: boolean;
}

/** Options of {@link accountRoutes}. */
export interface AccountRouteOptions {
  /** Per-apiKey overrides of the apiRestrictions answer, e.g. `{ leakykey: { enableWithdrawals: true } }`. @default {} */
  apiRestrictions?: Record<string, Partial<SimApiRestrictions>>;
  /**
   * What `GET /fapi/v1/positionSide/dual` reports: true plays an account in hedge mode, which a node
   * must refuse to trade (the engine itself still matches one-way). Also switchable at run time with
   * `POST /sim/positionSide/dual?dualSidePosition=true`. @default false
   */
  dualSidePosition?: boolean;
  /**
   * The account pays fees in BNB (`GET/POST /fapi/v1/feeBurn`). The engine still charges USDT; the
   * setting is reported so a node's start-up check can be exercised. @default false
   */
  feeBurn?: boolean;
  /**
   * Multi-assets margin (`GET/POST /fapi/v1/multiAssetsMargin`): the engine still margins in USDT
   * only; the setting is reported so a node's start-up check can be exercised. @default false
   */
  multiAssetsMargin?: boolean;
}

const DEFAULT_RESTRICTIONS: SimApiRestrictions = {
  ipRestrict: false, createTime: 0, enableReading: true, enableFutures: true, enableWithdrawals: false, enableInternalTransfer: false,
  permitsUniversalTransfer: false, enableMargin: false, enableSpotAndMarginTrading: false, enableVanillaOptions: false,
};

/**
 * The key-permission endpoint (Binance serves it from the spot host; the simulator serves every
 * path from one) plus `POST /sim/apiRestrictions?apiKey=K&enableWithdrawals=true` to flip a key at
 * run time. State lives in this closure, so each server instance has its own.
 */
function restrictionRoutes(o: AccountRouteOptions): Route[] {
  const overrides = new Map(Object.entries(o.apiRestrictions ?? {}));
  return [
    {
      method: 'GET',
      path: '/sapi/v1/account/apiRestrictions',
      security: 'SIGNED',
      weight: 1,
      handle: ({ cred }) => ({ ...DEFAULT_RESTRICTIONS, ...overrides.get(cred!.apiKey) }),
    },
    {
      method: 'POST',
      path: '/sim/apiRestrictions',
      security: 'NONE',
      weight: 0,
      handle: ({ params }) => {
        const apiKey = params.reqStr('apiKey');
        const next: Partial<SimApiRestrictions> = { ...overrides.get(apiKey) };
        for (const k of ['enableWithdrawals', 'enableFutures', 'enableReading', 'ipRestrict'] as const) {
          const v = params.bool(k);
          if (v !== undefined) next[k] = v;
        }
        overrides.set(apiKey, next);
        return { apiKey, ...DEFAULT_RESTRICTIONS, ...next };
      },
    },
  ];
}

/**
 * An account flag as Binance serves it at `/fapi/v1/<name>`: GET answers `{ <name>: bool }`
 * (weight 30), POST `<name>=true|false` sets it (weight 1).
 */
function flagRoutes(name: string, get: () => boolean, set: (v: boolean) => void): Route[] {
  return [
    { method: 'GET', path: `/fapi/v1/${name}`, security: 'SIGNED', weight: 30, handle: () => ({ [name]: get() }) },
    {
      method: 'POST',
      path: `/fapi/v1/${name}`,
      security: 'SIGNED',
      weight: 1,
      handle: ({ params }) => {
        const v = params.bool(name);
        if (v === undefined) throw apiErrors.mandatory(name);
        set(v);
        return { code: 200, msg: 'success' };
      },
    },
  ];
}

/** Account, position and settings routes. */
export function accountRoutes(o: AccountRouteOptions = {}): Route[] {
  const mode = { dual: o.dualSidePosition ?? false, feeBurn: o.feeBurn ?? false, multiAssets: o.multiAssetsMargin ?? false };
  return [
    ...restrictionRoutes(o),
    ...flagRoutes('multiAssetsMargin', () => mode.multiAssets, (v) => (mode.multiAssets = v)),
    ...flagRoutes('feeBurn', () => mode.feeBurn, (v) => (mode.feeBurn = v)),
    {
      method: 'POST',
      path: '/sim/positionSide/dual',
      security: 'NONE',
      weight: 0,
      handle: ({ params }) => {
        const v = params.bool('dualSidePosition');
        if (v === undefined) throw apiErrors.mandatory('dualSidePosition');
        mode.dual = v;
        return { dualSidePosition: mode.dual };
      },
    },
    { method: 'GET', path: '/fapi/v2/account', security: 'SIGNED', weight: 5, handle: ({ deps }) => accountV2(deps.engine, mode.feeBurn) },
    { method: 'GET', path: '/fapi/v3/account', security: 'SIGNED', weight: 5, handle: ({ deps }) => accountV3(deps.engine) },
    { method: 'GET', path: '/fapi/v2/balance', security: 'SIGNED', weight: 5, handle: ({ deps }) => balances(deps.engine) },
    { method: 'GET', path: '/fapi/v3/balance', security: 'SIGNED', weight: 5, handle: ({ deps }) => balances(deps.engine) },
    {
      method: 'GET',
      path: '/fapi/v2/positionRisk',
      security: 'SIGNED',
      weight: 5,
      handle: ({ params, deps }) => deps.engine.positions(params.symbol()),
    },
    {
      method: 'GET',
      path: '/fapi/v3/positionRisk',
      security: 'SIGNED',
      weight: 5,
      handle: ({ params, deps }) => positionRiskV3(deps.engine, params.symbol()),
    },
    {
      method: 'GET',
      path: '/fapi/v1/leverageBracket',
      security: 'SIGNED',
      weight: 1,
      handle: ({ params, deps }) => {
        const symbol = params.symbol();
        if (symbol !== undefined) return leverageBracket(deps.engine, symbol);
        return deps.engine.symbols().map((s) => leverageBracket(deps.engine, s));
      },
    },
    {
      method: 'POST',
      path: '/fapi/v1/leverage',
      security: 'SIGNED',
      weight: 1,
      handle: ({ params, deps }) => deps.engine.setLeverage(params.symbol(true), params.reqStr('leverage')),
    },
    {
      method: 'POST',
      path: '/fapi/v1/marginType',
      security: 'SIGNED',
      weight: 1,
      handle: ({ params, deps }) => {
        deps.engine.setMarginType(params.symbol(true), params.reqStr('marginType').toUpperCase());
        return { code: 200, msg: 'success' };
      },
    },
    {
      method: 'GET',
      path: '/fapi/v1/positionSide/dual',
      security: 'SIGNED',
      weight: 30,
      handle: () => ({ dualSidePosition: mode.dual }),
    },
    {
      method: 'POST',
      path: '/fapi/v1/positionSide/dual',
      security: 'SIGNED',
      weight: 1,
      handle: ({ params }) => {
        const v = params.reqStr('dualSidePosition');
        if (v === 'false') throw apiErrors.noNeedPositionSide();
        if (v === 'true') throw new BinanceApiError(-4068, 'Hedge mode is not supported by the simulator (one-way mode only).');
        throw apiErrors.invalidParam('dualSidePosition');
      },
    },
    {
      method: 'GET',
      path: '/fapi/v1/income',
      security: 'SIGNED',
      weight: 30,
      handle: ({ params, deps }) => {
        const q: Parameters<SimEngine['income']>[0] = {};
        const symbol = params.symbol();
        const type = params.str('incomeType');
        const start = params.int('startTime');
        const end = params.int('endTime');
        const limit = params.int('limit');
        if (symbol !== undefined) q.symbol = symbol;
        if (type !== undefined) q.incomeType = type as NonNullable<typeof q.incomeType>;
        if (start !== undefined) q.startTime = start;
        if (end !== undefined) q.endTime = end;
        if (limit !== undefined) q.limit = limit;
        return deps.engine.income(q);
      },
    },
  ];
}
