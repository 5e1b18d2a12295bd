import { z } from 'zod';

export const RESTART_TYPES = ['permanent', 'transient', 'temporary'] as const;
export type RestartType = (typeof RESTART_TYPES)[number];

export const STRATEGIES = ['one_for_one', 'one_for_all', 'rest_for_one', 'simple_one_for_one'] as const;
export type Strategy = (typeof STRATEGIES)[number];

export const SUPERVISION_EVENTS = ['started', 'crashed', 'restarted', 'escalated', 'stopped'] as const;
export type SupervisionEventType = (typeof SUPERVISION_EVENTS)[number];

/** Lifecycle of a node in the tree; string union matching what `qt status` shows. */
export const NODE_STATUSES = ['starting', 'running', 'backoff', 'stopping', 'stopped', 'crashed', 'escalated'] as const;
export type NodeStatus = (typeof NODE_STATUSES)[number];

/** One transition of one node, published on `qt.sup.<path>.<event>`. */
export const SupervisionEventSchema = z.object({
  type: z.enum(SUPERVISION_EVENTS),
  /** Dotted path from the root, e.g. `root.market.symbol-BTCUSDT`. */
  path: z.string(),
  id: z.string(),
  kind: z.enum(['worker', 'supervisor']),
  ts: z.number(),
  restarts: z.number().int().nonnegative(),
  reason: z.string().optional(),
  /** Delay before the restart, for `restarted` events. */
  backoffMs: z.number().nonnegative().optional(),
  /** Whether the restart dropped a restored snapshot in favour of a fresh start. */
  fresh: z.boolean().optional(),
  node: z.string().optional(),
});
export type SupervisionEvent = z.infer<typeof SupervisionEventSchema>;

/** Live status of one node, kept in KV `qt_supervisors` under its path. */
export interface NodeStatusRecord {
  path: string;
  id: string;
  kind: 'worker' | 'supervisor';
  status: NodeStatus;
  restarts: number;
  strategy?: Strategy;
  restart?: RestartType;
  /** ms until the next restart attempt, while in backoff. */
  backoffMs?: number;
  lastError?: string;
  startedAt?: number;
  updatedAt: number;
  node?: string;
  /** Worker-specific details, e.g. a hosted actor's cursor. */
  info?: Record<string, unknown>;
  children?: NodeStatusRecord[];
}
