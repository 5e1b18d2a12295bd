import { enqueueActions, setup } from 'xstate';
import type { OutputEvent } from '../../protocols/index.js';
import { initialSupervisorContext, supervisorStep, type SupervisorContext, type SupervisorEvent, type SupervisorInput } from './supervisor.step.js';

/**
 * The model supervisor (`model-supervisor.main`): fed by the AI brain on
 * `qt.in.model-supervisor.main` (champion reference, per-batch observations, realised outcomes,
 * fallback state). Reports its status to the risk brain on `qt.in.risk.main` and every
 * intervention to `qt.journal.model` / `qt.journal.alert`. Logic: `supervisorStep` (pure).
 */
export const modelSupervisorMachine = setup({
  types: { context: {} as SupervisorContext, events: {} as SupervisorEvent, input: {} as SupervisorInput, emitted: {} as OutputEvent },
  actions: {
    step: enqueueActions(({ context, event, enqueue }) => {
      const { ctx, outputs } = supervisorStep(context, event);
      enqueue.assign(ctx);
      for (const o of outputs) enqueue.emit(o);
    }),
  },
}).createMachine({
  id: 'model-supervisor',
  context: ({ input }) => initialSupervisorContext(input),
  on: {
    reference: { actions: 'step' },
    observe: { actions: 'step' },
    outcomes: { actions: 'step' },
    fallback: { actions: 'step' },
    'qt.fresh': { actions: 'step' },
  },
});
