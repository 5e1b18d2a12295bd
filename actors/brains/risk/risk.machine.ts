import { enqueueActions, setup } from 'xstate';
import type { OutputEvent } from '../../../protocols/index.js';
import { initialRiskContext, riskStep, type RiskContext, type RiskEvent, type RiskInput } from './risk.step.js';

/**
 * The risk brain (`risk.main`): the ONLY path from a strategy's intent to an order. Every intent
 * gets a verdict with typed reasons on `qt.journal.risk`; an approval emits one MARKET submit on
 * `qt.order.<SYM>.submit` whose msgId is the deterministic client order id, so a replayed or
 * re-published intent can never place a second order. Position updates feed exposure, PnL and
 * protection; control inputs carry the kill switch, risk mode, reconciliation, equity, the model
 * supervisor's verdict and operator resets. All logic is in `riskStep` (pure).
 */
export const riskMachine = setup({
  types: { context: {} as RiskContext, events: {} as RiskEvent, input: {} as RiskInput, emitted: {} as OutputEvent },
  actions: {
    step: enqueueActions(({ context, event, enqueue }) => {
      const { ctx, outputs } = riskStep(context, event);
      enqueue.assign(ctx);
      for (const o of outputs) enqueue.emit(o);
    }),
  },
}).createMachine({
  id: 'risk',
  context: ({ input }) => initialRiskContext(input),
  on: {
    intent: { actions: 'step' },
    position: { actions: 'step' },
    policy: { actions: 'step' },
    equity: { actions: 'step' },
    'model-supervisor': { actions: 'step' },
    reset: { actions: 'step' },
    'qt.fresh': { actions: 'step' },
  },
});
