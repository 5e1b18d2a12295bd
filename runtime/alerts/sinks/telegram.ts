import type { Alert, AlertSink } from '../types.js';
import { formatText } from '../redact.js';
import { postJson } from './http.js';

export interface TelegramSinkOptions {
  /** Bot token from BotFather; it sits in the URL path, so it is scrubbed from every error. */
  token: string;
  chatId: string | number;
  /** Tests point this at a loopback server. @default https://api.telegram.org */
  baseUrl?: string;
  /** @default 5000 */
  timeoutMs?: number;
}

/** Sends alerts through the Telegram Bot API `sendMessage`. */
export function telegramSink(opts: TelegramSinkOptions): AlertSink {
  const base = (opts.baseUrl ?? 'https://api.telegram.org').replace(/\/+$/, '');
  const secrets = [opts.token];
  return {
    name: 'telegram',
    secrets: () => secrets,
    async send(alert: Alert) {
      const body = JSON.stringify({ chat_id: opts.chatId, text: formatText(alert), disable_web_page_preview: true });
      const reply = (await postJson(`${base}/bot${opts.token}/sendMessage`, body, { timeoutMs: opts.timeoutMs ?? 5_000, secrets, what: 'telegram' })) as { ok?: boolean; description?: string } | undefined;
      // The Bot API can answer 200 with ok:false.
      if (reply && reply.ok === false) throw new Error(`telegram: ${reply.description ?? 'not ok'}`);
    },
  };
}
