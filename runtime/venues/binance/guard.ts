/**
 * Local order checks and rounding, before anything is sent. The old system sent whatever a caller
 * computed and learnt from Binance's -4006 "Stop price less than zero" (after the entry had filled)
 * that its stop did not exist. Here a bad number never leaves the process: it is refused with a
 * typed reason while the caller can still act on it.
 */
import { z } from 'zod';
import { gridDecimals, gridUnits, type GridRound } from '../../../protocols/grid.js';
import { CONDITIONAL_TYPES, OrderRequestSchema, type OrderRequest, type SymbolRules } from '../../../protocols/venue.js';
import { OrderRefusedError, type RefusalReason } from './errors.js';

/**
 * Snaps `value` to a multiple of `size` with integer arithmetic on the step count, and prints it
 * with exactly the grid's decimals (what Binance checks for -1111 and -4014).
 */
export function toGrid(value: number, size: number, mode: GridRound): string {
  const d = gridDecimals(size);
  if (!(size > 0)) return value.toFixed(d);
  return (gridUnits(value, size, mode) * size).toFixed(d);
}

/** Wire parameters of POST /fapi/v1/order (all strings, as signed). */
export type OrderParams = Record<string, string>;

const refuse = (reason: RefusalReason, field: string, msg: string, cid?: string): never => {
  throw new OrderRefusedError(reason, field, msg, cid);
};

/** Whether an order needs the current mark to be checked (side of a trigger, or min notional of a market order). */
export function needsReference(req: OrderRequest): boolean {
  if (CONDITIONAL_TYPES.includes(req.type)) return true;
  return req.type === 'MARKET' && req.reduceOnly !== true;
}

function checkNumber(req: OrderRequest, field: 'qty' | 'price' | 'stopPrice' | 'callbackRate' | 'activationPrice'): void {
  const v = (req as Record<string, unknown>)[field];
  if (v === undefined) return;
  if (typeof v !== 'number' || !Number.isFinite(v)) refuse('NOT_FINITE', field, `${field} must be a finite number, got ${String(v)}`, req.clientOrderId);
  if ((v as number) <= 0) refuse('NOT_POSITIVE', field, `${field} must be > 0, got ${String(v)}`, req.clientOrderId);
}

function checkShape(req: OrderRequest): void {
  const cid = req.clientOrderId;
  const need = (field: keyof OrderRequest, why: string): void => {
    if (req[field] === undefined) refuse('MISSING_FIELD', field, `${field} is required ${why}`, cid);
  };
  const forbid = (field: keyof OrderRequest, why: string): void => {
    if (req[field] !== undefined && req[field] !== false) refuse('UNEXPECTED_FIELD', field, `${field} is not allowed ${why}`, cid);
  };
  const t = req.type;
  if (t !== 'LIMIT') for (const f of ['price', 'timeInForce', 'postOnly'] as const) forbid(f, `on ${t}`);
  if (t !== 'STOP_MARKET' && t !== 'TAKE_PROFIT_MARKET') for (const f of ['stopPrice', 'closePosition'] as const) forbid(f, `on ${t}`);
  if (t !== 'TRAILING_STOP_MARKET') for (const f of ['callbackRate', 'activationPrice'] as const) forbid(f, `on ${t}`);
  if (!CONDITIONAL_TYPES.includes(t)) forbid('workingType', `on ${t}`);
  if (t === 'LIMIT') need('price', 'for LIMIT');
  if (t === 'STOP_MARKET' || t === 'TAKE_PROFIT_MARKET') need('stopPrice', `for ${t}`);
  if (t === 'TRAILING_STOP_MARKET') need('callbackRate', 'for TRAILING_STOP_MARKET');
  if (req.closePosition) {
    forbid('qty', 'with closePosition');
    forbid('reduceOnly', 'with closePosition (it is implied)');
  } else need('qty', `for ${t}`);
  if (req.postOnly && req.timeInForce && req.timeInForce !== 'GTX') refuse('INVALID', 'timeInForce', 'postOnly means timeInForce GTX', cid);
}

/** Stop/TP/trailing must sit on the far side of the reference price, or the venue fires it at once. */
function checkSide(req: OrderRequest, trigger: number, ref: number, field: string): void {
  const sell = req.side === 'SELL';
  // SELL stop (long's stop) and BUY take-profit (short's TP) sit below; the other two above.
  const below = req.type === 'STOP_MARKET' ? sell : !sell;
  const ok = below ? trigger < ref : trigger > ref;
  if (!ok) {
    const where = below ? 'below' : 'above';
    refuse('WRONG_SIDE', field, `${req.side} ${req.type} ${field} ${trigger} must be ${where} the current mark ${ref}`, req.clientOrderId);
  }
}

