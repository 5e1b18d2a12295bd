import type { ActorRecord } from '../../protocols/index.js';
import { encode, msgHeaders } from '../codec.js';
import type { Bus } from '../nats/index.js';

export type Output = ActorRecord['outbox'][number];

/** Publishes outputs with their msgIDs, all in flight at once; resolves when every ack is in. */
export async function publishOutputs(bus: Bus, outputs: Output[]): Promise<void> {
  if (outputs.length === 0) return;
  await Promise.all(
    outputs.map((o) =>
      // Dead letters keep the offender's original bytes, so they are published raw.
      bus.js.publish(o.subject, o.raw ? (o.data as Uint8Array) : encode(o.data), { msgID: o.msgId, headers: msgHeaders(o.headers) }),
    ),
  );
}

/**
 * Republishes the outbox of a restored record. Within the dedup window JetStream drops what was
 * already published; past it, we look at the last message on each subject so an output that made
 * it out before the crash is not sent twice.
 */
export async function republishOutbox(bus: Bus, record: ActorRecord, now: number, duplicateWindowMs: number): Promise<number> {
  if (!record.outbox.length) return 0;
  if (now - record.ts < duplicateWindowMs * 0.8) {
    await publishOutputs(bus, record.outbox);
    return record.outbox.length;
  }
  const pending: Output[] = [];
  const bySubject = new Map<string, Output[]>();
  for (const o of record.outbox) bySubject.set(o.subject, [...(bySubject.get(o.subject) ?? []), o]);
  for (const [subject, outs] of bySubject) {
    const stream = await bus.jsm.streams.find(subject).catch(() => undefined);
    const last = stream ? await bus.jsm.streams.getMessage(stream, { last_by_subj: subject }).catch(() => undefined) : undefined;
    const lastId = last?.header?.get('Nats-Msg-Id');
    const idx = lastId ? outs.findIndex((o) => o.msgId === lastId) : -1;
    pending.push(...outs.slice(idx + 1));
  }
  await publishOutputs(bus, pending);
  return pending.length;
}
