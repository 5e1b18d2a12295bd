/**
 * Order endpoints (SIGNED). The engine validates and answers with Binance's codes; this layer maps
 * parameters and trims each view to the exact field set Binance documents for the endpoint.
 */
import type { NewOrderInput, OrderRef, OrderView } from '../engine/types.js';
import { apiErrors } from './errors.js';
import type { Params } from './params.js';
import type { Route } from './route.js';

const ORDER_KEYS = [
  'symbol',
  'side',
  'type',
  'timeInForce',
  'quantity',
  'price',
  'stopPrice',
  'activationPrice',
  'callbackRate',
  'reduceOnly',
  'closePosition',
  'workingType',
  'priceProtect',
  'newClientOrderId',
  'positionSide',
  'newOrderRespType',
] as const satisfies readonly (keyof NewOrderInput)[];

/** POST /fapi/v1/order parameters as the engine input; the engine owns validation. */
export function orderInput(p: Params): NewOrderInput {
  const input: Record<string, string> = {};
  for (const k of ORDER_KEYS) {
    const v = p.str(k);
    if (v !== undefined) input[k] = k === 'symbol' ? v.toUpperCase() : v;
  }
  return input as NewOrderInput;
}

function orderRef(p: Params): OrderRef {
  const ref: OrderRef = {};
  const id = p.str('orderId');
  const cid = p.str('origClientOrderId');
  if (id !== undefined) ref.orderId = id;
  if (cid !== undefined) ref.origClientOrderId = cid;
  return ref;
}

/** New/cancel answers carry `cumQty` but no `time`. */
export function ackShape(o: OrderView): Omit<OrderView, 'time'> {
  const { time: _time, ...rest } = o;
  return rest;
}

/** Query answers carry `time` but no `cumQty`. */
export function queryShape(o: OrderView): Omit<OrderView, 'cumQty'> {
  const { cumQty: _cumQty, ...rest } = o;
  return rest;
}

const isOpen = (o: OrderView): boolean => o.status === 'NEW' || o.status === 'PARTIALLY_FILLED';

function window(p: Params): { startTime?: number; endTime?: number; limit?: number } {
  const q: { startTime?: number; endTime?: number; limit?: number } = {};
  const start = p.int('startTime');
  const end = p.int('endTime');
  const limit = p.int('limit');
  if (start !== undefined) q.startTime = start;
  if (end !== undefined) q.endTime = end;
  if (limit !== undefined) q.limit = limit;
  return q;
}

/** Order placement, query and cancel routes. */
export function tradeRoutes(): Route[] {
  return [
    {
      method: 'POST',
      path: '/fapi/v1/order',
      security: 'SIGNED',
      // Binance charges new orders to the ORDERS limits, not to IP weight.
      weight: 0,
      countsAsOrder: true,
      handle: ({ params, deps }) => ackShape(deps.engine.placeOrder(orderInput(params))),
    },
    {
      method: 'GET',
      path: '/fapi/v1/order',
      security: 'SIGNED',
      weight: 1,
      handle: ({ params, deps }) => queryShape(deps.engine.getOrder(params.symbol(true), orderRef(params))),
    },
    {
      method: 'DELETE',
      path: '/fapi/v1/order',
      security: 'SIGNED',
      weight: 1,
      handle: ({ params, deps }) => ackShape(deps.engine.cancelOrder(params.symbol(true), orderRef(params))),
    },
    {
      method: 'GET',
      path: '/fapi/v1/openOrder',
      security: 'SIGNED',
      weight: 1,
      handle: ({ params, deps }) => {
        const o = deps.engine.getOrder(params.symbol(true), orderRef(params));
        // Binance answers -2013 for a known order that is no longer open.
        if (!isOpen(o)) throw apiErrors.noSuchOrder();
        return queryShape(o);
      },
    },
    {
      method: 'GET',
      path: '/fapi/v1/openOrders',
      security: 'SIGNED',
      weight: (p) => (p.has('symbol') ? 1 : 40),
      handle: ({ params, deps }) => deps.engine.openOrders(params.symbol()).map(queryShape),
    },
    {
      method: 'DELETE',
      path: '/fapi/v1/allOpenOrders',
      security: 'SIGNED',
      weight: 1,
      handle: ({ params, deps }) => {
        deps.engine.cancelAllOrders(params.symbol(true));
        return { code: 200, msg: 'The operation of cancel all open order is done.' };
      },
    },
    {
      method: 'GET',
      path: '/fapi/v1/allOrders',
      security: 'SIGNED',
      weight: 5,
      handle: ({ params, deps }) => {
        const q: { orderId?: number; startTime?: number; endTime?: number; limit?: number } = window(params);
        const orderId = params.int('orderId');
        if (orderId !== undefined) q.orderId = orderId;
        return deps.engine.allOrders(params.symbol(true), q).map(queryShape);
      },
    },
    {
      method: 'GET',
      path: '/fapi/v1/userTrades',
      security: 'SIGNED',
      weight: 5,
      handle: ({ params, deps }) => {
        const q: { fromId?: number; startTime?: number; endTime?: number; limit?: number } = window(params);
        const fromId = params.int('fromId');
        if (fromId !== undefined) q.fromId = fromId;
        return deps.engine.userTrades(params.symbol(true), q);
      },
    },
  ];
}
