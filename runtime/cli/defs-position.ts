import type { z } from 'zod';
import { checkSchema, IntentSchema, MarkTickSchema, STREAMS, subjects, type ParseOptions, type SymbolRules } from '../../protocols/index.js';
import { OrderEventSchema, PositionControlSchema, positionMachine, type PositionEventInput } from '../../actors/position/index.js';
import type { PlanRules } from '../../actors/brains/exit/index.js';
import { BadInputError } from '../errors.js';
import type { ActorDefinition } from '../host/index.js';

export interface PositionDefOptions {
  venue: string;
  /** Trading filters per symbol when already known (exchange info); else a `rules` control input. */
  rules?: (symbol: string) => PlanRules | undefined;
}

/**
 * The filters an exit plan is rounded to, from the venue's rules. Exits are market-type orders
 * (stop, take-profit, trailing), checked by the venue against MARKET_LOT_SIZE.
 */
export function planRules(r: SymbolRules): PlanRules {
  return { tickSize: r.tickSize, stepSize: r.marketStepSize || r.stepSize, minQty: r.marketMinQty || r.minQty, minNotional: r.minNotional };
}

function check<T>(schema: z.ZodType<T>, payload: unknown, what: string, o?: ParseOptions): T {
  const r = checkSchema(schema, payload, o);
  if (!r.success) throw new BadInputError(`malformed ${what}: ${r.error.issues.map((i) => `${i.path.join('.') || what}: ${i.message}`).join('; ')}`);
  return r.data;
}

function sameSymbol(got: string, expected: string, what: string): void {
  if (got !== expected) throw new BadInputError(`${what} for ${got} on ${expected}'s subject`);
}

/**
 * Position actors (`position.<SYM>`): order events from QT_ORDERS, and as further inputs the mark
 * ticks (QT_MARKET), the control subject `qt.in.position.<SYM>` (QT_INPUTS: adopt, rules, funding,
 * flatten) and the symbol's intents (QT_INTENTS), which carry the exit template and ATR the plan is
 * built from. Anything malformed is dead-lettered with the reason; the actor lives on.
 */
export function positionDef(o: PositionDefOptions): ActorDefinition {
  const markSubject = (symbol: string) => subjects.market(o.venue, symbol, 'mark');
  return {
    kind: 'position',
    machine: positionMachine,
    version: 1,
    input: { stream: STREAMS.orders, subject: (symbol) => subjects.order(symbol, 'event') },
    extraInputs: [
      { stream: STREAMS.market, subject: markSubject },
      { stream: STREAMS.inputs, subject: (symbol) => subjects.actorInput('position', symbol) },
      { stream: STREAMS.intents, subject: (symbol) => subjects.intent(symbol) },
    ],
    // A mark that moves nothing (a flat book, or a throttled update) is replayed after a restart
    // rather than stored: at 500 symbols that was a KV write per symbol per second.
    lazySilentInputs: true,
    initialInput: (symbol) => {
      const rules = o.rules?.(symbol);
      return { symbol, venue: o.venue, ...(rules ? { rules } : {}) };
    },
    parse(payload, subject, o): PositionEventInput {
      const parts = subject.split('.');
      if (parts[0] === 'qt' && parts[1] === 'order' && parts[3] === 'event') {
        const event = check(OrderEventSchema, payload, 'order event', o);
        sameSymbol(event.symbol, parts[2]!, 'order event');
        return { type: 'order', event };
      }
      if (parts[0] === 'qt' && parts[1] === 'md' && parts[4] === 'mark') {
        const tick = check(MarkTickSchema, payload, 'mark tick', o);
        sameSymbol(tick.symbol, parts[3]!, 'mark tick');
        return { type: 'mark', tick };
      }
      if (parts[0] === 'qt' && parts[1] === 'in' && parts[2] === 'position') {
        return check(PositionControlSchema, payload, 'position control', o);
      }
      if (parts[0] === 'qt' && parts[1] === 'intent') {
        const intent = check(IntentSchema, payload, 'intent', o);
        sameSymbol(intent.symbol, parts[2]!, 'intent');
        return { type: 'intent', intent: { intentId: intent.intentId, symbol: intent.symbol, exit: intent.exit, attribution: intent.attribution, ...(intent.atr !== undefined ? { atr: intent.atr } : {}) } };
      }
      throw new BadInputError(`position actor has no input on ${subject}`);
    },
  };
}
