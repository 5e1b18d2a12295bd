/** The exit brain: pure, validated exit plans (stop, TP ladder, trailing, breakeven) for the position actor. */
export { buildExitPlan, checkPlan, MAX_TP_LEGS, type BuildExitPlanArgs, type PlanResult, type PlanRules } from './plan.js';
export { moveStop, shrinkLegs, type Shrink } from './moves.js';
export { fromUnits, guessRules, positive, roundTick, stepsDown, stepsExact } from './grid.js';
