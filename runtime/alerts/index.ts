/** Alerts: model, sinks, a de-duplicating router, pure rules and the QT_SUPERVISION watcher. */
export { SEVERITIES, ruleOf, type Alert, type AlertSink, type Severity } from './types.js';
export { redact, formatText } from './redact.js';
export { createAlertRouter, type AlertRouter, type AlertRouterOptions, type ActiveAlert, type RouteOutcome } from './router.js';
export { webhookSink, type WebhookSinkOptions } from './sinks/webhook.js';
export { telegramSink, type TelegramSinkOptions } from './sinks/telegram.js';
export { emailSink, type EmailSinkOptions } from './sinks/email.js';
export { recordingSink, type RecordingSink } from './sinks/recording.js';
export { escalationAlert, evaluateCrashLoop, evaluateSupervision, initialSupervisionState, type CrashLoopOptions, type SupervisionRuleState } from './rules-supervision.js';
export {
  evaluateDrawdown, evaluateUnprotected, breakerAlert, fallbackAlert, modelRollbackAlert, clmFailureAlert,
  type DrawdownSample, type DrawdownOptions, type DrawdownState, type PositionProtection, type UnprotectedState, type BreakerEvent,
} from './rules-trading.js';
export { watchSupervision, type SupervisionWatch, type WatchSupervisionOptions } from './watch.js';
