import { z } from 'zod';
import {
  ORDER_LEGS, ORDER_STATUSES, SYMBOL_PATTERN, VenueReportSchema,
  type ExitTemplate, type Intent, type MarkTick, type OrderEvent,
} from '../../protocols/index.js';

const sym = z.string().regex(SYMBOL_PATTERN);
const price = z.number().finite().positive();
const nonneg = z.number().finite().nonnegative();

/** Validates an `OrderEvent` (protocols/trading.ts) as the orders actor publishes it. */
export const OrderEventSchema = z.strictObject({
  clientOrderId: z.string().min(1).max(64),
  intentId: z.string().min(1).max(120),
  leg: z.enum(ORDER_LEGS),
  symbol: sym,
  side: z.enum(['BUY', 'SELL']),
  status: z.enum(ORDER_STATUSES),
  prev: z.enum(ORDER_STATUSES).nullable(),
  qty: nonneg,
  filledQty: nonneg,
  avgPrice: nonneg,
  fill: VenueReportSchema.shape.fill.unwrap().optional(),
  reason: z.string().optional(),
  code: z.number().int().optional(),
  refusal: z.string().max(40).optional(),
  attribution: z.string(),
  ts: z.number().int(),
}) satisfies z.ZodType<OrderEvent>;

/**
 * Control inputs on `qt.in.position.<SYM>`: reconciliation adopts an orphan venue position (qty 0
 * means the venue is flat), the symbol's trading filters, a funding payment, or an order to flatten.
 */
export const PositionControlSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('adopt'), side: z.enum(['LONG', 'SHORT']), qty: nonneg, entry: price, ts: z.number().int().nonnegative() }),
  z.strictObject({ type: z.literal('rules'), tickSize: price, stepSize: price, minQty: nonneg, minNotional: nonneg }),
  z.strictObject({ type: z.literal('funding'), amount: z.number().finite(), ts: z.number().int().nonnegative() }),
  z.strictObject({ type: z.literal('flatten'), reason: z.string().min(1).max(200) }),
]);
export type PositionControl = z.infer<typeof PositionControlSchema>;

/** Events the position machine takes (the host adds `at`). */
export type PositionEvent =
  | { type: 'order'; event: OrderEvent; at: number }
  | { type: 'mark'; tick: MarkTick; at: number }
  | { type: 'intent'; intent: Pick<Intent, 'intentId' | 'symbol' | 'exit' | 'atr' | 'attribution'>; at: number }
  | (PositionControl & { at: number })
  | { type: 'qt.timer'; name: string; dueAt: number; at: number }
  | { type: 'qt.fresh'; reason: string; at: number };

/** A machine event as an input parser returns it, before the host stamps `at`. */
export type PositionEventInput = PositionEvent extends infer E ? (E extends unknown ? Omit<E, 'at'> : never) : never;

/** Exit template and ATR an intent asked for, kept until its entry fills. */
export interface IntentExit {
  intentId: string;
  template: ExitTemplate;
  atr?: number;
}
