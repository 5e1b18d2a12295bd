/**
 * Account equity from the venue, for the risk, CEO and strategy brains. Without it they size and
 * limit against the configured equity: on a 1,000 USDT account left at the 10,000 default a 5 %
 * daily-loss limit is half the account. The REST balance is the one source (wallet balance plus
 * unrealized PnL of the quote asset); the user stream's ACCOUNT_UPDATE only says *when* to read
 * it again, as its figures are partial (wallet only, changed assets only).
 */
import type { Logger } from 'pino';
import { subjects, type AccountBalance, type JournalEntry } from '../../protocols/index.js';
import type { Clock } from '../clock/index.js';
import { encode, msgHeaders } from '../codec.js';
import type { Bus } from '../nats/index.js';
import type { BinanceVenue } from '../venues/binance/types.js';
import { startPoller, type Poller } from './poller.js';

/** Actors that take `{type:'equity'}` on their control input (`qt.in.<kind>.<id>`); the CEO brain reads risk's. */
export const EQUITY_READERS: ReadonlyArray<readonly [kind: string, id: string]> = [['risk', 'main'], ['strategy', 'main']];

export interface EquityReporterOptions {
  bus: Bus;
  venue: Pick<BinanceVenue, 'venue' | 'balances'>;
  /** Paces the reads: the venue's request budget is wall time. */
  clock: Clock;
  /**
   * Stamps the figures and journal lines: the brains' and the journal's time, which a sped-up
   * simulator (`--speed`) runs ahead of the wall. @default clock
   */
  marketClock?: Clock;
  logger: Logger;
  /** Margin asset whose balance is the account's equity. @default USDT */
  asset?: string;
  /** Balance read this often even without account events. @default 30000 */
  everyMs?: number;
  /**
   * An account event brings the next read at most this far forward. Every fill is an account event;
   * between reads the brains add booked PnL themselves, so one balance read (weight 5) per 5 s is
   * plenty even while fills stream in. @default 5000
   */
  debounceMs?: number;
  /** A failed read is tried again after this long. @default 5000 */
  retryMs?: number;
  /** An unchanged figure is published again after this long, so a restarted reader has a recent one. @default 300000 */
  republishMs?: number;
  /**
   * A read is journaled (`qt.journal.account`) at most this often: the marked-to-market equity
   * curve `qt report` measures drawdown on, open positions included. @default 60000
   */
  journalEveryMs?: number;
}

export type EquityReporter = Poller;

/** Equity of one balance row: wallet plus unrealized PnL (the venue's margin balance). */
export function equityOf(b: AccountBalance): number {
  return b.walletBalance + (b.unrealizedPnl ?? 0);
}

/**
 * The journal line of one account reading: equity marked to market, so a report's drawdown
 * includes what open positions lost, not only what closed trades booked. `source` says whose
 * books it is: the venue's (live) or the backtest's matching engine.
 */
export function accountEntry(o: { ts: number; venue: string; asset: string; wallet: number; unrealized: number; source: 'venue' | 'engine' }): JournalEntry {
  const equity = o.wallet + o.unrealized;
  return {
    kind: 'account', ts: o.ts,
    summary: `${o.venue} equity ${equity.toFixed(2)} ${o.asset} (wallet ${o.wallet.toFixed(2)}, unrealized ${o.unrealized.toFixed(2)})`,
    data: { venue: o.venue, asset: o.asset, equity, wallet: o.wallet, unrealized: o.unrealized, source: o.source },
  };
}

/** Starts the reporter; resolves after the first read was tried (a failure there is retried, not fatal). */
export async function startEquityReporter(o: EquityReporterOptions): Promise<EquityReporter> {
  const asset = o.asset ?? 'USDT';
  const everyMs = o.everyMs ?? 30_000;
  const log = o.logger.child({ component: 'equity', venue: o.venue.venue, asset });
  const stats = { reads: 0, failures: 0, published: 0, journaled: 0, lastEquity: null as number | null, lastAt: null as number | null, lastError: null as string | null };
  let journaledAt = -Infinity;

  const publish = async (equity: number, ts: number) => {
    const data = encode({ type: 'equity', equity, ts });
    await Promise.all(
      EQUITY_READERS.map(([kind, id]) =>
        o.bus.js.publish(subjects.actorInput(kind, id), data, { msgID: `equity:${o.venue.venue}:${asset}:${kind}.${id}:${ts}`, headers: msgHeaders() }),
      ),
    );
    stats.published++;
    stats.lastEquity = equity;
    stats.lastAt = ts;
  };

  /** One read; resolves with the delay to the next. Venue failures are retried (the last figure stands); a failed publish throws. */
  const once = async (): Promise<number> => {
    let rows: AccountBalance[];
    try {
      rows = await o.venue.balances();
      stats.reads++;
    } catch (e) {
      stats.failures++;
      stats.lastError = e instanceof Error ? e.message : String(e);
      log.warn({ err: stats.lastError, failures: stats.failures }, 'reading the account balance failed; the brains keep the last figure');
      return o.retryMs ?? 5_000;
    }
    const row = rows.find((b) => b.asset === asset);
    const equity = row ? equityOf(row) : Number.NaN;
    if (!(equity > 0) || !Number.isFinite(equity)) {
      stats.failures++;
      stats.lastError = row ? `${asset} equity ${equity} is not a positive number` : `no ${asset} balance in the venue's answer (${rows.map((b) => b.asset).join(', ') || 'none'})`;
      log.warn({ reason: stats.lastError }, 'no usable equity from the venue; the brains keep the last figure');
      return o.retryMs ?? 5_000;
    }
    const now = (o.marketClock ?? o.clock).now();
    const changed = stats.lastEquity === null || Math.abs(equity - stats.lastEquity) >= 1e-6 * Math.max(1, stats.lastEquity);
    if (changed || now - (stats.lastAt ?? 0) >= (o.republishMs ?? 300_000)) {
      await publish(equity, now);
      if (stats.published === 1) log.info({ equity }, 'account equity from the venue');
    }
    if (now - journaledAt >= (o.journalEveryMs ?? 60_000)) {
      const entry = accountEntry({ ts: now, venue: o.venue.venue, asset, wallet: row!.walletBalance, unrealized: row!.unrealizedPnl ?? 0, source: 'venue' });
      await o.bus.js.publish(subjects.journal('account'), encode(entry), { msgID: `acct:${o.venue.venue}:${asset}:${now}`, headers: msgHeaders() });
      journaledAt = now;
      stats.journaled++;
    }
    stats.lastError = null;
    return everyMs;
  };

  return startPoller({ clock: o.clock, debounceMs: o.debounceMs ?? 5_000, once, info: () => ({ ...stats }) });
}
