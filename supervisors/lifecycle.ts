import type { Clock, TimerHandle } from '../runtime/clock/index.js';
import type { ChildHandle } from './types.js';

/**
 * A serial queue, the stand-in for an Erlang supervisor's mailbox: operations on the same lane
 * never interleave across `await`s. One-for-one and pool children each get a lane, so a slow
 * start of one symbol does not hold up the others; one_for_all / rest_for_one share one lane
 * because a crash there touches siblings.
 */
export class Lane {
  private tail: Promise<unknown> = Promise.resolve();

  /** Runs `op` after everything queued before it; the result (or error) goes to the caller only. */
  run<T>(op: () => Promise<T> | T): Promise<T> {
    const result = this.tail.then(op);
    this.tail = result.catch(() => undefined);
    return result;
  }
}

/** Node timers overflow past this and fire after 1 ms; longer shutdowns mean "wait forever". */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** How a termination ended, for the `stopped` event's reason. */
export type TerminateOutcome = 'stopped' | 'killed';

/** `kill` must not throw into the supervisor; a child failing to die is its own problem. */
export function safeKill(handle: ChildHandle): void {
  try {
    handle.kill();
  } catch {
    // Nothing more forceful exists in-process; the handle is dropped either way.
  }
}

/**
 * Graceful stop with a deadline on the injected clock, then `kill`. A child counts as stopped when
 * `stop()` resolves or `exited` settles, whichever comes first. A `shutdown` of Infinity (OTP's
 * default for supervisors), or one past the timer range, waits forever; a rejected `stop()` kills
 * at once.
 */
export async function terminateHandle(
  handle: ChildHandle,
  shutdown: number | 'brutal',
  clock: Clock,
): Promise<TerminateOutcome> {
  if (shutdown === 'brutal') {
    safeKill(handle);
    return 'killed';
  }
  let stopping: Promise<unknown>;
  try {
    stopping = Promise.race([handle.stop(), handle.exited]);
  } catch (err) {
    stopping = Promise.reject(err);
  }
  const graceful = stopping.then(
    () => 'stopped' as const,
    () => 'failed' as const,
  );
  let timer: TimerHandle | undefined;
  const deadline = shutdown <= MAX_TIMER_MS
    ? new Promise<'timeout'>((resolve) => {
        timer = clock.setTimeout(() => resolve('timeout'), shutdown);
      })
    : new Promise<'timeout'>(() => undefined);
  const outcome = await Promise.race([graceful, deadline]);
  clock.clearTimeout(timer);
  if (outcome === 'stopped') return 'stopped';
  safeKill(handle);
  return 'killed';
}
