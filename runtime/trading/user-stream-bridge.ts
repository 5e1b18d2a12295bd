/**
 * Bridges the venue's user data stream into QT_ORDERS: every ORDER_TRADE_UPDATE becomes a
 * VenueReport on `qt.order.<SYM>.report` (with its trade, when it is one). After a possible gap
 * (reconnect, renewed listenKey, and at start) the open orders of a REST snapshot are published
 * as 'query' reports, so the orders actors converge without waiting for their own queries.
 * Account and position updates are handed to the position/reconciliation side via callbacks.
 */
import type { Logger } from 'pino';
import type { AccountConfigEvent, AccountUpdateEvent, OrderUpdateEvent, VenueReport } from '../../protocols/index.js';
import type { Clock } from '../clock/index.js';
import { InjectedCrash, RuntimeError } from '../errors.js';
import type { Bus } from '../nats/index.js';
import type { BinanceVenue, ResyncSnapshot, Subscription } from '../venues/binance/index.js';
import { orderReport, publishReport, type TradingWorker, type WorkerExit } from './executor.js';

export interface UserStreamBridgeOptions {
  bus: Bus;
  venue: Pick<BinanceVenue, 'venue' | 'userStream' | 'openOrders'>;
  clock: Clock;
  logger: Logger;
  /** Balance and position changes (ACCOUNT_UPDATE), for the position/reconciliation side. */
  onAccount?: (event: AccountUpdateEvent) => void;
  /** The REST snapshot after a gap (positions, balances, open orders), for reconciliation. */
  onResync?: (snapshot: ResyncSnapshot) => void;
  /** A symbol's leverage changed on the account (by us or anyone else). */
  onAccountConfig?: (event: AccountConfigEvent) => void;
}

/** The report for one order update; trades carry their fill (duplicate trade ids are ignored downstream). */
export function updateReport(e: OrderUpdateEvent): VenueReport {
  const r = orderReport(e.order, 'stream', e.ts);
  const f = e.fill;
  if (!f || !(f.price > 0) || !(f.qty > 0)) return r;
  return { ...r, fill: { tradeId: f.tradeId, price: f.price, qty: f.qty, fee: f.fee, feeAsset: f.feeAsset, realizedPnl: f.realizedPnl, maker: f.maker, ts: f.ts } };
}

/** Starts the bridge; resolves once the stream is open and the start-up snapshot is published. */
export async function startUserStreamBridge(o: UserStreamBridgeOptions): Promise<TradingWorker> {
  const { bus, clock } = o;
  const log = o.logger.child({ component: 'user-stream-bridge', venue: o.venue.venue });
  let resolveExit!: (e: WorkerExit) => void;
  const exited = new Promise<WorkerExit>((r) => (resolveExit = r));
  let ended = false;
  let chain = Promise.resolve();
  const counts = { orderUpdates: 0, fills: 0, accountUpdates: 0, resyncs: 0, resyncReports: 0 };

  const end = (e: WorkerExit) => {
    if (ended) return;
    ended = true;
    stream?.close();
    if (e.kind === 'crash') log.warn({ err: e.error }, 'user stream bridge crashed');
    resolveExit(e);
  };
  const fail = (e: unknown) => end({ kind: 'crash', error: e instanceof Error ? e : new RuntimeError(String(e)) });
  // One chain keeps reports in stream order; a failed publish crashes the worker (the supervisor
  // restarts it, and the start-up snapshot covers what was in between).
  const enqueue = (job: () => Promise<void>) => {
    chain = chain.then(() => (ended ? undefined : job())).catch(fail);
  };
  const publishOpen = (orders: ResyncSnapshot['openOrders']) =>
    enqueue(async () => {
      for (const ord of orders) {
        await publishReport(bus, orderReport(ord, 'query', clock.now()));
        counts.resyncReports++;
      }
    });

  let stream: Subscription | undefined;
  stream = o.venue.userStream(
    (e) => {
      if (ended) return;
      if (e.kind === 'order') {
        counts.orderUpdates++;
        if (e.fill) counts.fills++;
        enqueue(() => publishReport(bus, updateReport(e)));
      } else if (e.kind === 'account') {
        counts.accountUpdates++;
        o.onAccount?.(e);
      } else if (e.kind === 'accountConfig') {
        o.onAccountConfig?.(e);
      }
    },
    (s) => {
      if (ended) return;
      counts.resyncs++;
      log.info({ reason: s.reason, open: s.openOrders.length }, 'user stream resync');
      publishOpen(s.openOrders);
      o.onResync?.(s);
    },
  );
  try {
    await stream.ready;
    // Events missed while no bridge ran: the open orders as they are now.
    publishOpen(await o.venue.openOrders());
  } catch (err) {
    fail(err);
    throw err;
  }

  return {
    exited,
    async stop() {
      if (ended) return;
      end({ kind: 'shutdown' });
      await chain;
    },
    kill: () => end({ kind: 'shutdown' }),
    inject: (e: Error) => fail(e instanceof Error ? e : new InjectedCrash()),
    info: () => ({ ...counts }),
  };
}