/**
 * Validates and rounds an order. `ref` is the current mark price (required when {@link needsReference}).
 * Returns the exact parameters to sign; throws OrderRefusedError with a reason otherwise.
 */
export function buildOrderParams(req: OrderRequest, rules: SymbolRules, ref: number | undefined): OrderParams {
  const cid = req.clientOrderId;
  for (const f of ['qty', 'price', 'stopPrice', 'callbackRate', 'activationPrice'] as const) checkNumber(req, f);
  const parsed = OrderRequestSchema.safeParse(req);
  if (!parsed.success) refuse('INVALID', String(parsed.error.issues[0]?.path[0] ?? 'order'), z.prettifyError(parsed.error), cid);
  checkShape(req);

  const p: OrderParams = { symbol: req.symbol, side: req.side, type: req.type, newClientOrderId: cid, newOrderRespType: 'RESULT' };
  const price = (field: string, v: number, mode: GridRound): number => {
    const s = toGrid(v, rules.tickSize, mode);
    const n = Number(s);
    if (!(n > 0)) refuse('NOT_POSITIVE', field, `${field} ${v} rounds to ${s} on tick ${rules.tickSize}`, cid);
    if (n < rules.minPrice || n > rules.maxPrice) refuse('PRICE_OUT_OF_RANGE', field, `${field} ${s} outside [${rules.minPrice}, ${rules.maxPrice}]`, cid);
    p[field] = s;
    return n;
  };

  let qty = 0;
  if (req.qty !== undefined) {
    const limit = req.type === 'LIMIT';
    const step = limit ? rules.stepSize : rules.marketStepSize;
    const [min, max] = limit ? [rules.minQty, rules.maxQty] : [rules.marketMinQty, rules.marketMaxQty];
    // Down: never more exposure than asked for.
    const s = toGrid(req.qty, step, 'down');
    qty = Number(s);
    if (qty < min || qty <= 0) refuse('BELOW_MIN_QTY', 'qty', `qty ${req.qty} rounds to ${s}, below min ${min} (step ${step})`, cid);
    if (qty > max) refuse('ABOVE_MAX_QTY', 'qty', `qty ${s} above max ${max}`, cid);
    p['quantity'] = s;
  }

  let notionalPrice = ref ?? 0;
  if (req.type === 'LIMIT') {
    // Passive rounding: a BUY never pays more, a SELL never sells for less than asked.
    notionalPrice = price('price', req.price as number, req.side === 'BUY' ? 'down' : 'up');
    p['timeInForce'] = req.postOnly ? 'GTX' : (req.timeInForce ?? 'GTC');
  }
  const conditional = CONDITIONAL_TYPES.includes(req.type);
  if (conditional) {
    if (!(ref !== undefined && ref > 0)) refuse('INVALID', 'mark', `no current mark price for ${req.symbol}; cannot check trigger side`, cid);
    p['workingType'] = req.workingType ?? 'MARK_PRICE';
  }
  if (req.type === 'STOP_MARKET' || req.type === 'TAKE_PROFIT_MARKET') {
    const stop = price('stopPrice', req.stopPrice as number, 'nearest');
    checkSide(req, stop, ref as number, 'stopPrice');
    notionalPrice = stop;
    if (req.closePosition) p['closePosition'] = 'true';
  }
  if (req.type === 'TRAILING_STOP_MARKET') {
    p['callbackRate'] = (Math.round((req.callbackRate as number) * 10) / 10).toFixed(1);
    if (req.activationPrice !== undefined) {
      const act = price('activationPrice', req.activationPrice, 'nearest');
      // A SELL trail arms on the way up (above the mark), a BUY trail on the way down.
      const ok = req.side === 'SELL' ? act > (ref as number) : act < (ref as number);
      if (!ok) refuse('WRONG_SIDE', 'activationPrice', `${req.side} trailing activation ${act} is on the wrong side of mark ${ref}`, cid);
      notionalPrice = act;
    }
  }
  if (req.reduceOnly && !req.closePosition) p['reduceOnly'] = 'true';

  const exempt = req.reduceOnly === true || req.closePosition === true;
  if (!exempt && rules.minNotional > 0) {
    if (!(notionalPrice > 0)) refuse('INVALID', 'mark', `no price to check min notional of ${req.symbol}`, cid);
    if (qty * notionalPrice < rules.minNotional - 1e-9) {
      refuse('BELOW_MIN_NOTIONAL', 'qty', `notional ${(qty * notionalPrice).toFixed(4)} below min ${rules.minNotional}`, cid);
    }
  }
  return p;
}
