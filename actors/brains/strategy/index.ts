/** Strategy brain: signals + regimes → sized intents, every decision journaled. */
export {
  strategyMachine, DEFAULT_STRATEGY_PARAMS,
  type StrategyParams, type StrategyInput, type StrategyEvent, type StrategyContext, type PositionEvent,
} from './strategy.machine.js';
export { gate, againstRegime, effectiveRegime, SKIP_REASONS, type Gate, type GateParams, type SkipReason } from './decide.js';
export { sizeIntent, stopDistance, floorSig, exitTemplate, type Sizing, type SizingInput, type SizingParams, type SizingSkip } from './sizing.js';
