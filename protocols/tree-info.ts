import type { NodeStatusRecord } from './supervision.js';

/**
 * Readers of the supervision tree's `info` conventions, shared by the status consoles and the
 * metrics so both report the same thing: what the live workers and actors hold.
 */

/** One circuit breaker, as a venue worker reports it in its tree `info.health`. */
export interface BreakerRow {
  /** Tree path of the worker that owns the breaker, e.g. `root.venue.market-data`. */
  source: string;
  /** `info.venue` of that worker when it says (e.g. `sim`, `binance`). */
  venue?: string;
  name: string;
  state: string;
  since: number;
}

/** The risk brain's effective policy, from its `info` (see the risk definition's `status`). */
export interface RiskStatus {
  source: string;
  tradingState: string;
  riskMode: string;
  killSwitch: boolean;
  reconciling: boolean;
  /** The equity risk sizes and limits against, and where it came from (absent from older nodes). */
  equity?: { value: number; source: string; waitingForVenue: boolean };
}

/** Visits every node of a tree, parents before their children. */
export function walkTree(tree: NodeStatusRecord | null | undefined, visit: (n: NodeStatusRecord) => void): void {
  if (!tree) return;
  visit(tree);
  for (const c of tree.children ?? []) walkTree(c, visit);
}

/** The first node, parents before children, that `match` accepts. */
export function findInTree(tree: NodeStatusRecord | null | undefined, match: (n: NodeStatusRecord) => boolean): NodeStatusRecord | undefined {
  if (!tree) return undefined;
  if (match(tree)) return tree;
  for (const c of tree.children ?? []) {
    const hit = findInTree(c, match);
    if (hit) return hit;
  }
  return undefined;
}

/** Breakers from any tree node whose `info.health` maps names to `{ state }`. */
export function breakersFromTree(tree: NodeStatusRecord | null | undefined): BreakerRow[] {
  const rows: BreakerRow[] = [];
  walkTree(tree, (n) => {
    const health = n.info?.health;
    if (!health || typeof health !== 'object') return;
    const venue = typeof n.info?.venue === 'string' ? n.info.venue : undefined;
    for (const [name, b] of Object.entries(health as Record<string, unknown>)) {
      const s = b as { state?: unknown; since?: unknown } | null;
      if (s && typeof s.state === 'string') rows.push({ source: n.path, ...(venue ? { venue } : {}), name, state: s.state, since: typeof s.since === 'number' ? s.since : 0 });
    }
  });
  return rows;
}

/** The risk brain's status, or null when no running node in the tree reports one. */
export function riskStatusFromTree(tree: NodeStatusRecord | null | undefined): RiskStatus | null {
  const n = findInTree(tree, (x) => x.status === 'running' && typeof x.info?.tradingState === 'string' && typeof x.info.riskMode === 'string');
  const i = n?.info;
  if (!n || !i) return null;
  const equity = typeof i.equity === 'number' && typeof i.equitySource === 'string' ? { equity: { value: i.equity, source: i.equitySource, waitingForVenue: i.equityWaiting === true } } : {};
  return { source: n.path, tradingState: i.tradingState as string, riskMode: i.riskMode as string, killSwitch: i.killSwitch === true, reconciling: i.reconciling === true, ...equity };
}
