import type { Clock, TimerHandle } from '../clock/index.js';

/** Collects per-symbol items of one candle close (`key` = interval + close time). */
export interface Batcher<T> {
  add(interval: string, ts: number, symbol: string, item: T): void;
  /** Flushes every open batch now (shutdown). */
  flushAll(): void;
  /** Open batches. */
  open(): number;
  stop(): void;
}

interface Open<T> {
  interval: string;
  ts: number;
  items: Map<string, T[]>;
  timer: TimerHandle;
}

/**
 * Batches features messages by candle close: a batch is flushed as soon as every symbol of the
 * interval's last batch has reported (the universe), or when `deadlineMs` has passed since its
 * first message (a slow or removed symbol cannot hold the others back). Redeliveries of one
 * symbol stay in the same batch, so every message is acked with it.
 */
export function createBatcher<T>(o: { clock: Clock; deadlineMs: number; onBatch: (interval: string, ts: number, items: Map<string, T[]>) => void }): Batcher<T> {
  const open = new Map<string, Open<T>>();
  const universe = new Map<string, Set<string>>();
  let stopped = false;
  const flush = (key: string) => {
    const b = open.get(key);
    if (!b) return;
    open.delete(key);
    o.clock.clearTimeout(b.timer);
    universe.set(b.interval, new Set(b.items.keys()));
    o.onBatch(b.interval, b.ts, b.items);
  };
  return {
    add(interval, ts, symbol, item) {
      if (stopped) return;
      const key = `${interval}:${ts}`;
      let b = open.get(key);
      if (!b) {
        b = { interval, ts, items: new Map(), timer: o.clock.setTimeout(() => flush(key), o.deadlineMs) };
        open.set(key, b);
      }
      const list = b.items.get(symbol);
      if (list) list.push(item);
      else b.items.set(symbol, [item]);
      const expected = universe.get(interval);
      if (expected && expected.size > 0 && b.items.size >= expected.size && [...expected].every((s) => b.items.has(s))) flush(key);
    },
    flushAll() {
      for (const key of [...open.keys()].sort()) flush(key);
    },
    open: () => open.size,
    stop() {
      stopped = true;
      for (const b of open.values()) o.clock.clearTimeout(b.timer);
      open.clear();
    },
  };
}
