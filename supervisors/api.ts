import type { Clock } from '../runtime/clock/index.js';
import type { NodeStatus, NodeStatusRecord, RestartType, Strategy } from '../protocols/index.js';
import type { ChildHandle, ChildSpec, SupervisionReporter } from './types.js';

/** What a supervisor needs from the outside; `runtime/` builds these. */
export interface SupervisorDeps {
  /** All timing (backoff, shutdown timeouts, intensity windows) runs on this clock. */
  clock: Clock;
  reporter: SupervisionReporter;
  /** Dotted path of this supervisor. Absent for the root, whose path is its spec id. */
  path?: string;
  /** Host name stamped on events and records, so a multi-node tree shows where each node runs. */
  node?: string;
  /** Source of backoff jitter, 0..1. @default Math.random */
  random?: () => number;
  /** How often this supervisor was restarted by its parent (its `StartContext.attempt`). @default 0 */
  attempt?: number;
  /**
   * Whether this supervisor publishes events and records for its own node. A nested supervisor's
   * node is owned by its parent (which knows its restarts and backoff), so only `escalated` is
   * published by the nested one itself. @default true for the root (no `path`), false otherwise
   */
  reportSelf?: boolean;
  /** Errors thrown by the reporter; supervision must not die because telemetry failed. */
  onError?: (err: unknown) => void;
}

/** One entry of {@link Supervisor.whichChildren}. */
export interface ChildSummary {
  id: string;
  path: string;
  kind: 'worker' | 'supervisor';
  restart: RestartType;
  status: NodeStatus;
  restarts: number;
  /** The live handle, while the child runs. */
  handle?: ChildHandle;
}

/**
 * A running supervision tree node. It is also a {@link ChildHandle}, so a `ChildSpec` of
 * `type: 'supervisor'` can return one from `start()` (see `supervisorChild`).
 *
 * Paths given to the control methods are full dotted paths from the root (`root.market.BTCUSDT`);
 * a supervisor delegates paths below a nested supervisor to it.
 */
export interface Supervisor extends ChildHandle {
  readonly id: string;
  readonly path: string;
  readonly strategy: Strategy;
  /** Starts the static children in order. Idempotent; resolves once each started or is in backoff. */
  start(): Promise<Supervisor>;
  /** Stops children in reverse start order (pools: all at once), then `exited` settles with shutdown. */
  stop(): Promise<void>;
  /** Kills every child at once, without waiting. */
  kill(): void;
  /**
   * Chaos hook: `inject(error)` on the child at `path` if it has one, else kills it and handles it
   * as a crash. The child's restart type and the strategy then apply as for any crash.
   */
  kill(path: string, reason?: string): Promise<void>;
  /** Crashes this supervisor: children are stopped, `exited` settles with the error. */
  inject(error: Error): void;
  info(): Record<string, unknown>;

  /** Adds and starts a child (any strategy; appended last). A failed start counts as a crash. */
  startChild(spec: ChildSpec): Promise<NodeStatusRecord>;
  /** Stops a direct child and forgets it (`reporter.removed`). */
  terminateChild(id: string): Promise<void>;
  whichChildren(): ChildSummary[];

  /** Live record of the node at `path` (with its subtree), or undefined. */
  find(path: string): NodeStatusRecord | undefined;
  /** Stops (if running) and starts the child now: no backoff, not counted toward intensity. */
  restartChild(path: string): Promise<void>;
  /**
   * Stops the child and keeps it stopped, whatever its restart type, until `restartChild`.
   * Sibling crashes under one_for_all / rest_for_one do not bring it back either.
   */
  stopChild(path: string): Promise<void>;
  /** The live tree below and including this supervisor. */
  tree(): NodeStatusRecord;
}

/** Whether a child handle is a nested supervisor (so the tree and control calls can descend). */
export function isSupervisor(handle: ChildHandle | undefined): handle is Supervisor {
  const h = handle as Partial<Supervisor> | undefined;
  return typeof h?.tree === 'function' && typeof h.restartChild === 'function' && typeof h.strategy === 'string';
}
