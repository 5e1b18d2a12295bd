import { createTransport, type Transporter } from 'nodemailer';
import type { Alert, AlertSink } from '../types.js';
import { formatText, redact } from '../redact.js';

export interface EmailSinkOptions {
  host: string;
  /** @default 587 */
  port?: number;
  /** TLS from the first byte (port 465). @default false (STARTTLS when offered) */
  secure?: boolean;
  user?: string;
  pass?: string;
  from: string;
  to: string[];
  /** Plain SMTP without STARTTLS, for a loopback relay or tests. @default false */
  ignoreTLS?: boolean;
  /** @default 10000 */
  timeoutMs?: number;
}

/** Optional mail sink over SMTP (nodemailer). */
export function emailSink(opts: EmailSinkOptions): AlertSink {
  const secrets = opts.pass ? [opts.pass] : [];
  const timeout = opts.timeoutMs ?? 10_000;
  let transport: Transporter | undefined;
  const get = () =>
    (transport ??= createTransport({
      host: opts.host,
      port: opts.port ?? 587,
      secure: opts.secure ?? false,
      ignoreTLS: opts.ignoreTLS ?? false,
      connectionTimeout: timeout,
      greetingTimeout: timeout,
      socketTimeout: timeout,
      ...(opts.user ? { auth: { user: opts.user, pass: opts.pass ?? '' } } : {}),
    }));
  return {
    name: 'email',
    secrets: () => secrets,
    async send(alert: Alert) {
      const subject = alert.resolved ? `[quantum-trader] RESOLVED: ${alert.title}` : `[quantum-trader] ${alert.severity.toUpperCase()}: ${alert.title}`;
      try {
        await get().sendMail({ from: opts.from, to: opts.to, subject, text: formatText(alert) });
      } catch (e) {
        throw new Error(redact(`email: ${(e as Error).message}`, secrets));
      }
    },
  };
}
