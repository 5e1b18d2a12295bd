import { DLQ_REASON_HEADER, DLQ_SOURCE_HEADER, signalMsgId, subjects, type Signal } from '../../protocols/index.js';
import { encode, msgHeaders } from '../codec.js';
import type { Bus } from '../nats/index.js';

/** Where the brain reports: the supervisor and CLM machines' inputs. */
export interface FeedTargets {
  supervisor: string;
  clm: string;
}

/** Default targets: `qt.in.model-supervisor.main` and `qt.in.clm.main`. */
export const FEED_TARGETS: FeedTargets = {
  supervisor: subjects.actorInput('model-supervisor', 'main'),
  clm: subjects.actorInput('clm', 'main'),
};

/** Publishes with msgpack + content type; `msgId` makes a redelivered batch dedup in JetStream. */
export async function publish(bus: Bus, subject: string, data: unknown, msgId?: string, headers: Record<string, string> = {}): Promise<void> {
  await bus.js.publish(subject, encode(data), { headers: msgHeaders(headers), ...(msgId ? { msgID: msgId } : {}) });
}

/**
 * A close's signals, strongest first: BUY/SELL by confidence, HOLD last. Strategy and risk take
 * them in stream order, so when the order rate admits only some entries of a close (ORDER_RATE at
 * 500 symbols), the ones admitted are the most confident instead of the first symbols by name.
 */
export function rankSignals(signals: readonly Signal[]): Signal[] {
  const score = (s: Signal) => (s.side === 'HOLD' ? -1 : s.confidence);
  return [...signals].sort((a, b) => score(b) - score(a));
}

/** Publishes signals on `qt.signal.<SYM>` with their deterministic msgIds, all in flight at once. */
export async function publishSignals(bus: Bus, signals: readonly Signal[]): Promise<void> {
  await Promise.all(signals.map((s) => publish(bus, subjects.signal(s.symbol), s, signalMsgId(s))));
}

/** Dead-letters an input the brain cannot read (kept byte for byte, with the reason). */
export async function deadLetter(bus: Bus, raw: Uint8Array, subject: string, seq: number, reason: string): Promise<void> {
  await bus.js.publish(subjects.dlq('ai.features'), raw, {
    headers: msgHeaders({ [DLQ_REASON_HEADER]: reason.slice(0, 1024).replace(/[\r\n]+/g, ' '), [DLQ_SOURCE_HEADER]: subject, 'Qt-Dlq-Seq': String(seq) }),
    msgID: `dlq:ai:${seq}`,
  });
}
