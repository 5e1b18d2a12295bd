import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Msg } from '@nats-io/transport-node';
import { subjects } from '../../protocols/index.js';
import { RuntimeError } from '../errors.js';
import type { Bus } from '../nats/index.js';

/** A running node process, as it answers on `qt.ctl.node.instance` and `qt.ctl.node.<id>.instance`. */
export interface NodeInstance {
  node: string;
  instance: string;
  pid: number;
  host: string;
  startedAt: number;
  /** Whether it shares the symbols through leases; without, it runs every symbol and brain. */
  cluster: boolean;
}

/** A node's answer; one that does not parse still proves a node runs there. */
function parseInstance(m: Msg): Partial<NodeInstance> {
  try {
    return JSON.parse(m.string()) as NodeInstance;
  } catch {
    return {};
  }
}

const who = (h: Partial<NodeInstance>) =>
  h.pid !== undefined ? `pid ${h.pid} on ${h.host ?? '?'}, up since ${new Date(h.startedAt ?? 0).toISOString()}` : 'it answered without saying which process it is';

export class NodeIdInUseError extends RuntimeError {
  constructor(readonly holder: Partial<NodeInstance>, message: string) {
    super(message);
  }
}

/**
 * Refuses to start a node that would fight a running one. Actors' consumers and KV records are
 * named after what they run (`risk.main`, `symbol.BTCUSDT`), so two nodes that both run them
 * delete and recreate each other's consumers. Seen: a second `qt up` against the server of a
 * running node made both crash-loop, the crash-loop guard dropped a restored snapshot, and the
 * first node escalated and exited. KV compare-and-set fenced every write; nothing stopped the fight.
 *
 * - Without leases a node runs everything: any other running node is a conflict.
 * - With leases nodes share the symbols and the leader runs the brains: only a second process with
 *   the same id is one (or a running node without leases, which runs everything).
 *
 * Every running node answers on both subjects. A request nobody listens to fails at once ("no
 * responders"), so the check costs a round trip or two, and a node killed with -9 no longer
 * listens, so a restart never waits. A node too busy to answer within the timeout is missed; the
 * KV fencing stays the backstop.
 */
export async function claimNode(bus: Bus, node: string, o: { cluster: boolean; timeoutMs?: number }): Promise<{ instance: NodeInstance; release(): void }> {
  const ask = async (subject: string): Promise<Partial<NodeInstance> | undefined> => {
    const answer = await bus.nc.request(subject, '', { timeout: o.timeoutMs ?? 2_000 }).catch(() => undefined);
    return answer && parseInstance(answer);
  };
  const mine = subjects.control('node', 'instance', node);
  const any = subjects.control('node', 'instance');
  const same = await ask(mine);
  if (same) throw new NodeIdInUseError(same, `node id '${node}' is already running on this NATS system (${who(same)}): stop that process first, or give this one another node.id (QT_NODE__ID)`);
  const other = await ask(any);
  if (other && (!o.cluster || other.cluster === false)) {
    const solo = o.cluster ? `it runs without leases` : `this node runs without leases`;
    throw new NodeIdInUseError(other, `node '${other.node ?? '?'}' is running on this NATS system (${who(other)}) and ${solo}, so it would run the same symbols and brains: stop it, or run every node with cluster.leases.enabled (QT_CLUSTER__LEASES__ENABLED=true) and its own node.id`);
  }
  const instance: NodeInstance = { node, instance: randomUUID(), pid: process.pid, host: hostname(), startedAt: Date.now(), cluster: o.cluster };
  const reply = JSON.stringify(instance);
  const subs = [mine, any].map((s) => bus.nc.subscribe(s, { callback: (_err, m) => void m.respond(reply) }));
  // The claim holds once the server has our subscriptions, not when the client has queued them.
  await bus.nc.flush();
  return { instance, release: () => subs.forEach((s) => s.unsubscribe()) };
}

/** Every running node that answers on `qt.ctl.node.instance`, collected until answers stop for `stallMs`. */
export async function listNodes(bus: Bus, o: { maxWaitMs?: number; stallMs?: number } = {}): Promise<Array<Partial<NodeInstance>>> {
  const out: Array<Partial<NodeInstance>> = [];
  try {
    const answers = await bus.nc.requestMany(subjects.control('node', 'instance'), '', { strategy: 'stall', stall: o.stallMs ?? 300, maxWait: o.maxWaitMs ?? 2_000 });
    for await (const m of answers) out.push(parseInstance(m));
  } catch {
    // No responders: no node runs.
  }
  return out.sort((a, b) => String(a.node).localeCompare(String(b.node)) || (a.pid ?? 0) - (b.pid ?? 0));
}

/**
 * What `qt doctor` says about the nodes on a NATS system. Two nodes starting in the same instant can
 * both pass `claimNode`; this is where an operator sees it.
 */
export function judgeNodes(nodes: Array<Partial<NodeInstance>>): { status: 'pass' | 'fail' | 'unavailable'; detail: string } {
  if (nodes.length === 0) return { status: 'unavailable', detail: `no node answered on ${subjects.control('node', 'instance')}` };
  const list = nodes.map((n) => `${n.node ?? '?'} (${who(n)}, leases ${n.cluster ? 'on' : 'off'})`).join('; ');
  const ids = nodes.map((n) => n.node);
  const dup = ids.filter((id, i) => ids.indexOf(id) !== i);
  if (dup.length) return { status: 'fail', detail: `node id ${[...new Set(dup)].join(', ')} runs in more than one process: ${list}` };
  const solo = nodes.filter((n) => n.cluster !== true);
  if (nodes.length > 1 && solo.length) return { status: 'fail', detail: `${nodes.length} nodes and ${solo.map((n) => n.node ?? '?').join(', ')} without leases: they run the same actors: ${list}` };
  return { status: 'pass', detail: `${nodes.length} node${nodes.length > 1 ? 's' : ''}: ${list}` };
}
