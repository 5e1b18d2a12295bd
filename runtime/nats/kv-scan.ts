import { DeliverPolicy } from '@nats-io/jetstream';
import type { Bus } from './connection.js';

/** One key's latest value as of the scan. */
export interface KvScanEntry {
  key: string;
  /** Empty with `keysOnly`. */
  value: Uint8Array;
  revision: number;
}

export interface KvScanOptions {
  /** Headers only: the keys and revisions without the values. */
  keysOnly?: boolean;
  /** The scan fails (rather than hangs) past this. @default 10000 */
  timeoutMs?: number;
}

/**
 * The latest value of every live key under `filter`, as of the call.
 *
 * `kv.keys()` of @nats-io/kv 3.x ends only when a delivered message has no pending behind it or
 * the consumer idles for 5 s. A key rewritten faster than the scan drains — a lease heartbeat every
 * 300 ms, an actor's state on every input — keeps it chasing new writes, and it never ends (seen:
 * a lease pass stuck for as long as a peer kept heartbeating, so the peer's symbols were never
 * shared out). Here the count is fixed when the consumer is made: last-per-subject delivers the
 * snapshot's keys first, and the scan stops after that many.
 */
export async function scanKv(bus: Bus, bucket: string, filter: string, o: KvScanOptions = {}): Promise<KvScanEntry[]> {
  const prefix = `$KV.${bucket}.`;
  const oc = await bus.js.consumers.getPushConsumer(`KV_${bucket}`, {
    filter_subjects: `${prefix}${filter}`,
    deliver_policy: DeliverPolicy.LastPerSubject,
    headers_only: o.keysOnly === true,
  });
  const count = (await oc.info(true)).num_pending;
  const out: KvScanEntry[] = [];
  if (count === 0) {
    await oc.delete().catch(() => undefined);
    return out;
  }
  const iter = await oc.consume();
  const timeoutMs = o.timeoutMs ?? 10_000;
  let timedOut = false;
  const timer = setTimeout(() => ((timedOut = true), iter.stop()), timeoutMs);
  try {
    let seen = 0;
    for await (const m of iter) {
      seen++;
      const op = m.headers?.get('KV-Operation');
      if (op !== 'DEL' && op !== 'PURGE') out.push({ key: m.subject.slice(prefix.length), value: m.data, revision: m.seq });
      if (seen >= count || m.info.pending === 0) break;
    }
  } finally {
    clearTimeout(timer);
    iter.stop();
    // An ephemeral push consumer would otherwise linger on the server for its 5-minute inactivity window.
    await oc.delete().catch(() => undefined);
  }
  if (timedOut) throw new Error(`KV scan of ${bucket} ${filter} timed out after ${timeoutMs} ms (${out.length} of ${count} keys read)`);
  return out;
}
