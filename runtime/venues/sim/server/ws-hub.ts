/**
 * The WebSocket side: connections, subscriptions (URL and live SUBSCRIBE/UNSUBSCRIBE/
 * LIST_SUBSCRIPTIONS), heartbeats, user data stream delivery and fault-driven drops.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Clock, TimerHandle } from '../../../clock/index.js';
import type { MarketEvent, SimEngine, UserEvent } from '../engine/types.js';
import type { ListenKeys } from './listen-keys.js';
import { MarketFanout } from './ws-market.js';
import { normalizeStream, parseConnectUrl } from './ws-paths.js';

interface Conn {
  readonly ws: WebSocket;
  readonly path: string;
  combined: boolean;
  readonly userKeys: Set<string>;
  readonly events: ReadonlySet<string> | undefined;
  alive: boolean;
}

/** Options of the hub. */
export interface WsHubOptions {
  readonly engine: SimEngine;
  readonly clock: Clock;
  readonly listenKeys: ListenKeys;
  /** Server ping cadence on the clock; a connection that missed the previous pong is dropped. @default 180000 */
  readonly pingIntervalMs: number;
}

/** The WebSocket endpoint of the simulator server. */
export interface WsHub {
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** Drops connections (all or by path prefix): abruptly by default, like a network cut. */
  drop(filter?: { path?: string; graceful?: boolean }): number;
  /** Number of open connections. */
  size(): number;
  close(): void;
}

type Request = { method?: unknown; params?: unknown; id?: unknown };

/** Creates the hub and subscribes it to the engine's market and user events. */
export function createWsHub(o: WsHubOptions): WsHub {
  const wss = new WebSocketServer({ noServer: true });
  const conns = new Set<Conn>();
  const send = (c: Conn, stream: string, data: unknown): void => {
    if (c.ws.readyState !== c.ws.OPEN) return;
    c.ws.send(JSON.stringify(c.combined ? { stream, data } : data));
  };
  const fanout = new MarketFanout(o.engine, o.clock, send);

  const attach = (c: Conn, name: string): void => {
    if (o.listenKeys.accountOf(name) !== undefined) c.userKeys.add(name);
    else fanout.subscribe(c, normalizeStream(name));
  };
  const detach = (c: Conn, name: string): void => {
    if (!c.userKeys.delete(name)) fanout.unsubscribe(c, normalizeStream(name));
  };

  const unsubMarket = o.engine.subscribeMarket((ev: MarketEvent) => fanout.publish(ev));
  const unsubUser = o.engine.subscribeUser((ev: UserEvent) => {
    for (const c of conns) {
      if (c.events && !c.events.has(ev.e)) continue;
      for (const key of c.userKeys) send(c, key, ev);
    }
  });
  const unsubExpired = o.listenKeys.onExpired((key) => {
    for (const c of conns) {
      if (!c.userKeys.delete(key)) continue;
      send(c, key, { e: 'listenKeyExpired', E: o.clock.now(), listenKey: key });
    }
  });

  const unsubClosed = o.listenKeys.onClosed((key) => {
    for (const c of conns) c.userKeys.delete(key);
  });

  const onMessage = (c: Conn, raw: string): void => {
    let req: Request;
    try {
      req = JSON.parse(raw) as Request;
    } catch {
      c.ws.send(JSON.stringify({ error: { code: 3, msg: 'Invalid JSON: expected value at line 1 column 1' } }));
      return;
    }
    const id = req.id ?? null;
    const names = Array.isArray(req.params) ? req.params.filter((p): p is string => typeof p === 'string') : [];
    const reply = (body: Record<string, unknown>): void => c.ws.send(JSON.stringify({ ...body, id }));
    switch (req.method) {
      case 'SUBSCRIBE':
        for (const n of names) attach(c, n);
        return reply({ result: null });
      case 'UNSUBSCRIBE':
        for (const n of names) detach(c, n);
        return reply({ result: null });
      case 'LIST_SUBSCRIPTIONS':
        return reply({ result: [...fanout.streamsOf(c), ...c.userKeys] });
      case 'SET_PROPERTY':
        if (names[0] === 'combined' && Array.isArray(req.params) && typeof req.params[1] === 'boolean') {
          c.combined = req.params[1];
          return reply({ result: null });
        }
        return reply({ error: { code: 2, msg: 'Invalid request: unknown property' } });
      case 'GET_PROPERTY':
        return names[0] === 'combined' ? reply({ result: c.combined }) : reply({ error: { code: 2, msg: 'Invalid request: unknown property' } });
      default:
        return reply({ error: { code: 2, msg: `Invalid request: unknown variant \`${String(req.method)}\`` } });
    }
  };

  let heartbeat: TimerHandle | undefined;
  const beat = (): void => {
    for (const c of conns) {
      if (!c.alive) {
        c.ws.terminate();
        continue;
      }
      c.alive = false;
      c.ws.ping();
    }
    heartbeat = o.clock.setTimeout(beat, o.pingIntervalMs);
  };
  heartbeat = o.clock.setTimeout(beat, o.pingIntervalMs);

  return {
    handleUpgrade(req, socket, head) {
      const parsed = parseConnectUrl(req.url ?? '/');
      if (!parsed) {
        socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
        return;
      }
      wss.handleUpgrade(req, socket, head, (ws) => {
        const path = new URL(req.url ?? '/', 'ws://loopback').pathname;
        const c: Conn = { ws, path, combined: parsed.combined, userKeys: new Set(), events: parsed.events, alive: true };
        conns.add(c);
        for (const n of [...parsed.names, ...parsed.listenKeys]) attach(c, n);
        ws.on('pong', () => (c.alive = true));
        ws.on('message', (data) => onMessage(c, String(data)));
        ws.on('close', () => {
          conns.delete(c);
          fanout.drop(c);
        });
        ws.on('error', () => ws.terminate());
      });
    },
    drop(filter) {
      let n = 0;
      for (const c of [...conns]) {
        if (filter?.path && !c.path.startsWith(filter.path)) continue;
        if (filter?.graceful) c.ws.close(1001, 'simulated drop');
        else c.ws.terminate();
        n += 1;
      }
      return n;
    },
    size: () => conns.size,
    close() {
      o.clock.clearTimeout(heartbeat);
      unsubMarket();
      unsubUser();
      unsubExpired();
      unsubClosed();
      fanout.close();
      for (const c of conns) c.ws.terminate();
      conns.clear();
      wss.close();
    },
  };
}
