import { emailSink, telegramSink, webhookSink, type AlertSink } from '../alerts/index.js';
import type { OpsConfig } from './config.js';

/**
 * Env names of the alerting secrets, read with `readSecret` (so `<NAME>_FILE` works too). Not
 * `QT_`-prefixed: that prefix is reserved for config keys and an unknown one stops the node.
 */
export const ALERT_SECRET_ENV = {
  telegramToken: 'TELEGRAM_BOT_TOKEN',
  webhookUrl: 'ALERT_WEBHOOK_URL',
  webhookSecret: 'ALERT_WEBHOOK_SECRET',
  smtpPassword: 'SMTP_PASSWORD',
} as const;

export type AlertSecrets = Partial<Record<keyof typeof ALERT_SECRET_ENV, string>>;

/** Builds the configured sinks; a sink switched on without its secret is an error, not silence. */
export function buildAlertSinks(cfg: OpsConfig['alerts'], secrets: AlertSecrets): AlertSink[] {
  const sinks: AlertSink[] = [];
  if (cfg.telegram) {
    if (!secrets.telegramToken) throw new Error(`ops.alerts.telegram is configured but ${ALERT_SECRET_ENV.telegramToken} (or _FILE) is not set`);
    sinks.push(telegramSink({ token: secrets.telegramToken, chatId: cfg.telegram.chatId, ...(cfg.telegram.baseUrl ? { baseUrl: cfg.telegram.baseUrl } : {}) }));
  }
  if (cfg.webhook.enabled) {
    if (!secrets.webhookUrl) throw new Error(`ops.alerts.webhook.enabled but ${ALERT_SECRET_ENV.webhookUrl} (or _FILE) is not set`);
    sinks.push(webhookSink({ url: secrets.webhookUrl, ...(secrets.webhookSecret ? { secret: secrets.webhookSecret } : {}) }));
  }
  if (cfg.email) {
    const { host, port, secure, user, from, to } = cfg.email;
    sinks.push(emailSink({ host, port, secure, from, to, ...(user ? { user, pass: secrets.smtpPassword ?? '' } : {}) }));
  }
  return sinks;
}
