import type { NodeStatus, NodeStatusRecord } from '../../protocols/index.js';

/** One probe's verdict, always with its reasons (an empty list only when ok). */
export interface HealthCheck {
  ok: boolean;
  reasons: string[];
}

/** What `/healthz` and `/readyz` serve. */
export interface HealthReport {
  /** Liveness: the supervision tree is whole. */
  live: HealthCheck;
  /** Readiness: live, plus NATS connected + provisioned and nothing restarting. */
  ready: HealthCheck;
  nodes: { total: number; running: number; byStatus: Partial<Record<NodeStatus, number>> };
  ts: number;
}

/** Facts the tree does not know. */
export interface HealthExtra {
  natsConnected: boolean;
  provisioned: boolean;
  /** @default Date.now() */
  now?: number;
  /**
   * How long a permanent node may sit in `starting`/`backoff` before liveness fails. A normal
   * restart passes through backoff for milliseconds; a liveness probe that flaps on every restart
   * would get the process killed for doing its job. Readiness has no grace. @default 30000
   */
  restartGraceMs?: number;
}

const TRANSIENT_STATES: ReadonlySet<NodeStatus> = new Set(['starting', 'backoff']);

function describe(n: NodeStatusRecord): string {
  return `${n.path} (${n.kind}, ${n.restart ?? 'permanent'}) is ${n.status}${n.lastError ? `: ${n.lastError.slice(0, 120)}` : ''}`;
}

/**
 * Derives liveness and readiness from the live supervision tree. Pure, so the HTTP probes and
 * `qt doctor` agree and both are unit-tested. Liveness fails when the root or any permanent node
 * is not running (a node below a stopped non-permanent node is not looked at: its parent is
 * allowed to be down). Readiness also fails on NATS trouble and on any node in backoff or escalated.
 */
export function healthFromTree(tree: NodeStatusRecord | undefined, extra: HealthExtra): HealthReport {
  const now = extra.now ?? Date.now();
  const grace = extra.restartGraceMs ?? 30_000;
  const live: string[] = [];
  const ready: string[] = [];
  const byStatus: Partial<Record<NodeStatus, number>> = {};
  let total = 0;

  const walk = (n: NodeStatusRecord, isRoot: boolean) => {
    total++;
    byStatus[n.status] = (byStatus[n.status] ?? 0) + 1;
    const permanent = isRoot || (n.restart ?? 'permanent') === 'permanent';
    if (n.status !== 'running' && permanent) {
      const inGrace = !isRoot && TRANSIENT_STATES.has(n.status) && now - n.updatedAt <= grace;
      if (!inGrace) live.push(describe(n));
    }
    if (n.status === 'backoff' || n.status === 'escalated') ready.push(describe(n));
    if (n.status !== 'running' && !permanent) return;
    n.children?.forEach((c) => walk(c, false));
  };
  if (tree) walk(tree, true);
  else live.push('supervision tree not started');

  if (!extra.natsConnected) ready.push('NATS not connected');
  if (!extra.provisioned) ready.push('JetStream layout not provisioned');
  const readyReasons = [...live.map((r) => `not live: ${r}`), ...ready.filter((r) => !live.includes(r))];
  return {
    live: { ok: live.length === 0, reasons: live },
    ready: { ok: readyReasons.length === 0, reasons: readyReasons },
    nodes: { total, running: byStatus.running ?? 0, byStatus },
    ts: now,
  };
}
