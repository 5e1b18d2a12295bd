/** The CEO brain: picks the risk mode from drawdown, health and the model supervisor. */
export { ceoMachine, ceoMetrics, type CeoInput, type CeoContext, type CeoEvent } from './ceo.machine.js';
export { decideMode, targetMode, DEFAULT_CEO_THRESHOLDS, type CeoMetrics, type CeoThresholds } from './rules.js';
