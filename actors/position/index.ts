/** The position actor: one per symbol, its book and its venue-side protection. */
export { positionMachine, type PositionInput } from './position.machine.js';
export { OrderEventSchema, PositionControlSchema, type PositionControl, type PositionEvent, type PositionEventInput, type IntentExit } from './inputs.js';
export { flatContext, PROTECT_MS, type ExitReason, type PositionContext, type StopLeg, type TpLeg } from './context.js';
export { step, MARK_PUBLISH_MS, MAX_STOP_ATTEMPTS, PHASE_NEXT } from './step.js';
