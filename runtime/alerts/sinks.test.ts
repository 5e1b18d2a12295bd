import { createHmac } from 'node:crypto';
import { createServer as createHttp, type IncomingMessage } from 'node:http';
import { createServer as createTcp } from 'node:net';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../log/index.js';
import { createAlertRouter } from './router.js';
import { emailSink } from './sinks/email.js';
import { telegramSink } from './sinks/telegram.js';
import { webhookSink } from './sinks/webhook.js';
import type { Alert } from './types.js';

const alert: Alert = { key: 'drawdown:10', severity: 'critical', title: 'Drawdown 12% crossed 10%', detail: 'equity 8586 USD', ts: 1_700_000_000_000, labels: { threshold: '10%' } };

interface Hit { url: string; headers: IncomingMessage['headers']; body: string }

/** A loopback HTTP server that records requests and answers with `reply`. */
async function loopback(reply: (h: Hit) => { status: number; body: unknown }) {
  const hits: Hit[] = [];
  const srv = createHttp((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const hit = { url: req.url ?? '', headers: req.headers, body };
      hits.push(hit);
      const r = reply(hit);
      res.writeHead(r.status, { 'content-type': 'application/json' }).end(JSON.stringify(r.body));
    });
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(srv.address() as AddressInfo).port}`;
  return { url, hits, [Symbol.asyncDispose]: () => new Promise<void>((r) => srv.close(() => r())) };
}

/** Just enough SMTP (EHLO, AUTH PLAIN, MAIL, RCPT, DATA) to receive one message on loopback. */
async function smtpServer() {
  const mails: { auth: string; data: string }[] = [];
  const srv = createTcp((sock) => {
    let buf = '';
    let inData = false;
    let auth = '';
    sock.write('220 localhost ESMTP test\r\n');
    sock.on('data', (chunk) => {
      buf += chunk.toString();
      let i: number;
      while ((i = buf.indexOf('\r\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 2);
        if (inData) {
          if (line === '.') {
            inData = false;
            sock.write('250 OK queued\r\n');
          } else mails.at(-1)!.data += `${line}\n`;
          continue;
        }
        const cmd = line.slice(0, 4).toUpperCase();
        if (cmd === 'EHLO') sock.write('250-localhost\r\n250 AUTH PLAIN\r\n');
        else if (cmd === 'AUTH') {
          auth = Buffer.from(line.split(' ')[2] ?? '', 'base64').toString();
          sock.write('235 2.7.0 Authentication successful\r\n');
        } else if (cmd === 'DATA') {
          inData = true;
          mails.push({ auth, data: '' });
          sock.write('354 go ahead\r\n');
        } else if (cmd === 'QUIT') sock.end('221 bye\r\n');
        else sock.write('250 OK\r\n');
      }
    });
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  return { port: (srv.address() as AddressInfo).port, mails, [Symbol.asyncDispose]: () => new Promise<void>((r) => srv.close(() => r())) };
}

describe('alert sinks (loopback servers)', () => {
  it('webhook POSTs the alert as JSON with an HMAC signature of the body', async () => {
    await using srv = await loopback(() => ({ status: 204, body: '' }));
    await webhookSink({ url: `${srv.url}/hook`, secret: 'whsec-test-secret' }).send(alert);
    const hit = srv.hits[0]!;
    expect(hit.url).toBe('/hook');
    expect(JSON.parse(hit.body)).toEqual({ source: 'quantum-trader', ...alert });
    expect(hit.headers['x-qt-signature']).toBe(`sha256=${createHmac('sha256', 'whsec-test-secret').update(hit.body).digest('hex')}`);
  });

  it('telegram calls sendMessage with the bot token in the path and readable text', async () => {
    await using srv = await loopback(() => ({ status: 200, body: { ok: true, result: {} } }));
    await telegramSink({ token: '111:AAA-test-token', chatId: -100123, baseUrl: srv.url }).send(alert);
    expect(srv.hits[0]!.url).toBe('/bot111:AAA-test-token/sendMessage');
    const body = JSON.parse(srv.hits[0]!.body) as { chat_id: number; text: string };
    expect(body.chat_id).toBe(-100123);
    expect(body.text).toContain('[CRITICAL] Drawdown 12% crossed 10%');
    expect(body.text).toContain('threshold=10%');
  });

  it('a rejected token, a refused connection and a bad webhook are logged by the router with every secret redacted', async () => {
    const token = '222:BBB-very-secret-token';
    await using srv = await loopback((h) => ({ status: 401, body: { ok: false, description: `Unauthorized: ${h.url}` } }));
    const lines: string[] = [];
    const { logger } = createLogger({ destination: { write: (l) => void lines.push(l) } });
    const router = createAlertRouter({
      sinks: [
        telegramSink({ token, chatId: 1, baseUrl: srv.url }),
        telegramSink({ token, chatId: 1, baseUrl: 'http://127.0.0.1:1' }),
        webhookSink({ url: `${srv.url}/hooks/T000/very-secret-path`, secret: 'whsec-abcdef' }),
      ],
      logger,
    });
    expect(await router.route(alert)).toBe('failed');
    const log = lines.join('');
    expect(log).toContain('HTTP 401');
    expect(log).toContain('request failed');
    expect(log).not.toContain('BBB-very-secret-token');
    expect(log).not.toContain('very-secret-path');
  });

  it('email sends through SMTP with auth, and the password never reaches the logs', async () => {
    await using smtp = await smtpServer();
    const sink = emailSink({ host: '127.0.0.1', port: smtp.port, ignoreTLS: true, user: 'alerts', pass: 'smtp-pass-secret', from: 'qt@example.org', to: ['ops@example.org'] });
    await sink.send(alert);
    expect(smtp.mails).toHaveLength(1);
    expect(smtp.mails[0]!.auth).toBe('\0alerts\0smtp-pass-secret');
    expect(smtp.mails[0]!.data).toContain('Subject: [quantum-trader] CRITICAL: Drawdown 12% crossed 10%');
    expect(smtp.mails[0]!.data).toContain('equity 8586 USD');
    expect(sink.secrets()).toEqual(['smtp-pass-secret']);
  });
});
