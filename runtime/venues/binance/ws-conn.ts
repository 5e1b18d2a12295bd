/**
 * One resilient WebSocket: reconnects with exponential backoff and jitter, pings on the clock and
 * treats silence as a dead connection (a half-open TCP socket never reports a close). The URL is
 * recomputed at every connect, so the user stream can bring a fresh listenKey and market streams the
 * current subscription set. Server pings are answered by `ws` itself (autoPong).
 */
import type { Logger } from 'pino';
import WebSocket from 'ws';
import type { Clock, TimerHandle } from '../../clock/index.js';

/** Settings of {@link createWsConn}. */
export interface WsConnOptions {
  name: string;
  /** Called at each connect; a throw counts as a failed attempt. */
  url(): string | Promise<string>;
  clock: Clock;
  log: Logger;
  reconnectBaseMs: number;
  reconnectMaxMs: number;
  pingIntervalMs: number;
  silenceMs: number;
  onMessage(msg: unknown): void;
  /** After each successful open; `reconnect` is false the first time. */
  onOpen?(info: { reconnect: boolean }): void;
  /** After a socket closed (a reconnect follows unless closed). */
  onClose?(): void;
}

/** A managed connection. */
export interface WsConn {
  start(): void;
  /** Sends JSON if open; false otherwise (the next open replays state through onOpen). */
  send(msg: unknown): boolean;
  /** Drops the current socket and connects again at once (e.g. with a new listenKey). */
  reconnectNow(): void;
  readonly open: boolean;
  /** Successful opens so far. */
  readonly opens: number;
  close(): Promise<void>;
}

/** Creates a connection (not started). */
export function createWsConn(o: WsConnOptions): WsConn {
  let ws: WebSocket | undefined;
  let closed = false;
  let started = false;
  let connecting = false;
  let failures = 0;
  let opens = 0;
  let lastFrame = 0;
  let retryTimer: TimerHandle | undefined;
  let beatTimer: TimerHandle | undefined;
  const log = o.log.child({ ws: o.name });

  const backoff = (): number => {
    const exp = Math.min(o.reconnectMaxMs, o.reconnectBaseMs * 2 ** Math.min(failures, 20));
    // Full jitter on half the delay keeps a fleet of clients from reconnecting in lockstep.
    return Math.round(exp / 2 + (Math.random() * exp) / 2);
  };

  const schedule = (): void => {
    if (closed || retryTimer) return;
    const wait = backoff();
    failures += 1;
    log.info({ waitMs: wait, failures }, 'websocket reconnect scheduled');
    retryTimer = o.clock.setTimeout(() => {
      retryTimer = undefined;
      void connect();
    }, wait);
  };

  const beat = (): void => {
    beatTimer = undefined;
    const sock = ws;
    if (!sock || closed) return;
    if (o.clock.now() - lastFrame > o.silenceMs) {
      log.warn({ silentMs: o.clock.now() - lastFrame }, 'websocket silent; terminating');
      sock.terminate();
      return;
    }
    if (sock.readyState === WebSocket.OPEN) sock.ping();
    beatTimer = o.clock.setTimeout(beat, o.pingIntervalMs);
  };

  const connect = async (): Promise<void> => {
    if (closed || connecting) return;
    let url: string;
    connecting = true;
    try {
      url = await o.url();
    } catch (err) {
      log.warn({ err: (err as Error).message }, 'websocket url unavailable');
      schedule();
      return;
    } finally {
      connecting = false;
    }
    if (closed) return;
    const sock = new WebSocket(url);
    ws = sock;
    const alive = (): void => {
      lastFrame = o.clock.now();
    };
    sock.on('open', () => {
      failures = 0;
      opens += 1;
      alive();
      o.clock.clearTimeout(beatTimer);
      beatTimer = o.clock.setTimeout(beat, o.pingIntervalMs);
      o.onOpen?.({ reconnect: opens > 1 });
    });
    sock.on('ping', alive);
    sock.on('pong', alive);
    sock.on('message', (data) => {
      alive();
      let msg: unknown;
      try {
        msg = JSON.parse(String(data));
      } catch {
        log.warn('websocket frame is not JSON; ignored');
        return;
      }
      o.onMessage(msg);
    });
    sock.on('error', (err) => log.warn({ err: err.message }, 'websocket error'));
    sock.on('close', (code) => {
      if (ws === sock) ws = undefined;
      o.clock.clearTimeout(beatTimer);
      beatTimer = undefined;
      o.onClose?.();
      if (closed) return;
      log.warn({ code }, 'websocket closed');
      schedule();
    });
  };

  return {
    start() {
      if (started || closed) return;
      started = true;
      void connect();
    },
    send(msg) {
      if (!ws || ws.readyState !== WebSocket.OPEN) return false;
      ws.send(JSON.stringify(msg));
      return true;
    },
    reconnectNow() {
      if (closed) return;
      o.clock.clearTimeout(retryTimer);
      retryTimer = undefined;
      failures = 0;
      const sock = ws;
      if (sock) {
        // The close handler schedules the reconnect; zero failures means the shortest wait.
        sock.terminate();
      } else void connect();
    },
    get open() {
      return ws?.readyState === WebSocket.OPEN;
    },
    get opens() {
      return opens;
    },
    async close() {
      closed = true;
      o.clock.clearTimeout(retryTimer);
      o.clock.clearTimeout(beatTimer);
      const sock = ws;
      ws = undefined;
      if (!sock || sock.readyState === WebSocket.CLOSED) return;
      await new Promise<void>((resolve) => {
        sock.once('close', () => resolve());
        sock.terminate();
      });
    },
  };
}
