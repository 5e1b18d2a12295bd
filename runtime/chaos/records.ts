import { BUCKETS, STREAMS, subjects, type JournalEntry, type OrderEvent, type PositionUpdate, type SupervisionEvent } from '../../protocols/index.js';
import { decode } from '../codec.js';
import { scanKv, type Bus } from '../nats/index.js';
import { readStream } from '../testing/wait.js';
import type { SimHistory } from './types.js';

/** The simulator's complete record: every accepted order, every trade, every reject. */
export async function simHistory(simUrl: string): Promise<SimHistory> {
  const r = await fetch(`${simUrl}/sim/history`);
  if (!r.ok) throw new Error(`GET ${simUrl}/sim/history: HTTP ${r.status}`);
  return (await r.json()) as SimHistory;
}

/** A hosted actor's KV record, as far as the invariants care. */
export interface ActorRecord {
  key: string;
  status: string | undefined;
  error: unknown;
}

/** Everything the runtime says happened, read back from JetStream and KV. */
export interface RuntimeRecords {
  orderEvents: OrderEvent[];
  journalFills: JournalEntry[];
  /** Last position update per symbol. */
  positions: Map<string, PositionUpdate>;
  supervision: SupervisionEvent[];
  actors: ActorRecord[];
}

/** Reads the runtime's side of the story. `since` (JetStream stream seq) is not used: invariants hold over the whole run. */
export async function runtimeRecords(bus: Bus): Promise<RuntimeRecords> {
  const [events, fills, pos, sup] = await Promise.all([
    readStream<OrderEvent>(bus, STREAMS.orders, subjects.orderEach('event')),
    readStream<JournalEntry>(bus, STREAMS.journal, subjects.journal('fill')),
    readStream<PositionUpdate>(bus, STREAMS.positions, subjects.positionAll),
    readStream<SupervisionEvent>(bus, STREAMS.supervision, subjects.supervisionAll),
  ]);
  const positions = new Map<string, PositionUpdate>();
  for (const m of pos) {
    const p = m.data;
    if (!p || typeof p.symbol !== 'string') continue;
    const prev = positions.get(p.symbol);
    // Stream order is publication order; ts breaks nothing but guards a replayed outbox.
    if (!prev || p.ts >= prev.ts) positions.set(p.symbol, p);
  }
  return {
    orderEvents: events.map((m) => m.data).filter((e): e is OrderEvent => !!e && typeof e.clientOrderId === 'string'),
    journalFills: fills.map((m) => m.data).filter((j): j is JournalEntry => !!j && j.kind === 'fill'),
    positions,
    supervision: sup.map((m) => m.data).filter((e): e is SupervisionEvent => !!e && typeof e.path === 'string'),
    actors: await actorRecords(bus, ['orders.*', 'position.*']),
  };
}

/** KV `qt_actors` records under the given key filters (XState persisted snapshot status). */
export async function actorRecords(bus: Bus, filters: string[]): Promise<ActorRecord[]> {
  const out: ActorRecord[] = [];
  const seen = new Set<string>();
  for (const f of filters) {
    for (const { key, value } of await scanKv(bus, BUCKETS.actors, f)) {
      if (seen.has(key) || key.endsWith('.poisoned')) continue;
      seen.add(key);
      if (value.length === 0) continue;
      try {
        const rec = decode<{ snapshot?: { status?: string; error?: unknown } }>(value);
        out.push({ key, status: rec.snapshot?.status, error: rec.snapshot?.error });
      } catch {
        out.push({ key, status: 'undecodable', error: 'KV record is not msgpack' });
      }
    }
  }
  return out;
}
