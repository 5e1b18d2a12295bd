/**
 * Paces new orders to the venue's order-count limits (Binance USD-M: 300 per 10 s and 1200 per
 * minute per account), protective orders first. Without it, a burst of entries across many symbols
 * earns -1015 (too many new orders) for everyone, and a stop waits behind other symbols' entries,
 * retried with backoff until it is given up: the position sits unprotected. With it the venue is
 * never asked for more than the limits allow, and waiting orders go out by tier: every stop (and
 * market exit) before any take-profit, every take-profit before any entry. A burst of 100 fills
 * brings 400 protective orders; in one FIFO tier the last stops waited behind the first symbols'
 * take-profits for longer than the 5 s a position may stay unprotected.
 *
 * Tiers alone were not enough: an entry's stop is asked for only once the entry has filled, and
 * until then the window looks free, so entries took it all. At 500 symbols and 50 entries/s, 600
 * entries went out in well under a minute and their stops then waited 47-121 s for the minute's
 * window to slide. So every entry sent reserves a slot for its stop: the reservation counts
 * against the take-profit and entry shares (not the stop's) until a stop is sent or it expires.
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
  /**
   * How long an entry's reservation for its stop holds if no stop is sent (an entry that rests
   * unfilled, or was rejected). @default 30000
   */
  reserveMs?: number;
}

export interface OrderPacer {
  /**
   * Resolves, with the send time it counted, when one more order may be sent; a higher tier is
   * always served first. Past `deadline` (wall ms) a waiter resolves null instead, and counts for
   * nothing: an entry refused for waiting too long used to spend a send (and a stop reservation)
   * it never made, so at 500 symbols late entries made the next ones later still.
   */
  acquire(priority: PacePriority, deadline?: number): Promise<number | null>;
  /** Waiting orders, by priority. */
  waiting(): Record<PacePriority, number>;
  /** Entries sent whose stop has not been sent yet (reservations held). */
  reserved(): number;
  /** Rejects every waiter (executor stopping). */
  close(reason: Error): void;
}

export function createOrderPacer(o: PacerOptions = {}): OrderPacer {
  const windows = o.windows ?? [[240, 10_000], [1_000, 60_000]];
  const now = o.now ?? Date.now;
  const longest = Math.max(...windows.map(([, ms]) => ms));
  const share = o.share ?? { stop: 1, reduce: 0.8, entry: 0.6 };
  const reserveMs = o.reserveMs ?? 30_000;
  // Send times within the longest window, oldest first.
  const sent: number[] = [];
  // Send times of entries whose stop is still to come, oldest first (a stop takes the oldest).
  const reserved: number[] = [];
  const queues: Record<PacePriority, Array<{ deadline: number; resolve: (at: number | null) => void; reject: (e: Error) => void }>> = { stop: [], reduce: [], entry: [] };
  let timer: NodeJS.Timeout | undefined;
  let closed: Error | undefined;

  /** ms until one more send of `tier` fits its share of every window (0: now). */
  const waitMs = (t: number, tier: PacePriority): number => {
    while (sent.length && sent[0]! <= t - longest) sent.shift();
    while (reserved.length && reserved[0]! <= t - reserveMs) reserved.shift();
    // Reserved stops will be sent soon: they occupy every window from now on.
    const held = tier === 'stop' ? 0 : reserved.length;
    let wait = 0;
    for (const [max, ms] of windows) {
      const allowed = Math.max(1, Math.floor(max * share[tier]));
      const inWindow = sent.filter((s) => s > t - ms);
      const over = inWindow.length + held - allowed;
      if (over < 0) continue;
      // Sliding frees the oldest sends; if reservations alone fill the share, the oldest one expiring does.
      const slide = over < inWindow.length ? inWindow[over]! + ms - t + 1 : Infinity;
      const expiry = held ? reserved[0]! + reserveMs - t + 1 : Infinity;
      wait = Math.max(wait, Math.min(slide, expiry));
    }
    return wait;
  };

  /** Lets every waiter past its deadline go (null); returns the next deadline still ahead. */
  const expire = (t: number): number => {
    let next = Infinity;
    for (const tier of TIERS) {
      const q = queues[tier];
      for (let i = 0; i < q.length; ) {
        if (q[i]!.deadline <= t) q.splice(i, 1)[0]!.resolve(null);
        else next = Math.min(next, q[i++]!.deadline);
      }
    }
    return next;
  };

  const pump = () => {
    timer = undefined;
    for (;;) {
      const t = now();
      const nextDeadline = expire(t);
      const tier = TIERS.find((x) => queues[x].length > 0);
      if (!tier) return;
      const next = queues[tier];
      const wait = waitMs(t, tier);
      if (wait > 0) {
        timer = setTimeout(pump, Math.min(wait, nextDeadline - t + 1));
        return;
      }
      sent.push(t);
      if (tier === 'entry') reserved.push(t);
      else if (tier === 'stop') reserved.shift();
      next.shift()!.resolve(t);
    }
  };

  return {
    acquire(priority, deadline = Infinity) {
      if (closed) return Promise.reject(closed);
      return new Promise<number | null>((resolve, reject) => {
        queues[priority].push({ deadline, resolve, reject });
        // A higher tier may fit where the one the timer waits for does not: look again now.
        if (timer) clearTimeout(timer);
        pump();
      });
    },
    waiting: () => ({ stop: queues.stop.length, reduce: queues.reduce.length, entry: queues.entry.length }),
    reserved: () => reserved.length,
    close(reason) {
      closed = reason;
      if (timer) clearTimeout(timer);
      for (const t of TIERS) for (const w of queues[t].splice(0)) w.reject(reason);
    },
  };
}
