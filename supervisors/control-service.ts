import { Svcm, type Service, type ServiceMsg } from '@nats-io/services';
import { SERVICES, subjects, walkTree, type NodeStatusRecord } from '../protocols/index.js';
import type { Bus } from '../runtime/nats/index.js';
import type { Supervisor } from './api.js';
import { isSupervisor } from './api.js';

/** Request body of restart / stop / kill: a full path (`root.x.y`) or a unique id / path suffix. */
export interface ControlRequest {
  target: string;
  reason?: string;
}

export interface ControlReply {
  ok: boolean;
  path?: string;
  error?: string;
  tree?: NodeStatusRecord;
}

/** Adds each live child's `info()` (e.g. an actor's cursor) to the status tree. */
export function treeWithInfo(root: Supervisor): NodeStatusRecord {
  const walk = (sup: Supervisor, rec: NodeStatusRecord): NodeStatusRecord => {
    const handles = new Map(sup.whichChildren().map((c) => [c.path, c.handle]));
    const children = rec.children?.map((c) => {
      const h = handles.get(c.path);
      if (isSupervisor(h)) return walk(h, c);
      const info = h?.info?.();
      return info ? { ...c, info } : c;
    });
    return { ...rec, ...(children ? { children } : {}) };
  };
  return walk(root, root.tree());
}

/** Resolves an operator's target to a full path: exact path, unique id, or unique path suffix. */
export function resolveTarget(tree: NodeStatusRecord, target: string): string {
  const all: NodeStatusRecord[] = [];
  walkTree(tree, (n) => all.push(n));
  if (all.some((n) => n.path === target)) return target;
  const hits = all.filter((n) => n.id === target || n.path.endsWith(`.${target}`));
  if (hits.length === 1) return hits[0]!.path;
  if (hits.length === 0) throw new Error(`no actor or supervisor matches '${target}'`);
  throw new Error(`'${target}' is ambiguous: ${hits.map((h) => h.path).join(', ')}`);
}

function parseRequest(m: ServiceMsg): ControlRequest {
  let body: unknown;
  try {
    body = m.data.length ? JSON.parse(new TextDecoder().decode(m.data)) : {};
  } catch {
    // A bare string is accepted too: `nats req qt.ctl.supervisor.kill root.symbols.BTCUSDT`.
    body = { target: new TextDecoder().decode(m.data).trim() };
  }
  const target = (body as { target?: unknown; path?: unknown })?.target ?? (body as { path?: unknown })?.path;
  if (typeof target !== 'string' || !target) throw new Error("request needs a 'target' (actor path or id)");
  const reason = (body as { reason?: unknown }).reason;
  return { target, ...(typeof reason === 'string' ? { reason } : {}) };
}

/**
 * The `qt-supervisor` NATS micro service: `status`, `restart`, `stop`, `kill`. Each endpoint
 * listens on `qt.ctl.supervisor.<op>` (any node answers) and `qt.ctl.supervisor.<node>.<op>`.
 * Replies are JSON so `nats req` and `nats micro` users can read them directly.
 */
export async function startControlService(bus: Bus, root: Supervisor, node: string, version = '0.1.0'): Promise<Service> {
  // @nats-io/services 3.0.0-25 pins an older nats-core; the connection API it uses is unchanged.
  const svc = await new Svcm(bus.nc as unknown as ConstructorParameters<typeof Svcm>[0]).add({
    name: SERVICES.supervisor,
    version,
    description: 'Quantum Trader supervision tree: status and control (kill is for chaos tests)',
    metadata: { node },
  });
  const reply = (m: ServiceMsg, r: ControlReply) => m.respond(JSON.stringify(r));
  const ops: Record<string, (req: ControlRequest | undefined) => Promise<ControlReply>> = {
    status: async () => ({ ok: true, tree: treeWithInfo(root) }),
    restart: async (req) => {
      const path = resolveTarget(root.tree(), req!.target);
      await root.restartChild(path);
      return { ok: true, path };
    },
    stop: async (req) => {
      const path = resolveTarget(root.tree(), req!.target);
      await root.stopChild(path);
      return { ok: true, path };
    },
    kill: async (req) => {
      const path = resolveTarget(root.tree(), req!.target);
      await root.kill(path, req!.reason ?? 'chaos kill');
      return { ok: true, path };
    },
  };
  for (const [op, run] of Object.entries(ops)) {
    const handler = (err: Error | null, m: ServiceMsg) => {
      if (err) return;
      void (async () => {
        try {
          reply(m, await run(op === 'status' ? undefined : parseRequest(m)));
        } catch (e) {
          m.respondError(400, (e as Error).message, JSON.stringify({ ok: false, error: (e as Error).message }));
        }
      })();
    };
    svc.addEndpoint(op, { subject: subjects.control('supervisor', op), handler, metadata: { scope: 'any' } });
    svc.addEndpoint(`${op}_${node.replace(/[^A-Za-z0-9_-]/g, '_')}`, { subject: subjects.control('supervisor', op, node), handler, metadata: { scope: 'node' }, queue: '' });
  }
  return svc;
}
