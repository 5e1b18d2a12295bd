/**
 * Event trails: when an invariant breaks, the messages that show how — intent, risk verdict,
 * submit, exec, venue reports, order events, position updates, journal lines — for one symbol and
 * client order id, from the JetStream streams, in the order the server stored them.
 */
import { DeliverPolicy } from '@nats-io/jetstream';
import { STREAMS, subjects } from '../../protocols/index.js';
import { decode } from '../codec.js';
import type { Bus } from '../nats/index.js';
import type { Violation } from './types.js';

/** One stored message with its server timestamp. */
export interface TrailItem {
  /** Server receive time, wall ms. */
  at: number;
  stream: string;
  seq: number;
  subject: string;
  data: unknown;
  headers: Record<string, string>;
}

/** Every message of `stream` on `subject`, with server timestamps (bounded by `max`). */
export async function readTimed(bus: Bus, stream: string, subject: string, max = 20_000): Promise<TrailItem[]> {
  const info = await bus.jsm.streams.info(stream);
  if (info.state.messages === 0) return [];
  const c = await bus.js.consumers.get(stream, { filter_subjects: subject, deliver_policy: DeliverPolicy.All });
  const pending = Math.min((await c.info()).num_pending, max);
  const out: TrailItem[] = [];
  if (!pending) return out;
  for await (const m of await c.fetch({ max_messages: pending, expires: 3_000 })) {
    let data: unknown;
    try {
      data = decode(m.data);
    } catch {
      data = `<${m.data.length} undecodable bytes>`;
    }
    const headers: Record<string, string> = {};
    if (m.headers) for (const [k, v] of m.headers) headers[k] = v[0] ?? '';
    out.push({ at: Math.floor(m.info.timestampNanos / 1e6), stream, seq: m.seq, subject: m.subject, data, headers });
    if (out.length >= pending || m.info.pending === 0) break;
  }
  return out;
}

const str = (x: unknown) => (typeof x === 'string' ? x : undefined);

/** The client order id and intent id a message is about, whatever its shape. */
function keysOf(d: unknown): { coid?: string; intentId?: string } {
  const o = (d ?? {}) as Record<string, unknown>;
  const cmd = (o.command ?? {}) as Record<string, unknown>;
  const verdict = ((o.data as Record<string, unknown> | undefined)?.verdict ?? {}) as Record<string, unknown>;
  const coid = str(o.clientOrderId) ?? str(cmd.clientOrderId) ?? str(verdict.clientOrderId);
  const intentId = str(o.intentId) ?? str(cmd.intentId) ?? str(verdict.intentId);
  return { ...(coid ? { coid } : {}), ...(intentId ? { intentId } : {}) };
}

/** One line per message: time, subject, and the fields that tell the story. */
export function renderItem(i: TrailItem): string {
  const d = (i.data ?? {}) as Record<string, unknown>;
  const pick = (keys: string[]) => keys.filter((k) => d[k] !== undefined).map((k) => `${k}=${typeof d[k] === 'object' ? JSON.stringify(d[k]) : String(d[k])}`).join(' ');
  let body: string;
  if (typeof d.summary === 'string') body = d.summary;
  else if (i.subject.endsWith('.exec')) body = `${String(d.op)} ${JSON.stringify(d.command)}`;
  else if (i.subject.startsWith('qt.position.')) body = pick(['state', 'side', 'qty', 'avgEntry', 'stop', 'unprotectedSince', 'intentId']);
  else body = pick(['type', 'source', 'status', 'prev', 'leg', 'side', 'orderType', 'qty', 'filledQty', 'executedQty', 'stopPrice', 'reduceOnly', 'fill', 'reason', 'code', 'clientOrderId']);
  const why = i.headers['Qt-Dlq-Reason'] ? ` [dlq: ${i.headers['Qt-Dlq-Reason']}]` : '';
  return `${new Date(i.at).toISOString().slice(11, 23)} ${i.subject.padEnd(34)} ${body.slice(0, 400)}${why}`;
}

/**
 * The minimal trail of one violation: for a client order id, every message naming it or its
 * intent (and the symbol's position updates while it was live); for a symbol alone, its order
 * events, position updates and journal.
 */
export async function trailFor(bus: Bus, v: Pick<Violation, 'symbol' | 'clientOrderId'>, maxLines = 80): Promise<TrailItem[]> {
  if (!v.symbol) return [];
  const sym = v.symbol;
  const [intents, orders, positions, journal] = await Promise.all([
    readTimed(bus, STREAMS.intents, subjects.intent(sym)),
    readTimed(bus, STREAMS.orders, `qt.order.${sym}.>`),
    readTimed(bus, STREAMS.positions, `qt.position.${sym}.>`),
    readTimed(bus, STREAMS.journal, subjects.journalAll),
  ]);
  const mine = journal.filter((j) => (j.data as { symbol?: unknown })?.symbol === sym);
  let items: TrailItem[];
  if (v.clientOrderId && /^qt/.test(v.clientOrderId)) {
    const coids = new Set([v.clientOrderId]);
    const intentIds = new Set<string>();
    for (const m of [...orders, ...mine]) {
      const k = keysOf(m.data);
      if (k.coid && coids.has(k.coid) && k.intentId) intentIds.add(k.intentId);
    }
    // The whole trade: every leg of the same intent (entry, stop, take-profits, exits).
    for (const m of [...orders, ...mine]) {
      const k = keysOf(m.data);
      if (k.intentId && intentIds.has(k.intentId) && k.coid) coids.add(k.coid);
    }
    const related = (m: TrailItem) => {
      const k = keysOf(m.data);
      return (k.coid !== undefined && coids.has(k.coid)) || (k.intentId !== undefined && intentIds.has(k.intentId));
    };
    const picked = [...intents, ...orders, ...mine].filter(related);
    const from = Math.min(...picked.map((p) => p.at));
    const to = Math.max(...picked.map((p) => p.at)) + 1_000;
    items = [...picked, ...positions.filter((p) => related(p) || (p.at >= from && p.at <= to))];
  } else {
    items = [...orders.filter((o) => o.subject.endsWith('.event')), ...positions, ...mine.filter((j) => /fill|reconcile|exit|position/.test(j.subject))];
  }
  items.sort((a, b) => a.at - b.at || a.seq - b.seq);
  return items.length > maxLines ? [...items.slice(0, maxLines / 2), ...items.slice(-maxLines / 2)] : items;
}

/** A rendered trail for a report: heading, then one line per message. */
export async function renderTrail(bus: Bus, v: Violation): Promise<string> {
  const items = await trailFor(bus, v).catch((): TrailItem[] => []);
  const head = `trail for [${v.invariant}] ${v.symbol ?? ''} ${v.clientOrderId ?? ''}: ${v.detail}`;
  return [head, ...(items.length ? items.map((i) => `  ${renderItem(i)}`) : ['  (no messages found)'])].join('\n');
}
