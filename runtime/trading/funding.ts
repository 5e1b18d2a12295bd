/**
 * Funding payments into the position actors, so a position's PnL (and the risk ledger and the
 * report built from it) includes what holding it cost or earned. The user stream's ACCOUNT_UPDATE
 * for funding names no symbol on a cross-margin account, so the venue's income history is the
 * source: read on that event, and every few minutes in case it was missed.
 */
import type { Logger } from 'pino';
import { subjects, type FundingPayment } from '../../protocols/index.js';
import type { Clock } from '../clock/index.js';
import { encode, msgHeaders } from '../codec.js';
import type { Bus } from '../nats/index.js';
import type { BinanceVenue } from '../venues/binance/types.js';
import { startPoller, type Poller } from './poller.js';

export interface FundingBookerOptions {
  bus: Bus;
  venue: Pick<BinanceVenue, 'venue' | 'fundingPayments'>;
  clock: Clock;
  logger: Logger;
  /** How far back the first read goes; position actors ignore what predates them or was booked. @default 24 h */
  lookbackMs?: number;
  /** Read this often even without account events. @default 600000 */
  everyMs?: number;
  /** Account events within this window cause one read. @default 2000 */
  debounceMs?: number;
  /** A failed read is tried again after this long. @default 10000 */
  retryMs?: number;
}

/** The position actor's control input for one payment; `ts` orders and de-duplicates it there. */
export function fundingInput(p: FundingPayment): { type: 'funding'; amount: number; ts: number } {
  return { type: 'funding', amount: p.amount, ts: p.time };
}

/** Starts the booker; resolves after the first read was tried (a failure there is retried, not fatal). */
export async function startFundingBooker(o: FundingBookerOptions): Promise<Poller> {
  const log = o.logger.child({ component: 'funding', venue: o.venue.venue });
  // Newest payment published; the next read starts there (the same millisecond may hold more).
  let cursor = o.clock.now() - (o.lookbackMs ?? 86_400_000);
  let atCursor = new Set<string>();
  const stats = { reads: 0, failures: 0, published: 0, lastError: null as string | null };

  const publish = (p: FundingPayment) =>
    // The tranId makes a re-read of the same payment a duplicate JetStream drops.
    o.bus.js.publish(subjects.actorInput('position', p.symbol), encode(fundingInput(p)), { msgID: `funding:${o.venue.venue}:${p.tranId}`, headers: msgHeaders() });

  /** One read (paged); resolves with the delay to the next. Venue failures are retried; a failed publish throws. */
  const once = async (): Promise<number> => {
    for (let page = 0; page < 20; page++) {
      let rows: FundingPayment[];
      try {
        rows = await o.venue.fundingPayments(cursor, 1_000);
        stats.reads++;
      } catch (e) {
        stats.failures++;
        stats.lastError = e instanceof Error ? e.message : String(e);
        log.warn({ err: stats.lastError, failures: stats.failures }, 'reading funding payments failed; trying again');
        return o.retryMs ?? 10_000;
      }
      const fresh = rows.filter((r) => (r.time > cursor || (r.time === cursor && !atCursor.has(r.tranId))) && Number.isFinite(r.amount) && r.symbol);
      for (const p of fresh) await publish(p);
      stats.published += fresh.length;
      if (fresh.length) {
        const newest = Math.max(...fresh.map((r) => r.time));
        if (newest > cursor) (cursor = newest), (atCursor = new Set());
        for (const r of fresh) if (r.time === cursor) atCursor.add(r.tranId);
      }
      stats.lastError = null;
      // A full page may have more behind it in the same or later milliseconds.
      if (rows.length < 1_000) break;
    }
    return o.everyMs ?? 600_000;
  };

  return startPoller({ clock: o.clock, debounceMs: o.debounceMs ?? 2_000, once, info: () => ({ ...stats, cursor }) });
}
