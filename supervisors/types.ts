import type { NodeStatusRecord, RestartType, Strategy, SupervisionEvent } from '../protocols/index.js';

/** Why a child ended. `normal` matters for `transient` children (no restart). */
export type ExitReason =
  | { kind: 'normal' }
  | { kind: 'shutdown' }
  | { kind: 'crash'; error: Error };

/**
 * What a running child looks like to its supervisor. Hosted actors, nested supervisors and
 * plain services all implement it.
 */
export interface ChildHandle {
  /** Settles once when the child ends, whatever the cause. Never rejects. */
  readonly exited: Promise<ExitReason>;
  /** Graceful stop; the supervisor waits up to the child's `shutdown` ms, then calls `kill`. */
  stop(): Promise<void>;
  /** Brutal stop: release resources now, without flushing. */
  kill(): void;
  /** Chaos: make the child crash as if its own code had thrown. */
  inject?(error: Error): void;
  /** Extra status for `qt status` (e.g. the cursor of a hosted actor). */
  info?(): Record<string, unknown>;
}

/** Context handed to `start`, so a crash-looping restored snapshot can fall back to a fresh start. */
export interface StartContext {
  /** Dotted path of the child in the tree. */
  path: string;
  /** Restarts of this child so far. */
  attempt: number;
  /** True when the supervisor decided the last restored snapshot is poisoned. */
  fresh: boolean;
}

/** Erlang child spec. */
export interface ChildSpec {
  id: string;
  start(ctx: StartContext): Promise<ChildHandle>;
  /** @default 'permanent' */
  restart?: RestartType;
  /** ms to wait for a graceful stop before `kill`, or 'brutal'. @default 5000 */
  shutdown?: number | 'brutal';
  /** @default 'worker' */
  type?: 'worker' | 'supervisor';
}

export interface BackoffOptions {
  /** @default 10 */
  min: number;
  /** @default 5000 */
  max: number;
  /** Fraction of the delay added at random, 0..1. @default 0.2 */
  jitter: number;
  /** A child that ran this long without crashing has its backoff reset. @default 30000 */
  resetAfter: number;
}

export interface SupervisorSpec {
  id: string;
  strategy: Strategy;
  /** Max restarts within `period` ms before escalating. @default 5 */
  intensity?: number;
  /** @default 10000 */
  period?: number;
  backoff?: Partial<BackoffOptions>;
  /** Static children, started in order, stopped in reverse order. Empty for simple_one_for_one. */
  children?: ChildSpec[];
  /**
   * Crashes of a child within `poisonWindow` ms of a start from a restored snapshot, after which
   * the next start is fresh. @default 2
   */
  poisonThreshold?: number;
  /** @default 5000 */
  poisonWindow?: number;
}

/** Receives every transition and live status; the NATS implementation publishes to QT_SUPERVISION and KV. */
export interface SupervisionReporter {
  event(e: SupervisionEvent): void;
  status(record: NodeStatusRecord): void;
  /** A node left the tree for good (temporary child stopped, pool child removed). */
  removed?(path: string): void;
}
