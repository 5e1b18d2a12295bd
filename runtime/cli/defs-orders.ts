import { ordersMachine, type OrdersInput } from '../../actors/order/orders.machine.js';
import type { OrderOptions } from '../../actors/order/effects.js';
import { checkSchema, OrderCommandSchema, STREAMS, subjects, VenueReportSchema, type OrderCommand } from '../../protocols/index.js';
import { BadInputError } from '../errors.js';
import type { ActorDefinition } from '../host/index.js';

/** Settings of the orders actors. */
export interface OrdersDefOptions {
  /** Venue name, for logs and the journal. */
  venue: string;
  /** Largest notional (qty × price) one order may have, in quote currency, e.g. 1e7 USDT. */
  maxNotional: number;
  /**
   * Reference price for orders that carry none (MARKET without `price`). Without it such an order
   * can only pass when it is reduce-only: an entry whose size cannot be bounded is refused.
   */
  refPrice?: (symbol: string) => number | undefined;
  order?: Partial<OrderOptions>;
  /** @default 600000 */
  pruneAfterMs?: number;
  /** @default 5000 */
  rememberClosed?: number;
}

function issues(e: { issues: Array<{ path: PropertyKey[]; message: string }> }): string {
  return e.issues.slice(0, 3).map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`).join('; ');
}

/** Business checks beyond the schema: fields each order type needs, and a bounded notional. */
function checkSubmit(c: Extract<OrderCommand, { type: 'submit' }>, o: OrdersDefOptions): void {
  if (c.qty === undefined && !c.closePosition) throw new BadInputError(`submit ${c.clientOrderId}: qty missing (only closePosition orders go without)`);
  if (c.orderType === 'LIMIT' && c.price === undefined) throw new BadInputError(`submit ${c.clientOrderId}: LIMIT without price`);
  if ((c.orderType === 'STOP_MARKET' || c.orderType === 'TAKE_PROFIT_MARKET') && c.stopPrice === undefined) {
    throw new BadInputError(`submit ${c.clientOrderId}: ${c.orderType} without stopPrice`);
  }
  if (c.orderType === 'TRAILING_STOP_MARKET' && c.callbackRate === undefined) throw new BadInputError(`submit ${c.clientOrderId}: trailing stop without callbackRate`);
  if (c.qty === undefined) return;
  const ref = c.price ?? c.stopPrice ?? c.activationPrice ?? o.refPrice?.(c.symbol);
  if (ref === undefined) {
    if (c.reduceOnly) return;
    throw new BadInputError(`submit ${c.clientOrderId}: no price to bound the notional of a ${c.orderType} entry (send the reference price)`);
  }
  const notional = c.qty * ref;
  if (!(notional <= o.maxNotional)) throw new BadInputError(`submit ${c.clientOrderId}: notional ${notional.toPrecision(6)} > max ${o.maxNotional}`);
}

/**
 * The orders actor of each symbol (`orders.<SYM>`): order commands on `qt.order.<SYM>.submit`,
 * venue reports on `qt.order.<SYM>.report`, both in QT_ORDERS. Bad commands are dead-lettered here
 * with the reason; the actor never sees them.
 */
export function ordersDef(o: OrdersDefOptions): ActorDefinition {
  return {
    kind: 'orders',
    machine: ordersMachine,
    version: 1,
    input: { stream: STREAMS.orders, subject: (symbol) => subjects.order(symbol, 'submit') },
    extraInputs: [{ stream: STREAMS.orders, subject: (symbol) => subjects.order(symbol, 'report') }],
    initialInput: (symbol): OrdersInput => ({
      symbol,
      ...(o.order ? { order: o.order } : {}),
      ...(o.pruneAfterMs !== undefined ? { pruneAfterMs: o.pruneAfterMs } : {}),
      ...(o.rememberClosed !== undefined ? { rememberClosed: o.rememberClosed } : {}),
    }),
    configFields: ['order', 'pruneAfterMs', 'rememberClosed'],
    parse(payload, subject, trust) {
      const [, , symbol, kind] = subject.split('.');
      if (kind === 'report') {
        const r = checkSchema(VenueReportSchema, payload, trust);
        if (!r.success) throw new BadInputError(`malformed venue report: ${issues(r.error)}`);
        if (r.data.symbol !== symbol) throw new BadInputError(`report for ${r.data.symbol} on ${symbol}'s subject`);
        return { type: 'report', report: r.data };
      }
      const r = checkSchema(OrderCommandSchema, payload, trust);
      if (!r.success) throw new BadInputError(`malformed order command: ${issues(r.error)}`);
      if (r.data.symbol !== symbol) throw new BadInputError(`order command for ${r.data.symbol} on ${symbol}'s subject`);
      if (r.data.type === 'submit') {
        checkSubmit(r.data, o);
        return { type: 'submit', command: r.data };
      }
      return { type: 'cancel', command: r.data };
    },
  };
}
