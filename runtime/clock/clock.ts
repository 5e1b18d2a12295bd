/**
 * The injectable clock. Logic never calls `Date.now()` or `setTimeout` directly, so replay,
 * backtests and tests can run on simulated time (cf. xstate `SimulatedClock`, Nautilus `TestClock`).
 */
export interface TimerHandle {
  readonly id: number;
}

export interface Clock {
  /** Milliseconds since the Unix epoch on this clock. */
  now(): number;
  /** Runs `fn` once after `ms` of this clock's time. */
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle | undefined): void;
  /** Resolves after `ms` of this clock's time. */
  sleep(ms: number): Promise<void>;
  /** How fast this clock runs against wall time, when it runs on its own (1 when absent). */
  readonly speed?: number;
}

/** Wall-clock time backed by the Node timers. */
export function createLiveClock(): Clock {
  let next = 1;
  const live = new Map<number, NodeJS.Timeout>();
  return {
    now: () => Date.now(),
    setTimeout(fn, ms) {
      const id = next++;
      const t = setTimeout(() => {
        live.delete(id);
        fn();
      }, Math.max(0, ms));
      live.set(id, t);
      return { id };
    },
    clearTimeout(handle) {
      if (!handle) return;
      const t = live.get(handle.id);
      if (t) clearTimeout(t);
      live.delete(handle.id);
    },
    sleep(ms) {
      return new Promise((resolve) => this.setTimeout(resolve, ms));
    },
  };
}

export interface SimulatedClock extends Clock {
  /** Sets the time without firing timers. */
  set(ms: number): void;
  /** Moves time forward by `ms`, firing due timers in due-time order (ties in creation order). */
  advance(ms: number): void;
  /** Moves forward to the next pending timer, if any; returns whether one fired. */
  step(): boolean;
  /** Number of pending timers. */
  pending(): number;
}

interface SimTimer {
  id: number;
  due: number;
  fn: () => void;
}

/**
 * A clock that only moves when told to. Timers fire synchronously inside `advance`,
 * which makes backoff and timeout behaviour exact in tests.
 */
export function createSimulatedClock(startMs = 0): SimulatedClock {
  let now = startMs;
  let next = 1;
  const timers = new Map<number, SimTimer>();

  const nextDue = (limit: number): SimTimer | undefined => {
    let best: SimTimer | undefined;
    for (const t of timers.values()) {
      if (t.due > limit) continue;
      if (!best || t.due < best.due || (t.due === best.due && t.id < best.id)) best = t;
    }
    return best;
  };

  const clock: SimulatedClock = {
    now: () => now,
    set(ms) {
      now = ms;
    },
    setTimeout(fn, ms) {
      const id = next++;
      timers.set(id, { id, due: now + Math.max(0, ms), fn });
      return { id };
    },
    clearTimeout(handle) {
      if (handle) timers.delete(handle.id);
    },
    sleep(ms) {
      return new Promise((resolve) => clock.setTimeout(resolve, ms));
    },
    advance(ms) {
      const target = now + Math.max(0, ms);
      for (;;) {
        const t = nextDue(target);
        if (!t) break;
        timers.delete(t.id);
        now = Math.max(now, t.due);
        t.fn();
      }
      now = target;
    },
    step() {
      const t = nextDue(Number.POSITIVE_INFINITY);
      if (!t) return false;
      timers.delete(t.id);
      now = Math.max(now, t.due);
      t.fn();
      return true;
    },
    pending: () => timers.size,
  };
  return clock;
}

/**
 * A clock that runs `speed` times faster than wall time, starting at `startMs`.
 * Used by `qt up --speed X` so a 1m candle closes every 60/X seconds.
 */
export function createScaledClock(speed: number, startMs = Date.now()): Clock {
  if (!(speed > 0) || !Number.isFinite(speed)) throw new RangeError(`speed must be a positive number, got ${speed}`);
  const wallStart = Date.now();
  const live = createLiveClock();
  return {
    speed,
    now: () => startMs + (Date.now() - wallStart) * speed,
    setTimeout: (fn, ms) => live.setTimeout(fn, ms / speed),
    clearTimeout: (h) => live.clearTimeout(h),
    sleep: (ms) => live.sleep(ms / speed),
  };
}
