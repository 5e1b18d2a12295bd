import { enqueueActions, setup } from 'xstate';
import type { OutputEvent } from '../../protocols/index.js';
import { clmStep, initialClmContext, type ClmContext, type ClmEvent, type ClmInput } from './clm.step.js';

/**
 * Continuous learning (`clm.main`): decides when to retrain, whether a trained challenger enters
 * shadow, and whether it is promoted or the champion rolled back; the CLM runner carries the
 * commands out (training in a worker thread, registry pointers). Inputs on `qt.in.clm.main`;
 * timers (`retrain`, `shadow-end`, `train-timeout`) live in context. Logic: `clmStep` (pure).
 */
export const clmMachine = setup({
  types: { context: {} as ClmContext, events: {} as ClmEvent, input: {} as ClmInput, emitted: {} as OutputEvent },
  actions: {
    step: enqueueActions(({ context, event, enqueue }) => {
      const { ctx, outputs } = clmStep(context, event);
      enqueue.assign(ctx);
      for (const o of outputs) enqueue.emit(o);
    }),
  },
}).createMachine({
  id: 'clm',
  context: ({ input }) => initialClmContext(input),
  on: {
    'qt.timer': { actions: 'step' },
    'qt.fresh': { actions: 'step' },
    candles: { actions: 'step' },
    retrain: { actions: 'step' },
    champion: { actions: 'step' },
    trained: { actions: 'step' },
    'train-failed': { actions: 'step' },
    outcomes: { actions: 'step' },
  },
});
