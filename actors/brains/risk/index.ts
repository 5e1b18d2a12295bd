/** The risk brain: the only path from intents to orders; limits, risk modes, trading states. */
export { riskMachine } from './risk.machine.js';
export { riskStep, initialRiskContext, type RiskInput, type RiskContext, type RiskEvent } from './risk.step.js';
export {
  evaluate, checkGlobal, checkEntryGates, checkFreshness, checkUnprotected, checkSymbol, checkCounts, checkLoss, checkRate,
  fitSize, refill, scaleQty, clusterOf, BLOCKING_MODEL_STATUSES, type RiskLimits, type RiskView, type Exposure, type Evaluation,
} from './limits.js';
export { modeLimits, lossLevel, tradingStateOf, stricterMode, MODE_SEVERITY, type LossLevel } from './modes.js';
export {
  createLedger, applyPosition, applyEquity, roll, rebase, equityOf, dailyLoss, dailyPnl, weeklyDrawdown, dayOf, weekOf, DAY_MS,
  type Ledger, type PositionLike,
} from './ledger.js';
export { parseRiskInput, PositionUpdateSchema, RiskControlSchema, type RiskControl, type RiskInputEvent, type ParseResult } from './events.js';
