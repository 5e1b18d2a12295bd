/** OTP-style supervision trees over runtime-hosted actors (DESIGN.md section 2). */
export type { ChildHandle, ChildSpec, ExitReason, StartContext, BackoffOptions, SupervisorSpec, SupervisionReporter } from './types.js';
export type { Supervisor, SupervisorDeps, ChildSummary } from './api.js';
export { isSupervisor } from './api.js';
export { createSupervisor, supervisorChild } from './supervisor.js';
export type { Backoff } from './backoff.js';
export { createBackoff, backoffDelay, resolveBackoffOptions, DEFAULT_BACKOFF } from './backoff.js';
export { SupervisorError, EscalationError, toError } from './errors.js';
export type { SupervisorErrorCode } from './errors.js';
export { createNatsReporter, type NatsReporter, type NatsReporterOptions } from './nats-reporter.js';
export { startControlService, resolveTarget, treeWithInfo, type ControlRequest, type ControlReply } from './control-service.js';
export { hostedChild } from './hosted.js';
export { terminateHandle } from './lifecycle.js';
