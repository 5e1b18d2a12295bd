/**
 * Paces new orders to the venue's order-count limits (Binance USD-M: 300 per 10 s and 1200 per
 * minute per account), protective orders first. Without it, a burst of entries across many symbols
 * earns -1015 (too many new orders) for everyone, and a stop waits behind other symbols' entries,
 * retried with backoff until it is given up: the position sits unprotected. With it the venue is
 * never asked for more than the limits allow, and waiting orders go out by tier: every stop (and
 * market exit) before any take-profit, every take-profit before any entry. A burst of 100 fills
 * brings 400 protective orders; in one FIFO tier the last stops waited behind the first symbols'
 * take-profits for longer than the 5 s a position may stay unprotected.
 */

/** `stop`: stop-loss or market exit (takes risk off); `reduce`: take-profit; `entry`: adds risk. */
export type PacePriority = 'stop' | 'reduce' | 'entry';
const TIERS: readonly PacePriority[] = ['stop', 'reduce', 'entry'];

export interface PacerOptions {
  /** Windows of [max orders, window ms]; each must hold. @default [[240, 10_000], [1_000, 60_000]] (80 % of Binance's) */
  windows?: Array<[number, number]>;
  /** Wall clock, injectable for tests. @default Date.now */
  now?: () => number;
  /**
   * Share of each window a tier may fill: take-profits and entries stop short of the limit, so a
   * stop for a fill that just happened finds room at once instead of waiting for the window to
   * slide. @default { stop: 1, reduce: 0.8, entry: 0.6 }
   */
  share?: Record<PacePriority, number>;
}

export interface OrderPacer {
  /** Resolves, with the send time it counted, when one more order may be sent; a higher tier is always served first. */
  acquire(priority: PacePriority): Promise<number>;
  /** Waiting orders, by priority. */
  waiting(): Record<PacePriority, number>;
  /** Rejects every waiter (executor stopping). */
  close(reason: Error): void;
}

export function createOrderPacer(o: PacerOptions = {}): OrderPacer {
  const windows = o.windows ?? [[240, 10_000], [1_000, 60_000]];
  const now = o.now ?? Date.now;
  const longest = Math.max(...windows.map(([, ms]) => ms));
  const share = o.share ?? { stop: 1, reduce: 0.8, entry: 0.6 };
  // Send times within the longest window, oldest first.
  const sent: number[] = [];
  const queues: Record<PacePriority, Array<{ resolve: (at: number) => void; reject: (e: Error) => void }>> = { stop: [], reduce: [], entry: [] };
  let timer: NodeJS.Timeout | undefined;
  let closed: Error | undefined;

  /** ms until one more send of `tier` fits its share of every window (0: now). */
  const waitMs = (t: number, tier: PacePriority): number => {
    while (sent.length && sent[0]! <= t - longest) sent.shift();
    let wait = 0;
    for (const [max, ms] of windows) {
      const allowed = Math.max(1, Math.floor(max * share[tier]));
      const inWindow = sent.filter((s) => s > t - ms);
      if (inWindow.length >= allowed) wait = Math.max(wait, inWindow[inWindow.length - allowed]! + ms - t + 1);
    }
    return wait;
  };

  const pump = () => {
    timer = undefined;
    for (;;) {
      const tier = TIERS.find((t) => queues[t].length > 0);
      if (!tier) return;
      const next = queues[tier];
      const t = now();
      const wait = waitMs(t, tier);
      if (wait > 0) {
        timer = setTimeout(pump, wait);
        return;
      }
      sent.push(t);
      next.shift()!.resolve(t);
    }
  };

  return {
    acquire(priority) {
      if (closed) return Promise.reject(closed);
      return new Promise<number>((resolve, reject) => {
        queues[priority].push({ resolve, reject });
        // A higher tier may fit where the one the timer waits for does not: look again now.
        if (timer) clearTimeout(timer);
        pump();
      });
    },
    waiting: () => ({ stop: queues.stop.length, reduce: queues.reduce.length, entry: queues.entry.length }),
    close(reason) {
      closed = reason;
      if (timer) clearTimeout(timer);
      for (const t of TIERS) for (const w of queues[t].splice(0)) w.reject(reason);
    },
  };
}
