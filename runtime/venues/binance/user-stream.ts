/**
 * The user data stream: listenKey lifecycle (create, keep-alive on the clock, renewal) and the
 * socket. Whenever events may have been lost (a reconnect, an expired key) the caller gets a REST
 * resync of orders, positions and balances, because the stream alone cannot be trusted after a gap.
 */
import type { Logger } from 'pino';
import type { AccountBalance, UserStreamEvent, VenueOrder, VenuePosition } from '../../../protocols/venue.js';
import type { Clock, TimerHandle } from '../../clock/index.js';
import { VenueRejectError } from './errors.js';
import type { WsUserPayload } from './messages.js';
import { parseUserPayload } from './parse.js';
import type { Rest } from './rest.js';
import type { Subscription } from './stream-hub.js';
import { createWsConn } from './ws-conn.js';

/** What the caller gets after a possible gap in the user stream. */
export interface ResyncSnapshot {
  reason: 'reconnect' | 'listenKeyExpired' | 'listenKeyInvalid';
  openOrders: VenueOrder[];
  positions: VenuePosition[];
  balances: AccountBalance[];
}

/** Settings of {@link startUserStream}. */
export interface UserStreamOptions {
  rest: Rest;
  wsUrl: string;
  clock: Clock;
  log: Logger;
  venue: string;
  keepAliveMs: number;
  ws: { reconnectBaseMs: number; reconnectMaxMs: number; pingIntervalMs: number; silenceMs: number };
  snapshot(): Promise<Omit<ResyncSnapshot, 'reason'>>;
  onEvent(e: UserStreamEvent): void;
  onResync(s: ResyncSnapshot): void;
}

const INVALID_LISTEN_KEY = -1125;

/** A running user stream; `stop` also awaits the socket close and the listenKey DELETE. */
export interface UserStreamHandle extends Subscription {
  stop(): Promise<void>;
}

/** Starts the stream; `ready` resolves at the first open. */
export function startUserStream(o: UserStreamOptions): UserStreamHandle {
  const log = o.log.child({ stream: 'user' });
  let key: string | undefined;
  let keepAlive: TimerHandle | undefined;
  let pendingReason: ResyncSnapshot['reason'] | undefined;
  let closed = false;
  let resolveReady: () => void = () => undefined;
  const ready = new Promise<void>((r) => (resolveReady = r));

  const createKey = async (): Promise<string> => {
    const r = await o.rest.call<{ listenKey: string }>({ breaker: 'account', weight: 1, retry: 'idempotent', what: 'listenKey.create' }, (ex) =>
      ex.fapiPrivatePostListenKey(),
    );
    key = r.listenKey;
    return key;
  };

  const resync = async (reason: ResyncSnapshot['reason']): Promise<void> => {
    try {
      const snap = await o.snapshot();
      if (!closed) o.onResync({ reason, ...snap });
    } catch (err) {
      // The stream is live again; the caller's periodic reconciliation covers a failed snapshot.
      log.error({ reason, err: (err as Error).message }, 'user stream resync failed');
    }
  };

  const renew = (reason: ResyncSnapshot['reason']): void => {
    if (closed) return;
    key = undefined;
    pendingReason = reason;
    conn.reconnectNow();
  };

  const scheduleKeepAlive = (): void => {
    o.clock.clearTimeout(keepAlive);
    keepAlive = o.clock.setTimeout(() => {
      void (async () => {
        if (closed) return;
        scheduleKeepAlive();
        try {
          await o.rest.call({ breaker: 'account', weight: 1, retry: 'idempotent', what: 'listenKey.keepAlive' }, (ex) => ex.fapiPrivatePutListenKey());
        } catch (err) {
          if (err instanceof VenueRejectError && err.code === INVALID_LISTEN_KEY) renew('listenKeyInvalid');
          else log.warn({ err: (err as Error).message }, 'listenKey keep-alive failed; retrying at the next slot');
        }
      })();
    }, o.keepAliveMs);
  };

  const conn = createWsConn({
    name: 'user',
    clock: o.clock,
    log,
    ...o.ws,
    url: async () => `${o.wsUrl}/ws/${key ?? (await createKey())}`,
    onOpen: ({ reconnect }) => {
      scheduleKeepAlive();
      resolveReady();
      const reason = pendingReason ?? (reconnect ? 'reconnect' : undefined);
      pendingReason = undefined;
      if (reason) void resync(reason);
    },
    onMessage: (msg) => {
      const p = msg as WsUserPayload & { listenKey?: string };
      if (p.e === 'listenKeyExpired' && p.listenKey !== undefined && p.listenKey !== key) return;
      const ev = parseUserPayload(p, o.venue);
      if (!ev) return;
      o.onEvent(ev);
      if (ev.kind === 'listenKeyExpired') {
        log.warn('listenKey expired; renewing');
        renew('listenKeyExpired');
      }
    },
  });
  conn.start();

  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopped ??= (async () => {
      closed = true;
      o.clock.clearTimeout(keepAlive);
      await conn.close();
      if (!key) return;
      // Best effort: an abandoned key simply expires after 60 minutes.
      await o.rest
        .call({ breaker: 'account', weight: 1, retry: 'rateLimitOnly', what: 'listenKey.close' }, (ex) => ex.fapiPrivateDeleteListenKey())
        .catch(() => undefined);
    })();
    return stopped;
  };
  return {
    ready,
    close: () => void stop(),
    stop,
  };
}
