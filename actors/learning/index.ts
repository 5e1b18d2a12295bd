/** Model lifecycle machines: the model supervisor and continuous learning (CLM). */
export { modelSupervisorMachine } from './model-supervisor.machine.js';
export { clmMachine } from './clm.machine.js';
export {
  supervisorStep, initialSupervisorContext, readings,
  type SupervisorContext, type SupervisorEvent, type SupervisorInput, type SupervisorStatus, type Action, type Detector,
} from './supervisor.step.js';
export { clmStep, initialClmContext, type ClmContext, type ClmEvent, type ClmInput, type RunnerCommand } from './clm.step.js';
export { binOf, countBins, decayCounts, psi, psiAll, type DriftReference } from './drift.js';
