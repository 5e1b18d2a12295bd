import { DeliverPolicy } from '@nats-io/jetstream';
import { JOURNAL_KINDS, STREAMS, subjects, type JournalEntry } from '../../protocols/index.js';
import { decode } from '../codec.js';
import type { Bus } from '../nats/index.js';

export interface ReadOptions {
  /** Entries with `ts` in [from, to] (ms) are kept. */
  from?: number;
  to?: number;
  /**
   * Where the scan starts: at stream time `from − slackMs` (fast on a long journal), or `'all'`
   * when entry times run ahead of wall time (a sped-up simulation). @default 86400000
   */
  slackMs?: number | 'all';
}

export interface JournalRead {
  entries: JournalEntry[];
  /** Messages that were not decodable journal entries. */
  skipped: number;
}

const KINDS = new Set<string>(JOURNAL_KINDS);

function asEntry(v: unknown): JournalEntry | null {
  if (!v || typeof v !== 'object') return null;
  const e = v as Partial<JournalEntry>;
  if (typeof e.kind !== 'string' || !KINDS.has(e.kind) || typeof e.ts !== 'number' || !e.data || typeof e.data !== 'object') return null;
  return e as JournalEntry;
}

/**
 * Reads QT_JOURNAL with an ordered consumer (no durable state left behind; one filter subject, as
 * a 2.9 server requires) up to the last message stored when the read began.
 */
export async function readJournal(bus: Bus, o: ReadOptions = {}): Promise<JournalRead> {
  const info = await bus.jsm.streams.info(STREAMS.journal);
  const last = info.state.last_seq;
  if (info.state.messages === 0) return { entries: [], skipped: 0 };
  const slack = o.slackMs ?? 86_400_000;
  const start = o.from !== undefined && slack !== 'all' ? { opt_start_time: new Date(Math.max(0, o.from - slack)).toISOString() } : { deliver_policy: DeliverPolicy.All };
  const c = await bus.js.consumers.get(STREAMS.journal, { filter_subjects: subjects.journalAll, ...start });
  const entries: JournalEntry[] = [];
  let skipped = 0;
  if ((await c.info()).num_pending === 0) return { entries, skipped };
  const iter = await c.consume();
  for await (const m of iter) {
    let e: JournalEntry | null = null;
    try {
      e = asEntry(decode(m.data));
    } catch {
      e = null;
    }
    if (!e) skipped++;
    else if ((o.from === undefined || e.ts >= o.from) && (o.to === undefined || e.ts <= o.to)) entries.push(e);
    if (m.seq >= last || m.info.pending === 0) break;
  }
  iter.stop();
  return { entries, skipped };
}
