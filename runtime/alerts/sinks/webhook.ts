import { createHmac } from 'node:crypto';
import type { Alert, AlertSink } from '../types.js';
import { postJson } from './http.js';

export interface WebhookSinkOptions {
  /** Treated as a secret too: Slack-style webhook URLs are credentials. */
  url: string;
  /** Signs the body: `x-qt-signature: sha256=<hex hmac>`, so the receiver can reject forgeries. */
  secret?: string;
  /** @default 5000 */
  timeoutMs?: number;
  /** @default webhook */
  name?: string;
}

/** POSTs each alert as JSON `{ source, ...alert }`. */
export function webhookSink(opts: WebhookSinkOptions): AlertSink {
  // The path alone is the credential of Slack-style hooks, and receivers echo it in errors.
  const u = new URL(opts.url);
  const pathPart = `${u.pathname}${u.search}`;
  const secrets = [opts.url, pathPart.length > 1 ? pathPart : undefined, opts.secret].filter((s): s is string => !!s);
  return {
    name: opts.name ?? 'webhook',
    secrets: () => secrets,
    async send(alert: Alert) {
      const body = JSON.stringify({ source: 'quantum-trader', ...alert });
      const headers: Record<string, string> = {};
      if (opts.secret) headers['x-qt-signature'] = `sha256=${createHmac('sha256', opts.secret).update(body).digest('hex')}`;
      await postJson(opts.url, body, { headers, timeoutMs: opts.timeoutMs ?? 5_000, secrets, what: this.name });
    },
  };
}
