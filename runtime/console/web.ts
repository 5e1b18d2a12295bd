import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Subscription } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import { WebSocketServer, type WebSocket } from 'ws';
import { subjects } from '../../protocols/index.js';
import type { Bus } from '../nats/index.js';
import { consoleCsp, consolePage } from './page.js';
import type { ConsoleSnapshot } from './snapshot.js';

export interface WebConsoleOptions {
  bus: Bus;
  /** @default '127.0.0.1' */
  host?: string;
  /** 0 picks a free port (tests). @default 9465 */
  port?: number;
  /** Required when `host` is not loopback; then checked on the page and on the socket. */
  token?: string;
  /** One snapshot, e.g. `() => collectConsoleSnapshot(bus, { tree: () => treeWithInfo(root) })`. */
  snapshot: () => Promise<ConsoleSnapshot>;
  logger?: Logger;
  /** Push cadence. @default 1000 */
  intervalMs?: number;
}

/** A running web console. */
export interface WebConsole extends AsyncDisposable {
  /** Base URL, e.g. `http://127.0.0.1:9465` (append `/?token=…` when a token is set). */
  readonly url: string;
  close(): Promise<void>;
}

/** Whether a bind address only accepts connections from this machine. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

function tokenOf(req: IncomingMessage): string | undefined {
  const auth = req.headers.authorization;
  if (auth?.startsWith('Bearer ')) return auth.slice(7).trim();
  return new URL(req.url ?? '/', 'http://console').searchParams.get('token') ?? undefined;
}

function sameToken(given: string | undefined, want: string): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(want);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** A browser sends Origin on socket upgrades: refusing foreign ones stops other sites reading the console through a visitor's browser. */
function sameOrigin(req: IncomingMessage): boolean {
  const origin = req.headers.origin;
  if (!origin) return true;
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}

function refuseUpgrade(socket: Socket, status: number, text: string): void {
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

/**
 * Serves the read-only operator console: `GET /` is the page, `/ws` pushes a snapshot every
 * `intervalMs` and right after supervision events (`qt.sup.>` on core NATS, so a crash shows up
 * without waiting for the next tick). Snapshots are only built while someone watches, one at a
 * time, and shared by every viewer. Loopback by default; any other bind address needs a token.
 */
export async function startWebConsole(opts: WebConsoleOptions): Promise<WebConsole> {
  const host = opts.host ?? '127.0.0.1';
  const token = opts.token || undefined;
  if (!isLoopback(host) && !token) {
    throw new Error(`web console on non-loopback host '${host}' needs a token: anyone who can reach it would see positions and the tree`);
  }
  const authorized = (req: IncomingMessage) => !token || sameToken(tokenOf(req), token);
  const path = (req: IncomingMessage) => new URL(req.url ?? '/', 'http://console').pathname;

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const base = { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer', 'x-frame-options': 'DENY' };
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { ...base, allow: 'GET', 'content-type': 'text/plain' }).end('read-only console: GET only\n');
      return;
    }
    if (!authorized(req)) {
      res.writeHead(401, { ...base, 'content-type': 'text/plain', 'www-authenticate': 'Bearer realm="qt-console"' }).end('unauthorized: open the console with ?token=<console token>\n');
      return;
    }
    if (path(req) !== '/') {
      res.writeHead(404, { ...base, 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    const nonce = randomBytes(16).toString('base64');
    res.writeHead(200, { ...base, 'content-type': 'text/html; charset=utf-8', 'content-security-policy': consoleCsp(nonce) }).end(consolePage(nonce));
  });
  const wss = new WebSocketServer({ noServer: true, maxPayload: 1024 });
  server.on('upgrade', (req, socket: Socket, head) => {
    if (path(req) !== '/ws') return refuseUpgrade(socket, 404, 'Not Found');
    if (!authorized(req)) return refuseUpgrade(socket, 401, 'Unauthorized');
    if (!sameOrigin(req)) return refuseUpgrade(socket, 403, 'Forbidden');
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });

  let last: string | undefined;
  let running = false;
  let again = false;
  const push = async () => {
    if (wss.clients.size === 0) return;
    // One snapshot at a time; a request during one runs once more right after, with fresher data.
    if (running) {
      again = true;
      return;
    }
    running = true;
    try {
      do {
        again = false;
        last = JSON.stringify(await opts.snapshot());
        for (const ws of wss.clients) if (ws.readyState === ws.OPEN) ws.send(last);
      } while (again && wss.clients.size > 0);
    } catch (err) {
      opts.logger?.warn({ err }, 'web console snapshot failed');
    } finally {
      running = false;
    }
  };
  wss.on('connection', (ws: WebSocket) => {
    // Viewers never send anything; a message is ignored rather than trusted.
    ws.on('message', () => undefined);
    ws.on('error', () => undefined);
    if (last) ws.send(last);
    void push();
  });
  const tick = setInterval(() => void push(), opts.intervalMs ?? 1_000);
  tick.unref();
  let sub: Subscription | undefined;
  try {
    sub = opts.bus.nc.subscribe(subjects.supervisionAll, { callback: () => void push() });
  } catch (err) {
    opts.logger?.warn({ err }, 'web console: no supervision subscription, updates only every tick');
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 9465, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port, address } = server.address() as AddressInfo;
  const url = `http://${address.includes(':') ? `[${address}]` : address}:${port}`;
  opts.logger?.info({ url, auth: token ? 'token' : 'none (loopback)' }, 'web console up');
  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      clearInterval(tick);
      sub?.unsubscribe();
      for (const ws of wss.clients) ws.terminate();
      wss.close();
      await new Promise<void>((r) => server.close(() => r()).closeAllConnections());
    })());
  return { url, close, [Symbol.asyncDispose]: close };
}
