import type { Clock } from '../clock/index.js';
import type { TradingWorker, WorkerExit } from './executor.js';

/** A worker that reads something from the venue on a timer, and sooner when an event says it changed. */
export interface Poller extends TradingWorker {
  /** Reads again after the debounce (an event said the answer changed). */
  refresh(): void;
}

/**
 * Runs `once` now, then again after the delay it resolves with; `refresh()` brings the next run
 * forward to at most `debounceMs` from now (never later than it already was). Runs never overlap: a refresh during one runs once more right after it.
 * `once` handles its own venue failures (it resolves with a retry delay); a throw ends the worker
 * as a crash, for its supervisor. Resolves after the first run.
 */
export async function startPoller(o: { clock: Clock; debounceMs: number; once: () => Promise<number>; info: () => Record<string, unknown> }): Promise<Poller> {
  let resolveExit!: (e: WorkerExit) => void;
  const exited = new Promise<WorkerExit>((r) => (resolveExit = r));
  let ended = false;
  let timer: ReturnType<Clock['setTimeout']> | undefined;
  let dueAt = Number.POSITIVE_INFINITY;
  let running: Promise<void> | undefined;
  let again = false;
  const end = (e: WorkerExit) => {
    if (ended) return;
    ended = true;
    o.clock.clearTimeout(timer);
    resolveExit(e);
  };
  const schedule = (delay: number) => {
    o.clock.clearTimeout(timer);
    if (ended) return;
    dueAt = o.clock.now() + delay;
    timer = o.clock.setTimeout(() => void run(), delay);
  };
  const run = (): Promise<void> => {
    if (ended) return Promise.resolve();
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      try {
        let next = await o.once();
        while (again && !ended) {
          again = false;
          next = await o.once();
        }
        schedule(next);
      } catch (e) {
        end({ kind: 'crash', error: e instanceof Error ? e : new Error(String(e)) });
      } finally {
        running = undefined;
      }
    })();
    return running;
  };
  await run();
  return {
    exited,
    stop: async () => end({ kind: 'shutdown' }),
    kill: () => end({ kind: 'shutdown' }),
    inject: (error: Error) => end({ kind: 'crash', error }),
    info: o.info,
    // Only ever earlier: events arriving faster than the debounce must not postpone the run for good.
    refresh: () => {
      if (dueAt > o.clock.now() + o.debounceMs) schedule(o.debounceMs);
    },
  };
}
