import type { Bus } from './connection.js';

/** One key's latest value as of the scan. */
export interface KvScanEntry {
  key: string;
  value: Uint8Array;
  revision: number;
}

/** Gets in flight at once: a lease bucket of a few hundred symbols is read in a few round trips. */
const PARALLEL = 64;

/**
 * The latest value of every live key under `filter`: the keys the stream holds when the call is
 * made (STREAM.INFO with a subjects filter, paged by the client), then each key's last value.
 *
 * Not `kv.keys()`: in @nats-io/kv 3.x it ends only when a delivered message has nothing pending
 * behind it or its consumer idles for 5 s, so a key rewritten faster than the scan drains (a lease
 * heartbeat every 300 ms, an actor's state on every input) keeps it chasing new writes and it never
 * ends. Seen: a lease pass stuck for as long as a peer kept heartbeating, so that peer's symbols
 * were never shared out. A last-per-subject consumer is no cure either: in a history-1 bucket a
 * rewrite deletes the message the consumer was about to deliver, and its pending count can read 0
 * with a live key still undelivered.
 */
export async function scanKv(bus: Bus, bucket: string, filter: string): Promise<KvScanEntry[]> {
  const prefix = `$KV.${bucket}.`;
  const info = await bus.jsm.streams.info(`KV_${bucket}`, { subjects_filter: `${prefix}${filter}` });
  const keys = Object.keys(info.state.subjects ?? {}).map((s) => s.slice(prefix.length)).sort();
  const kv = await bus.kvm.open(bucket);
  const out: KvScanEntry[] = [];
  for (let i = 0; i < keys.length; i += PARALLEL) {
    const entries = await Promise.all(keys.slice(i, i + PARALLEL).map((k) => kv.get(k)));
    // A key deleted since the listing reads as a delete marker (or nothing): it is not live.
    for (const e of entries) if (e && e.operation === 'PUT') out.push({ key: e.key, value: e.value, revision: e.revision });
  }
  return out;
}
