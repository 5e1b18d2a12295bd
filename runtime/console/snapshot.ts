import type { KV } from '@nats-io/kv';
import {
  breakersFromTree, BUCKETS, POLICY_KEYS, riskStatusFromTree, STREAMS, subjects,
  type BreakerRow, type JournalEntry, type NodeStatusRecord, type PositionUpdate,
} from '../../protocols/index.js';
import type { Bus } from '../nats/index.js';
import { decodePolicyValue, formatPolicyValue } from './policy.js';
import { scanStream } from './stream-read.js';

export { breakersFromTree, type BreakerRow };

/**
 * Trading state, risk mode, kill switch and reconciling as the risk brain applies them (from its
 * tree `info`); where no risk brain answers, the operator's `qt_policy` values, and '-' for the
 * trading state, which only the risk brain knows. Then the model pointers; '-' when absent.
 */
export interface PolicyView {
  tradingState: string;
  riskMode: string;
  killSwitch: string;
  reconciling: string;
  champion: string;
  challenger: string;
  shadow: string;
}

/** An open position, from its latest PositionUpdate. */
export interface PositionRow {
  symbol: string;
  state: PositionUpdate['state'];
  side: PositionUpdate['side'];
  qty: number;
  avgEntry: number;
  markPrice: number;
  unrealizedPnl: number;
  realizedPnl: number;
  stop: 'confirmed' | 'pending' | 'none';
  stopPrice: number | null;
  /** ms without a confirmed stop at snapshot time (null = protected). */
  unprotectedMs: number | null;
  ts: number;
}

/** One `qt.journal.alert` entry. */
export interface AlertRow {
  ts: number;
  summary: string;
  severity?: string;
  symbol?: string;
}

/** Everything both consoles show, gathered once per refresh. */
export interface ConsoleSnapshot {
  ts: number;
  /** Node that answered the status request (null when none did). */
  node: string | null;
  tree: NodeStatusRecord | null;
  breakers: BreakerRow[];
  policy: PolicyView;
  positions: PositionRow[];
  alerts: AlertRow[];
  /** Parts that could not be read; the rest of the snapshot is still valid. */
  errors: string[];
}

export interface SnapshotOptions {
  /** The local tree (a node's own web console); without it the qt-supervisor service is asked. */
  tree?: () => NodeStatusRecord | undefined;
  /** Ask this node's service instance instead of any. */
  node?: string;
  /** Latest alerts shown. @default 8 */
  alerts?: number;
  /** How far back alerts are read: the journal keeps a year, a console needs recent ones. @default 7 days */
  alertLookbackMs?: number;
  /** @default 2000 */
  timeoutMs?: number;
  /** @default Date.now */
  now?: () => number;
}

const policyBuckets = new WeakMap<Bus, Promise<KV>>();

async function readTree(bus: Bus, o: SnapshotOptions): Promise<NodeStatusRecord> {
  const local = o.tree?.();
  if (local) return local;
  const r = await bus.nc.request(subjects.control('supervisor', 'status', o.node), '', { timeout: o.timeoutMs ?? 2_000 });
  const body = JSON.parse(r.string()) as { ok: boolean; tree?: NodeStatusRecord; error?: string };
  if (!body.ok || !body.tree) throw new Error(body.error ?? 'no tree in reply');
  return body.tree;
}

async function readPolicy(bus: Bus): Promise<PolicyView> {
  let kvp = policyBuckets.get(bus);
  if (!kvp) {
    kvp = bus.kvm.open(BUCKETS.policy);
    policyBuckets.set(bus, kvp);
    kvp.catch(() => policyBuckets.delete(bus));
  }
  const kv = await kvp;
  const get = async (key: string) => {
    const e = await kv.get(key);
    return e && e.operation === 'PUT' ? formatPolicyValue(decodePolicyValue(e.value)) : '-';
  };
  const [riskMode, killSwitch, reconciling, champion, challenger, shadow] = await Promise.all(
    [POLICY_KEYS.riskMode, POLICY_KEYS.killSwitch, POLICY_KEYS.reconciling, POLICY_KEYS.champion, POLICY_KEYS.challenger, POLICY_KEYS.shadow].map(get),
  );
  return { tradingState: '-', riskMode: riskMode!, killSwitch: killSwitch!, reconciling: reconciling!, champion: champion!, challenger: challenger!, shadow: shadow! };
}

