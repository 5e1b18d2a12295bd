import type { Timers } from '../../protocols/index.js';
import type { Clock, TimerHandle } from '../clock/index.js';

/**
 * Mirrors `context.timers` onto the injected clock. XState does not restore pending `after`
 * timers, so deadlines live in context and are re-armed here after every step and every restore.
 */
export class TimerSync {
  #armed = new Map<string, { dueAt: number; handle: TimerHandle }>();
  constructor(
    private readonly clock: Clock,
    private readonly fire: (name: string, dueAt: number) => void,
  ) {}

  sync(context: unknown): void {
    const given = context && typeof context === 'object' ? (context as { timers?: Timers }).timers : undefined;
    // Runs after every step; most machines keep no timers at all, and then there is nothing to do.
    if (given === undefined && this.#armed.size === 0) return;
    const timers = given ?? {};
    for (const [name, t] of this.#armed) {
      if (timers[name] !== t.dueAt) {
        this.clock.clearTimeout(t.handle);
        this.#armed.delete(name);
      }
    }
    for (const [name, dueAt] of Object.entries(timers)) {
      if (typeof dueAt !== 'number' || !Number.isFinite(dueAt) || this.#armed.has(name)) continue;
      const handle = this.clock.setTimeout(() => {
        this.#armed.delete(name);
        this.fire(name, dueAt);
      }, Math.max(0, dueAt - this.clock.now()));
      this.#armed.set(name, { dueAt, handle });
    }
  }

  clear(): void {
    for (const t of this.#armed.values()) this.clock.clearTimeout(t.handle);
    this.#armed.clear();
  }

  get size(): number {
    return this.#armed.size;
  }
}
