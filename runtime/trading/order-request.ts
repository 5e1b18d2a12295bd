import type { OrderRequest, SubmitCommand } from '../../protocols/index.js';

/**
 * An orders actor's submit command → the venue adapter's order request. The backtest's venue
 * bridge must hand the adapter's order checks exactly what the live executor hands them, so both
 * build the request here. (executor.ts still carries its own private copy, `toRequest`, which
 * must stay identical until it imports this one.)
 */
export function orderRequest(c: SubmitCommand): OrderRequest {
  return {
    symbol: c.symbol, side: c.side, type: c.orderType, clientOrderId: c.clientOrderId,
    ...(c.qty !== undefined && !c.closePosition ? { qty: c.qty } : {}),
    ...(c.orderType === 'LIMIT' && c.price !== undefined ? { price: c.price } : {}),
    ...(c.orderType === 'LIMIT' && c.timeInForce ? { timeInForce: c.timeInForce } : {}),
    ...(c.stopPrice !== undefined ? { stopPrice: c.stopPrice } : {}),
    ...(c.closePosition ? { closePosition: true } : c.reduceOnly ? { reduceOnly: true } : {}),
    ...(c.callbackRate !== undefined ? { callbackRate: c.callbackRate } : {}),
    ...(c.activationPrice !== undefined ? { activationPrice: c.activationPrice } : {}),
    // Stops trigger on the mark (as the position actor plans them), not on the last trade.
    ...(c.workingType ? { workingType: c.workingType } : {}),
  };
}
