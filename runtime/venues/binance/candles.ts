/**
 * Gap-free, de-duplicated closed candles for one (symbol, interval). The socket can miss candles
 * (a drop, a silent reconnect) and replay others (overlapping backfill); consumers must see each
 * closed interval exactly once and in order. A candle that skips ahead of the last one triggers a
 * REST backfill of the hole first; a reconnect triggers a catch-up from the last candle seen.
 */
import type { Logger } from 'pino';
import { INTERVAL_MS, type Candle, type Interval } from '../../../protocols/market.js';
import type { Clock } from '../../clock/index.js';

/** Fetches candles with openTime in [from, to] (to absent: up to now), in order. */
export type Backfill = (from: number, to: number | undefined) => Promise<Candle[]>;

/** Sequencer state, exposed for tests and status. */
export interface SequencerStats {
  emitted: number;
  duplicates: number;
  backfilled: number;
  gapsUnfilled: number;
}

/** Orders and completes the closed candles of one key. */
export class CandleSequencer {
  #last: number | undefined;
  #chain: Promise<void> = Promise.resolve();
  readonly #ms: number;
  readonly stats: SequencerStats = { emitted: 0, duplicates: 0, backfilled: 0, gapsUnfilled: 0 };

  constructor(
    interval: Interval,
    private readonly backfill: Backfill,
    private readonly emit: (c: Candle) => void,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {
    this.#ms = INTERVAL_MS[interval];
  }

  /** A closed candle from the socket. */
  onClosed(c: Candle): void {
    this.#enqueue(() => this.#process(c));
  }

  /** The socket came back: fetch what closed while it was away. */
  onReconnect(): void {
    this.#enqueue(() => this.#catchUp());
  }

  /** Resolves when all queued work is done (tests). */
  idle(): Promise<void> {
    return this.#chain;
  }

  #enqueue(work: () => Promise<void>): void {
    // Serialised so a backfill cannot interleave with the live candle that revealed the gap.
    this.#chain = this.#chain.then(work).catch((err: unknown) => this.log.error({ err: (err as Error).message }, 'candle sequencing failed'));
  }

  #accept(c: Candle): boolean {
    if (this.#last !== undefined && c.openTime <= this.#last) {
      this.stats.duplicates += 1;
      return false;
    }
    this.#last = c.openTime;
    this.stats.emitted += 1;
    this.emit(c);
    return true;
  }

  async #process(c: Candle): Promise<void> {
    const last = this.#last;
    if (last !== undefined && c.openTime > last + this.#ms) await this.#fill(last + this.#ms, c.openTime - 1);
    this.#accept(c);
  }

  async #fill(from: number, to: number): Promise<void> {
    let rows: Candle[];
    try {
      rows = await this.backfill(from, to);
    } catch (err) {
      this.stats.gapsUnfilled += 1;
      this.log.error({ from, to, err: (err as Error).message }, 'candle gap could not be backfilled');
      return;
    }
    for (const r of rows) if (r.openTime >= from && r.openTime <= to && this.#accept(r)) this.stats.backfilled += 1;
  }

  async #catchUp(): Promise<void> {
    if (this.#last === undefined) return;
    const from = this.#last + this.#ms;
    let rows: Candle[];
    try {
      rows = await this.backfill(from, undefined);
    } catch (err) {
      this.log.warn({ from, err: (err as Error).message }, 'candle catch-up failed; the next live candle will backfill');
      return;
    }
    const now = this.clock.now();
    rows.forEach((r, i) => {
      // A row is closed once a later one exists or its close time has passed; the newest is usually still open.
      const closed = i < rows.length - 1 || r.closeTime < now;
      if (closed && r.openTime >= from && this.#accept(r)) this.stats.backfilled += 1;
    });
  }
}
