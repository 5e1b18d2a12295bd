/**
 * The contract between XState machines and the actor host.
 *
 * - Outputs: a machine `emit`s `{ type: 'qt.out', subject, data, msgId? }`. The host publishes
 *   them only after the snapshot that produced them is stored, with `Nats-Msg-Id`
 *   `<kind>.<id>:<seq>:<n>` unless the machine supplies a deterministic id (e.g. a client order id).
 * - Time: every event the host delivers carries `at` (ms on the injected clock). Machines never
 *   read a clock; deadlines are computed from `event.at`.
 * - Timers: a machine keeps deadlines in `context.timers` (`name → dueAt ms`). The host arms them
 *   after every step and re-arms them after a restore (XState does not restore `after` timers),
 *   then delivers `{ type: 'qt.timer', name, dueAt, at }`. The machine removes or moves the entry.
 */
export const OUTPUT_EVENT = 'qt.out';
export const TIMER_EVENT = 'qt.timer';
/** Sent once after a start that dropped a poisoned snapshot, so the machine can reconcile. */
export const FRESH_START_EVENT = 'qt.fresh';

export interface OutputEvent {
  type: typeof OUTPUT_EVENT;
  subject: string;
  data: unknown;
  /** Deterministic id for JetStream dedup; defaults to `<kind>.<id>:<seq>:<n>`. */
  msgId?: string;
  /** Extra headers, e.g. `Qt-Dlq-Reason` when a machine dead-letters an input it judged bad. */
  headers?: Record<string, string>;
}

export interface TimerEvent {
  type: typeof TIMER_EVENT;
  name: string;
  dueAt: number;
  at: number;
}

export type Timers = Record<string, number>;

/** What the host stores in KV `qt_actors` under `<kind>.<id>`. */
export interface ActorRecord {
  /** Machine version; a mismatch drops the snapshot for a fresh start. */
  v: number;
  snapshot: unknown;
  /** Stream sequence of the last input applied (of the first input). */
  cursor: number;
  /** Cursors of every input, index-aligned with the definition's inputs. */
  cursors?: number[];
  /** Outputs of the last step, republished on restore (JetStream dedups them). */
  outbox: Array<{ subject: string; data: unknown; msgId: string; raw?: boolean; headers?: Record<string, string> }>;
  ts: number;
  /** Node that wrote this record. */
  node?: string;
}
