import { z } from 'zod';
import { checkSchema, IntentSchema, POSITION_STATES, RISK_MODES, SYMBOL_PATTERN, type Intent, type ParseOptions, type PositionUpdate } from '../../../protocols/index.js';

const num = z.number().finite();

/** Position updates as risk reads them (the position actor owns the shape; extra fields are ignored). */
export const PositionUpdateSchema = z.object({
  symbol: z.string().regex(SYMBOL_PATTERN),
  state: z.enum(POSITION_STATES),
  side: z.enum(['LONG', 'SHORT']).nullable(),
  qty: num.nonnegative(),
  avgEntry: num.nonnegative(),
  markPrice: num.nonnegative(),
  realizedPnl: num,
  unrealizedPnl: num,
  fees: num,
  funding: num,
  stop: z.unknown(),
  unprotectedSince: num.nullable(),
  attribution: z.string(),
  intentId: z.string().nullable(),
  openedAt: num.nullable(),
  ts: num,
});

/**
 * Control inputs on `qt.in.risk.main`: policy (from the KV watcher, source operator, or the CEO
 * brain), account equity, the model supervisor's verdict, and operator resets.
 */
export const RiskControlSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('policy'),
    killSwitch: z.boolean().optional(),
    mode: z.enum(RISK_MODES).optional(),
    reconciling: z.boolean().optional(),
    /** The effective mode is the stricter of the operator's and the CEO's. @default operator */
    source: z.enum(['operator', 'ceo']).default('operator'),
    reason: z.string().optional(),
    by: z.string().optional(),
    ts: num.optional(),
  }),
  /** Account equity (margin balance incl. unrealized PnL), USDT. */
  z.object({ type: z.literal('equity'), equity: num.positive(), ts: num.optional() }),
  /** `ok` | `degraded` trade on; `reduce-only` | `halt` | `blocked` stop new entries. */
  z.object({ type: z.literal('model-supervisor'), status: z.string().min(1), reason: z.string().default(''), ts: num.optional() }),
  z.strictObject({ type: z.literal('reset'), scope: z.enum(['daily', 'weekly', 'halt']), by: z.string().optional(), reason: z.string().optional() }),
]);
export type RiskControl = z.infer<typeof RiskControlSchema>;

export type RiskInputEvent =
  | { type: 'intent'; intent: Intent }
  | { type: 'position'; update: PositionUpdate }
  | RiskControl;

export type ParseResult<E> = { ok: true; event: E } | { ok: false; reason: string };

const issues = (e: z.ZodError) => e.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');

/**
 * Validates one input of the risk (and CEO) brain by its subject. Money safety lives here too:
 * an intent whose symbol differs from its subject, whose notional is not price × qty, or whose
 * size is absurd never reaches the machine (it is dead-lettered with the reason).
 */
export function parseRiskInput(payload: unknown, subject: string, o: { maxIntentNotional: number } & ParseOptions): ParseResult<RiskInputEvent> {
  const tokens = subject.split('.');
  if (tokens[1] === 'intent') {
    const p = checkSchema(IntentSchema, payload, o);
    if (!p.success) return { ok: false, reason: `invalid intent: ${issues(p.error)}` };
    const it = p.data;
    if (it.symbol !== tokens[2]) return { ok: false, reason: `intent for ${it.symbol} on ${tokens[2]}'s subject` };
    const implied = it.price * it.qty;
    if (Math.abs(implied - it.notional) > it.notional * 0.01) return { ok: false, reason: `notional ${it.notional} ≠ price × qty ${implied}` };
    if (it.notional > o.maxIntentNotional) return { ok: false, reason: `absurd size: notional ${it.notional} > ${o.maxIntentNotional}` };
    return { ok: true, event: { type: 'intent', intent: it } };
  }
  if (tokens[1] === 'position') {
    const p = checkSchema(PositionUpdateSchema, payload, o);
    if (!p.success) return { ok: false, reason: `invalid position update: ${issues(p.error)}` };
    if (p.data.symbol !== tokens[2]) return { ok: false, reason: `position of ${p.data.symbol} on ${tokens[2]}'s subject` };
    return { ok: true, event: { type: 'position', update: p.data as PositionUpdate } };
  }
  const p = checkSchema(RiskControlSchema, payload, o);
  if (!p.success) return { ok: false, reason: `invalid control input: ${issues(p.error)}` };
  return { ok: true, event: p.data };
}
