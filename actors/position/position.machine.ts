import { assign, enqueueActions, setup } from 'xstate';
import { POSITION_STATES, type OutputEvent, type PositionState } from '../../protocols/index.js';
import type { PlanRules } from '../brains/exit/index.js';
import { flatContext, resetToFlat, type PositionContext } from './context.js';
import type { PositionEvent } from './inputs.js';
import { step } from './step.js';

export interface PositionInput {
  symbol: string;
  venue: string;
  /** The symbol's trading filters when known at start; a `rules` control input replaces them. */
  rules?: PlanRules;
}

/** Eventless moves that make the machine's state follow `context.phase`, set by `step`. */
const follow = (self: PositionState) =>
  POSITION_STATES.filter((p) => p !== self).map((p) => ({ guard: ({ context }: { context: PositionContext }) => context.phase === p, target: `#position.${p}` }));

/**
 * One actor per symbol (`position.<SYM>`): the book (side, size, weighted entry, realised PnL net of
 * fees, funding, unrealised from marks) and its protection. The first entry fill builds the exit
 * plan and at once submits the stop, then the TP ladder, all reduce-only with deterministic ids; a
 * 5 s deadline alerts (and re-submits a rejected stop) while no stop is confirmed. Trailing and the
 * breakeven move only ever tighten the stop. States flat → opening → open → reducing → closed → flat.
 * Every rule lives in `step` (pure); the machine applies it and follows `context.phase`.
 */
export const positionMachine = setup({
  types: { context: {} as PositionContext, events: {} as PositionEvent, input: {} as PositionInput, emitted: {} as OutputEvent },
  actions: {
    apply: enqueueActions(({ context, event, enqueue }) => {
      const { ctx, outs } = step(context, event);
      // `step` updates the context in place (this actor is its only owner). Assigning the same
      // object back would make XState copy all ~40 fields twice per mark tick, the top cost of
      // backtests; only a replaced context needs the assign.
      if (ctx !== context) enqueue.assign(ctx);
      for (const o of outs) enqueue.emit(o);
    }),
  },
}).createMachine({
  id: 'position',
  context: ({ input }) => flatContext(input.symbol, input.venue, input.rules ? { rules: input.rules } : {}),
  initial: 'flat',
  on: {
    order: { actions: 'apply' },
    mark: { actions: 'apply' },
    intent: { actions: 'apply' },
    adopt: { actions: 'apply' },
    rules: { actions: 'apply' },
    funding: { actions: 'apply' },
    flatten: { actions: 'apply' },
    'qt.timer': { actions: 'apply' },
    'qt.fresh': { actions: 'apply' },
  },
  states: {
    flat: { always: follow('flat') },
    opening: { always: follow('opening') },
    open: { always: follow('open') },
    reducing: { always: follow('reducing') },
    // The close was journaled and published by `step`; the book resets for the next trade.
    closed: { always: { target: 'flat', actions: assign(({ context }) => resetToFlat(context)) } },
  },
});
