import { token } from '../protocols/index.js';
import type { NodeStatus, NodeStatusRecord, RestartType, Strategy } from '../protocols/index.js';
import type { TimerHandle } from '../runtime/clock/index.js';
import { isSupervisor } from './api.js';
import type { Backoff } from './backoff.js';
import type { Lane } from './lifecycle.js';
import type { ChildHandle, ChildSpec } from './types.js';

/** @internal A scheduled restart; one_for_all / rest_for_one share it among the group. */
export interface PendingRestart {
  timer?: TimerHandle;
  recs: Set<ChildRecord>;
  delay: number;
  cause: string;
}

/** @internal The supervisor's book-keeping for one child. */
export interface ChildRecord {
  readonly spec: ChildSpec;
  readonly id: string;
  readonly path: string;
  readonly kind: 'worker' | 'supervisor';
  readonly restart: RestartType;
  readonly shutdown: number | 'brutal';
  readonly lane: Lane;
  readonly backoff: Backoff;
  handle?: ChildHandle;
  /** Bumped whenever `handle` changes, so a stale `exited` of a replaced handle is ignored. */
  gen: number;
  status: NodeStatus;
  restarts: number;
  backoffMs?: number;
  lastError?: string;
  startedAt?: number;
  /** Remembered from the last live handle, so a supervisor child in backoff still shows it. */
  strategy?: Strategy;
  /**
   * Whether the supervisor wants this child running. False after `stopChild` or a transient's
   * normal exit; such children are left out of group restarts.
   */
  wanted: boolean;
  /** Quick crashes in a row (each within `poisonWindow` of its start). */
  quickCrashes: number;
  /** The next start must skip the restored snapshot. Cleared only by a successful start. */
  freshNext: boolean;
  pending?: PendingRestart;
  removed: boolean;
}

/** Shutdown defaults follow OTP: 5 s for workers, wait forever for supervisors. */
export function createRecord(spec: ChildSpec, parentPath: string, lane: Lane, backoff: Backoff): ChildRecord {
  token(spec.id);
  const kind = spec.type ?? 'worker';
  const shutdown = spec.shutdown ?? (kind === 'supervisor' ? Number.POSITIVE_INFINITY : 5000);
  if (shutdown !== 'brutal' && !(shutdown >= 0)) throw new RangeError(`${spec.id}: shutdown must be >= 0 or 'brutal'`);
  return {
    spec,
    id: spec.id,
    path: `${parentPath}.${spec.id}`,
    kind,
    restart: spec.restart ?? 'permanent',
    shutdown,
    lane,
    backoff,
    gen: 0,
    status: 'stopped',
    restarts: 0,
    wanted: true,
    quickCrashes: 0,
    freshNext: false,
    removed: false,
  };
}

/** The record a reporter publishes for one child; `deep` adds a live nested supervisor's subtree. */
export function childStatus(rec: ChildRecord, now: number, node: string | undefined, deep: boolean): NodeStatusRecord {
  const r: NodeStatusRecord = {
    path: rec.path,
    id: rec.id,
    kind: rec.kind,
    status: rec.status,
    restarts: rec.restarts,
    restart: rec.restart,
    updatedAt: now,
  };
  if (rec.strategy) r.strategy = rec.strategy;
  if (rec.status === 'backoff' && rec.backoffMs !== undefined) r.backoffMs = rec.backoffMs;
  if (rec.lastError !== undefined) r.lastError = rec.lastError;
  if (rec.startedAt !== undefined) r.startedAt = rec.startedAt;
  if (node !== undefined) r.node = node;
  if (deep && isSupervisor(rec.handle)) r.children = rec.handle.tree().children ?? [];
  return r;
}
