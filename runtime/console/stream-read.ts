import { DeliverPolicy } from '@nats-io/jetstream';
import { decode } from '../codec.js';
import type { Bus } from '../nats/index.js';

/** Where a scan starts. */
export type ScanFrom = 'all' | 'last_per_subject' | { sinceMs: number };

/** One message of a scan, decoded. */
export interface ScannedMsg<T> {
  subject: string;
  seq: number;
  /** Server receive time, ms. */
  time: number;
  data: T;
}

export interface ScanOptions {
  /** @default 'all' */
  from?: ScanFrom;
  /** Messages per pull request. @default 1000 */
  batch?: number;
}

/**
 * Reads every message currently in `stream` matching `filter` (one ordered consumer, no state
 * left behind), calling `onMsg` in order; stops at the tail as it was when the scan started, so a
 * busy stream cannot keep a console refresh running forever. Undecodable payloads are skipped:
 * a reader for operators must not fail on one bad message.
 */
export async function scanStream<T>(bus: Bus, stream: string, filter: string, onMsg: (m: ScannedMsg<T>) => void, opts: ScanOptions = {}): Promise<number> {
  const info = await bus.jsm.streams.info(stream);
  if (info.state.messages === 0) return 0;
  const from = opts.from ?? 'all';
  const policy =
    from === 'all'
      ? { deliver_policy: DeliverPolicy.All }
      : from === 'last_per_subject'
        ? { deliver_policy: DeliverPolicy.LastPerSubject }
        : { deliver_policy: DeliverPolicy.StartTime, opt_start_time: new Date(from.sinceMs).toISOString() };
  const c = await bus.js.consumers.get(stream, { filter_subjects: filter, ...policy });
  let remaining = (await c.info()).num_pending;
  let seen = 0;
  const batch = opts.batch ?? 1_000;
  while (remaining > 0) {
    let got = 0;
    for await (const m of await c.fetch({ max_messages: Math.min(remaining, batch), expires: 2_000 })) {
      got++;
      seen++;
      let data: T | undefined;
      try {
        data = decode<T>(m.data);
      } catch {
        data = undefined;
      }
      if (data !== undefined) onMsg({ subject: m.subject, seq: m.seq, time: m.time.getTime(), data });
      remaining = m.info.pending;
      if (remaining === 0) break;
    }
    // An empty fetch means the server has nothing more for us (e.g. messages aged out meanwhile).
    if (got === 0) break;
  }
  return seen;
}
