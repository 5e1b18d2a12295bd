import { DeliverPolicy } from '@nats-io/jetstream';
import type { Bus } from '../nats/index.js';
import { decode } from '../codec.js';

/** Polls `cond` until it is truthy; fails with `what` after `timeoutMs`. Not a timing assertion. */
export async function until<T>(cond: () => T | Promise<T>, what: string, timeoutMs = 10_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await cond();
    if (v) return v as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export interface StoredMsg<T = unknown> {
  seq: number;
  subject: string;
  data: T;
  raw: Uint8Array;
  headers: Record<string, string>;
}

/** Reads every message currently in `stream` matching `subject` (wildcards allowed), in order. */
export async function readStream<T = unknown>(bus: Bus, stream: string, subject: string, opts: { decode?: boolean } = {}): Promise<StoredMsg<T>[]> {
  const info = await bus.jsm.streams.info(stream);
  const last = info.state.last_seq;
  if (info.state.messages === 0) return [];
  const c = await bus.js.consumers.get(stream, { filter_subjects: subject, deliver_policy: DeliverPolicy.All });
  const out: StoredMsg<T>[] = [];
  const pending = (await c.info()).num_pending;
  if (pending === 0) return [];
  const iter = await c.fetch({ max_messages: pending, expires: 2_000 });
  for await (const m of iter) {
    const headers: Record<string, string> = {};
    if (m.headers) for (const [k, v] of m.headers) headers[k] = v[0] ?? '';
    out.push({ seq: m.seq, subject: m.subject, raw: m.data, headers, data: (opts.decode === false ? undefined : safeDecode(m.data)) as T });
    if (m.seq >= last || out.length >= pending) break;
  }
  return out;
}

function safeDecode(b: Uint8Array): unknown {
  try {
    return decode(b);
  } catch {
    return undefined;
  }
}
