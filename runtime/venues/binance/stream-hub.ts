/**
 * The market-data socket: one combined-stream connection (`/stream?streams=a/b`) shared by every
 * subscriber, so the process holds one exchange socket, not one per module. Streams present at
 * connect time ride in the URL; later ones are added with SUBSCRIBE and count as live once acked.
 * After a reconnect the URL carries the whole set again, which is the resubscribe.
 */
import type { Logger } from 'pino';
import type { Clock } from '../../clock/index.js';
import { createWsConn, type WsConn } from './ws-conn.js';

/** A live subscription. */
export interface Subscription {
  /** Resolves once every stream of this subscription is live on the venue. */
  readonly ready: Promise<void>;
  close(): void;
}

interface Entry {
  handler(stream: string, data: unknown): void;
  onReconnect?(): void;
}

/** Settings of the hub's connection. */
export interface StreamHubOptions {
  wsUrl: string;
  clock: Clock;
  log: Logger;
  ws: { reconnectBaseMs: number; reconnectMaxMs: number; pingIntervalMs: number; silenceMs: number };
}

/** The shared market-data socket. */
export interface StreamHub {
  add(streams: string[], entry: Entry): Subscription;
  /** Open count of the socket (tests and status). */
  readonly opens: number;
  close(): Promise<void>;
}

/** Creates the hub; the socket opens with the first subscription and closes with the last. */
export function createStreamHub(o: StreamHubOptions): StreamHub {
  const entries = new Map<string, Set<Entry>>();
  const live = new Set<string>();
  let inUrl: string[] = [];
  const pendingAcks = new Map<number, string[]>();
  const waiters = new Set<{ streams: string[]; resolve: () => void }>();
  let conn: WsConn | undefined;
  let nextId = 1;
  let opens = 0;

  const settle = (): void => {
    for (const w of waiters) {
      if (w.streams.every((s) => live.has(s))) {
        waiters.delete(w);
        w.resolve();
      }
    }
  };

  const subscribe = (streams: string[]): void => {
    const missing = streams.filter((s) => !live.has(s));
    if (missing.length === 0 || !conn?.open) return;
    const id = nextId++;
    pendingAcks.set(id, missing);
    conn.send({ method: 'SUBSCRIBE', params: missing, id });
  };

  const onMessage = (msg: unknown): void => {
    const m = msg as { stream?: string; data?: unknown; id?: number; result?: unknown; error?: unknown };
    if (typeof m.stream === 'string') {
      for (const e of entries.get(m.stream) ?? []) e.handler(m.stream, m.data);
      return;
    }
    if (typeof m.id === 'number' && pendingAcks.has(m.id)) {
      const streams = pendingAcks.get(m.id) ?? [];
      pendingAcks.delete(m.id);
      if (m.error) o.log.error({ streams, error: m.error }, 'stream subscribe refused');
      else for (const s of streams) if (entries.has(s)) live.add(s);
      settle();
    }
  };

  const ensureConn = (): WsConn => {
    if (conn) return conn;
    const c = createWsConn({
      name: 'market',
      clock: o.clock,
      log: o.log,
      ...o.ws,
      url: () => {
        inUrl = [...entries.keys()];
        return `${o.wsUrl}/stream?streams=${inUrl.join('/')}`;
      },
      onMessage,
      onClose: () => {
        live.clear();
        pendingAcks.clear();
      },
      onOpen: ({ reconnect }) => {
        opens += 1;
        for (const s of inUrl) if (entries.has(s)) live.add(s);
        subscribe([...entries.keys()]);
        settle();
        if (reconnect) for (const set of entries.values()) for (const e of set) e.onReconnect?.();
      },
    });
    conn = c;
    c.start();
    return c;
  };

  return {
    add(streams, entry) {
      const unique = [...new Set(streams)];
      for (const s of unique) {
        let set = entries.get(s);
        if (!set) entries.set(s, (set = new Set()));
        set.add(entry);
      }
      const ready = new Promise<void>((resolve) => waiters.add({ streams: unique, resolve }));
      const c = conn;
      if (c?.open) subscribe(unique);
      else ensureConn();
      settle();
      let done = false;
      return {
        ready,
        close() {
          if (done) return;
          done = true;
          const gone: string[] = [];
          for (const s of unique) {
            const set = entries.get(s);
            set?.delete(entry);
            if (set && set.size === 0) {
              entries.delete(s);
              live.delete(s);
              gone.push(s);
            }
          }
          if (entries.size === 0 && conn) {
            const c2 = conn;
            conn = undefined;
            void c2.close();
          } else if (gone.length > 0) conn?.send({ method: 'UNSUBSCRIBE', params: gone, id: nextId++ });
        },
      };
    },
    get opens() {
      return opens;
    },
    async close() {
      entries.clear();
      const c = conn;
      conn = undefined;
      await c?.close();
    },
  };
}
