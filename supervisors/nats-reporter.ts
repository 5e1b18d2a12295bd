import type { KV } from '@nats-io/kv';
import { BUCKETS, subjects, supervisorKey, type NodeStatusRecord, type SupervisionEvent } from '../protocols/index.js';
import { encode, msgHeaders } from '../runtime/codec.js';
import { scanKv, type Bus } from '../runtime/nats/index.js';
import type { SupervisionReporter } from './types.js';

export interface NatsReporter extends SupervisionReporter {
  /** Resolves when every event and status write issued so far is acknowledged. */
  flush(): Promise<void>;
}

export interface NatsReporterOptions {
  bus: Bus;
  node: string;
  /** Called with publish/KV failures; supervision never waits on telemetry. */
  onError?: (err: unknown) => void;
  /** Also called for every event, e.g. to log it or feed metrics. */
  tap?: (e: SupervisionEvent) => void;
}

/**
 * Publishes every transition to `qt.sup.<path>.<event>` (stream QT_SUPERVISION) and keeps the
 * live status of each node in KV `qt_supervisors`. Calls return at once: events are sent in
 * order on the one connection, and status writes are coalesced per path so a restart storm costs
 * one KV write per node per tick.
 */
export async function createNatsReporter(opts: NatsReporterOptions): Promise<NatsReporter> {
  const kv: KV = await opts.bus.kvm.open(BUCKETS.supervisors);
  const onError = opts.onError ?? (() => undefined);
  const inflight = new Set<Promise<unknown>>();
  const dirty = new Map<string, NodeStatusRecord | null>();
  let scheduled = false;

  const track = (p: Promise<unknown>) => {
    const q = p.catch(onError).finally(() => inflight.delete(q));
    inflight.add(q);
  };

  const flushStatus = () => {
    scheduled = false;
    const batch = [...dirty];
    dirty.clear();
    for (const [path, rec] of batch) {
      if (rec) {
        const { children: _children, ...flat } = rec;
        track(kv.put(supervisorKey(path), encode(flat)));
      } else {
        track(kv.delete(supervisorKey(path)));
      }
    }
  };
  const schedule = () => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(flushStatus);
  };

  return {
    event(e) {
      const ev: SupervisionEvent = { ...e, node: e.node ?? opts.node };
      opts.tap?.(ev);
      track(opts.bus.js.publish(subjects.supervision(ev.path, ev.type), encode(ev), { headers: msgHeaders() }));
    },
    status(record) {
      dirty.set(record.path, { ...record, node: record.node ?? opts.node });
      schedule();
    },
    removed(path) {
      dirty.set(path, null);
      // Keys under a removed subtree go with it.
      track(
        (async () => {
          for (const { key } of await scanKv(opts.bus, BUCKETS.supervisors, `${supervisorKey(path)}.>`)) await kv.delete(key);
        })(),
      );
      schedule();
    },
    async flush() {
      if (scheduled) flushStatus();
      while (inflight.size) await Promise.all([...inflight]);
    },
  };
}