/** Open positions: the last update per subject, reduced to the newest per symbol. */
export async function readPositions(bus: Bus, now: number): Promise<PositionRow[]> {
  const latest = new Map<string, PositionUpdate>();
  await scanStream<PositionUpdate>(bus, STREAMS.positions, subjects.positionAll, ({ data: p }) => {
    if (!p || typeof p.symbol !== 'string') return;
    const prev = latest.get(p.symbol);
    if (!prev || p.ts >= prev.ts) latest.set(p.symbol, p);
  }, { from: 'last_per_subject' });
  return [...latest.values()]
    .filter((p) => p.state !== 'flat' && p.state !== 'closed' && p.qty !== 0)
    .sort((a, b) => a.symbol.localeCompare(b.symbol))
    .map((p) => ({
      symbol: p.symbol, state: p.state, side: p.side, qty: p.qty, avgEntry: p.avgEntry, markPrice: p.markPrice,
      unrealizedPnl: p.unrealizedPnl, realizedPnl: p.realizedPnl,
      stop: p.stop ? (p.stop.confirmed ? 'confirmed' : 'pending') : 'none',
      stopPrice: p.stop?.price ?? null,
      unprotectedMs: p.unprotectedSince === null ? null : Math.max(0, now - p.unprotectedSince),
      ts: p.ts,
    }));
}

async function readAlerts(bus: Bus, n: number, sinceMs: number): Promise<AlertRow[]> {
  // A caller that wants no alerts (qt doctor) must not pay for a week of the journal.
  if (n <= 0) return [];
  const ring: AlertRow[] = [];
  await scanStream<JournalEntry>(bus, STREAMS.journal, subjects.journal('alert'), ({ data: e, time }) => {
    const sev = e?.data?.severity;
    ring.push({ ts: typeof e?.ts === 'number' ? e.ts : time, summary: String(e?.summary ?? ''), ...(typeof sev === 'string' ? { severity: sev } : {}), ...(e?.symbol ? { symbol: e.symbol } : {}) });
    if (ring.length > n) ring.shift();
  }, { from: { sinceMs } });
  return ring.reverse();
}

/**
 * Gathers one console snapshot: tree (with breakers from its `info`), policy, open positions
 * and the latest alerts. Each part fails on its own into `errors`, so a missing stream or a
 * silent node still leaves the rest on screen — a console that goes blank when something breaks
 * is useless exactly when it is needed.
 */
export async function collectConsoleSnapshot(bus: Bus, opts: SnapshotOptions = {}): Promise<ConsoleSnapshot> {
  const now = (opts.now ?? Date.now)();
  const errors: string[] = [];
  const soft = async <T>(what: string, p: Promise<T>, fallback: T): Promise<T> => {
    try {
      return await p;
    } catch (e) {
      errors.push(`${what}: ${(e as Error).message}`);
      return fallback;
    }
  };
  const none: PolicyView = { tradingState: '-', riskMode: '-', killSwitch: '-', reconciling: '-', champion: '-', challenger: '-', shadow: '-' };
  const [tree, policy, positions, alerts] = await Promise.all([
    soft<NodeStatusRecord | null>('supervision tree', readTree(bus, opts), null),
    soft('policy', readPolicy(bus), none),
    soft('positions', readPositions(bus, now), []),
    soft('alerts', readAlerts(bus, opts.alerts ?? 8, now - (opts.alertLookbackMs ?? 7 * 86_400_000)), []),
  ]);
  const risk = riskStatusFromTree(tree);
  const onOff = (b: boolean) => (b ? 'on' : 'off');
  const effective = risk ? { ...policy, tradingState: risk.tradingState, riskMode: risk.riskMode, killSwitch: onOff(risk.killSwitch), reconciling: onOff(risk.reconciling) } : policy;
  return { ts: now, node: tree?.node ?? null, tree, breakers: breakersFromTree(tree), policy: effective, positions, alerts, errors };
}
