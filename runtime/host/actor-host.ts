import { createActor, type Actor, type AnyStateMachine, type EventObject } from 'xstate';
import { AckPolicy, DeliverPolicy, type ConsumerMessages, type JsMsg } from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import {
  actorConsumer, actorKey, FRESH_START_EVENT, OUTPUT_EVENT, streamOf, subjects, TIMER_EVENT,
  type ActorRecord, type JournalEntry, type OutputEvent,
} from '../../protocols/index.js';
import { decode, encode, msgHeaders } from '../codec.js';
import { BadInputError, InjectedCrash, RuntimeError } from '../errors.js';
import { publishOutputs, republishOutbox, type Output } from './outbox.js';
import type { SnapshotStore } from './store.js';
import { TimerSync } from './timers.js';
import type { ActorDefinition, HostDeps, HostTelemetry } from './types.js';
import { DLQ_REASON_HEADER, DLQ_SOURCE_HEADER } from '../../protocols/index.js';

/** How a hosted actor ended; structurally the supervisor's ExitReason. */
export type HostExit = { kind: 'normal' } | { kind: 'shutdown' } | { kind: 'crash'; error: Error };

/** A running hosted actor. Structurally a supervisor ChildHandle. */
export interface HostedActor {
  readonly key: string;
  readonly exited: Promise<HostExit>;
  stop(): Promise<void>;
  kill(): void;
  inject(error: Error): void;
  info(): Record<string, unknown>;
  /** The live XState actor, for read-only inspection. */
  readonly actor: Actor<AnyStateMachine>;
  /** Resolves once every input queued so far has been applied, stored and published. */
  idle(): Promise<void>;
}

type Item = { kind: 'msg'; m: JsMsg; i: number } | { kind: 'timer'; name: string; dueAt: number };

/** Bounds on silent inputs left unstored (`lazySilentInputs`): the replay after a restart. */
const LAZY_MAX_INPUTS = 64;
const LAZY_MAX_MS = 30_000;

const RESERVED = new Set([TIMER_EVENT, FRESH_START_EVENT, OUTPUT_EVENT]);

/** The parse used when a definition has none: an object with a string, non-reserved `type`. */
export function defaultParse(payload: unknown): EventObject {
  if (!payload || typeof payload !== 'object' || Array.isArray(payload)) throw new BadInputError('payload is not an object');
  const type = (payload as { type?: unknown }).type;
  if (typeof type !== 'string' || type.length === 0) throw new BadInputError("payload has no string 'type'");
  if (RESERVED.has(type) || type.startsWith('xstate.')) throw new BadInputError(`event type '${type}' is reserved`);
  return payload as EventObject;
}

function asError(e: unknown): Error {
  return e instanceof Error ? e : new RuntimeError(String(e));
}

/** One config-derived context field that differs between a restored snapshot and the current config. */
export interface ConfigChange {
  field: string;
  from: unknown;
  to: unknown;
}

/** A restored snapshot with `def.configFields` taken from a fresh context for the current config. */
function withConfig(def: ActorDefinition, restored: unknown, input: unknown): { snapshot: unknown; changes: ConfigChange[] } {
  const snap = restored as { context?: Record<string, unknown> };
  if (!snap.context) return { snapshot: restored, changes: [] };
  const fresh = (createActor(def.machine, { input }).getSnapshot() as { context: Record<string, unknown> }).context;
  const changes = def.configFields!
    .filter((f) => f in fresh && JSON.stringify(snap.context![f]) !== JSON.stringify(fresh[f]))
    .map((field) => ({ field, from: snap.context![field], to: fresh[field] }));
  if (changes.length === 0) return { snapshot: restored, changes };
  return { snapshot: { ...snap, context: { ...snap.context, ...Object.fromEntries(changes.map((c) => [c.field, c.to])) } }, changes };
}

/**
 * A policy journal entry for limits that changed between runs: a fund's audit trail has to show
 * when a risk limit moved, not only the host's log. Its msgID is the restored revision's, so a
 * restart that restores the same snapshot again does not write it twice.
 */
async function journalConfigChange(bus: HostDeps['bus'], key: string, revision: number, ts: number, changes: ConfigChange[]): Promise<void> {
  const entry: JournalEntry = {
    kind: 'policy', ts,
    summary: `${key}: configuration changed since its snapshot (${changes.map((c) => c.field).join(', ')}); the current config applies`,
    data: { actor: key, reason: 'config_changed', changes },
  };
  await bus.js.publish(subjects.journal('policy'), encode(entry), { msgID: `cfg:${key}:${revision}`, headers: msgHeaders() });
}

/**
 * Starts one actor: restore from KV, re-arm timers, republish the last outbox, then apply inputs
 * in batches. Per batch: transition every input (skipping seq ≤ cursor, dead-lettering bad ones),
 * store snapshot + cursor + outputs with compare-and-set, publish outputs, then ack.
 */
export async function startHostedActor(
  def: ActorDefinition,
  id: string,
  deps: HostDeps & { store: SnapshotStore },
  opts: { fresh?: boolean } = {},
): Promise<HostedActor> {
  const key = actorKey(def.kind, id);
  const { bus, clock, store, logger } = deps;
  const log = logger.child({ actor: key });
  const parse = def.parse ?? defaultParse;

  let { record, revision } = await store.load(key);
  const inputs = def.input ? [def.input, ...(def.extraInputs ?? [])] : [];
  const cursors = inputs.map((_, i) => record?.cursors?.[i] ?? (i === 0 ? (record?.cursor ?? 0) : 0));
  if (cursors.length === 0) cursors.push(record?.cursor ?? 0);
  let freshReason: string | undefined;
  if (record && record.v !== def.version) freshReason = `machine version ${record.v} → ${def.version}`;
  if (record && opts.fresh) {
    freshReason = 'restored snapshot crash-looped';
    await store.quarantine(key, record);
  }
  const restore = record && !freshReason ? record.snapshot : undefined;

  const emitted: OutputEvent[] = [];
  let resolveExit!: (r: HostExit) => void;
  const exited = new Promise<HostExit>((r) => (resolveExit = r));
  let state: 'starting' | 'running' | 'ended' = 'starting';
  const subs: ConsumerMessages[] = [];
  const queue: Item[] = [];
  const inflight = new Set<JsMsg>();
  let draining: Promise<void> | undefined;
  let processed = 0;
  let batches = 0;
  /** Cursor whose snapshot is stored, outputs published and inputs acked. */
  let committed = [...cursors];

  const input = def.initialInput?.(id) ?? { id };
  const configured = restore && def.configFields?.length ? withConfig(def, restore, input) : { snapshot: restore, changes: [] };
  const snapshot = configured.snapshot;
  if (configured.changes.length) log.info({ fields: configured.changes.map((c) => c.field) }, 'configuration changed since the snapshot was stored: applied to the restored state');
  const actor = createActor(def.machine, snapshot ? { snapshot: snapshot as never, input } : { input }) as Actor<AnyStateMachine>;
  actor.on('*', (ev: EventObject) => {
    if (ev.type === OUTPUT_EVENT) emitted.push(ev as OutputEvent);
  });

  const end = (reason: HostExit) => {
    if (state === 'ended') return;
    const wasStarting = state === 'starting';
    state = 'ended';
    timers.clear();
    for (const s of subs) void s.stop();
    // Unacked inputs are not nak'd: the next start recreates the consumer from the ack floor,
    // so they come back at once either way (and after a kill -9 too).
    inflight.clear();
    queue.length = 0;
    try {
      actor.stop();
    } catch {
      /* an errored actor may throw on stop; it is gone either way */
    }
    if (reason.kind === 'crash') log.warn({ err: reason.error }, 'actor crashed');
    if (!wasStarting) resolveExit(reason);
  };
  const fail = (e: unknown) => end({ kind: 'crash', error: asError(e) });
  actor.subscribe({ error: (err) => fail(err) });

  const timers = new TimerSync(clock, (name, dueAt) => {
    if (state !== 'running') return;
    queue.push({ kind: 'timer', name, dueAt });
    kick();
  });

  const send = (event: EventObject & Record<string, unknown>) => {
    emitted.length = 0;
    actor.send(event);
    const snap = actor.getSnapshot();
    if (snap.status === 'error') throw asError(snap.error);
  };

  let silent = 0;
  let storedAt = clock.now();
  const step = async (batch: Item[]) => {
    const t0 = deps.telemetry ? performance.now() : 0;
    const outputs: Output[] = [];
    const acks: Array<JsMsg | undefined> = [];
    let changed = false;
    for (const item of batch) {
      if (item.kind === 'timer') {
        send({ type: TIMER_EVENT, name: item.name, dueAt: item.dueAt, at: clock.now() });
        emitted.forEach((o, n) => outputs.push({ subject: o.subject, data: o.data, msgId: o.msgId ?? `${key}:t${item.dueAt}.${item.name}:${n}` }));
        changed = true;
        continue;
      }
      const { m, i } = item;
      acks[i] = m;
      if (m.seq <= cursors[i]!) continue; // redelivered after a crash between store and ack: already applied
      const at = i === 0 ? `${m.seq}` : `${i}.${m.seq}`;
      const crash = deps.crashes.get(key);
      let reason: string | undefined;
      let event: EventObject | undefined;
      if (crash && crash.at === at && crash.count >= deps.host.poisonDeliveries - 1) {
        reason = `input crashed ${key} ${crash.count} times: ${crash.error}`;
        deps.crashes.delete(key);
      } else {
        try {
          if (m.data.length > deps.host.maxPayload) throw new BadInputError(`oversized payload: ${m.data.length} bytes > ${deps.host.maxPayload}`);
          event = parse(decode(m.data), m.subject);
        } catch (e) {
          reason = asError(e).message;
        }
      }
      if (reason !== undefined || !event) {
        outputs.push(dlqOutput(key, m, at, reason ?? 'rejected'));
        log.warn({ seq: m.seq, subject: m.subject, reason }, 'input dead-lettered');
      } else {
        const before = def.lazySilentInputs ? actor.getSnapshot() : undefined;
        try {
          send({ ...event, at: clock.now() });
        } catch (e) {
          const prev = deps.crashes.get(key);
          deps.crashes.set(key, { at, count: prev?.at === at ? prev.count + 1 : 1, error: asError(e).message });
          throw e;
        }
        if (before && emitted.length === 0 && actor.getSnapshot() === before) {
          cursors[i] = m.seq;
          silent++;
          continue;
        }
        emitted.forEach((o, n) => outputs.push({ subject: o.subject, data: o.data, msgId: o.msgId ?? `${key}:${at}:${n}`, ...(o.headers ? { headers: o.headers } : {}) }));
      }
      cursors[i] = m.seq;
      changed = true;
    }
    // Silent inputs wait for the next store, within bounds: a restart replays at most this many.
    if (!changed && silent > 0 && (silent >= LAZY_MAX_INPUTS || clock.now() - storedAt >= LAZY_MAX_MS)) changed = true;
    if (changed) {
      silent = 0;
      storedAt = clock.now();
      const rec: ActorRecord = { v: def.version, snapshot: actor.getPersistedSnapshot(), cursor: cursors[0]!, cursors: [...cursors], outbox: outputs, ts: clock.now(), node: deps.node };
      revision = await store.save(key, rec, revision);
      deps.faults?.afterPersist?.(cursors[0]!);
      await publishOutputs(bus, outputs);
      deps.faults?.afterPublish?.(cursors[0]!);
    }
    // AckAll: the batch is stored as a whole, so acking its last input acks every earlier one.
    for (const last of acks) last?.ack();
    let n = 0;
    for (const item of batch) if (item.kind === 'msg') (inflight.delete(item.m), n++);
    if (deps.telemetry) report(deps.telemetry, def.kind, t0, batch, inputs, outputs);
    processed += n;
    batches++;
    committed = [...cursors];
    timers.sync(actor.getSnapshot().context);
    if (actor.getSnapshot().status === 'done') end({ kind: 'normal' });
  };

  const kick = () => {
    if (draining || state !== 'running') return;
    draining = (async () => {
      // Yield first so `draining` is assigned before the finally block clears it.
      await null;
      try {
        while (queue.length && state === 'running') await step(queue.splice(0, deps.host.maxAckPending));
      } catch (e) {
        fail(e);
      } finally {
        draining = undefined;
      }
    })();
  };

  try {
    actor.start();
    if (actor.getSnapshot().status === 'error') throw asError(actor.getSnapshot().error);
    if (!record || freshReason) {
      const outbox: Output[] = [];
      if (freshReason) {
        send({ type: FRESH_START_EVENT, reason: freshReason, at: clock.now() });
        emitted.forEach((o, n) => outbox.push({ subject: o.subject, data: o.data, msgId: o.msgId ?? `${key}:fresh${revision}:${n}` }));
        log.warn({ reason: freshReason }, 'fresh start: snapshot dropped, cursor kept');
      }
      const rec: ActorRecord = { v: def.version, snapshot: actor.getPersistedSnapshot(), cursor: cursors[0]!, cursors: [...cursors], outbox, ts: clock.now(), node: deps.node };
      revision = await store.save(key, rec, revision);
      await publishOutputs(bus, outbox);
    } else {
      await republishOutbox(bus, record, clock.now(), deps.duplicateWindowMs);
      if (configured.changes.length) await journalConfigChange(bus, key, revision, clock.now(), configured.changes);
    }
    timers.sync(actor.getSnapshot().context);
    for (let i = 0; i < inputs.length; i++) subs.push(await openInput(inputs[i]!, i, cursors[i]!));
  } catch (e) {
    end({ kind: 'crash', error: asError(e) });
    throw e;
  }
  state = 'running';
  for (const s of subs) {
    void (async () => {
      for await (const n of s.status()) {
        if (n.type === 'consumer_deleted' || n.type === 'consumer_not_found' || n.type === 'stream_not_found') {
          fail(new RuntimeError(`input consumer of ${key}: ${n.type}`, { retryable: true }));
        }
      }
    })().catch(() => undefined);
  }
  kick();

  return {
    key,
    exited,
    actor,
    async stop() {
      if (state !== 'running') return;
      await Promise.all(subs.map((s) => s.close().catch(() => undefined)));
      if (draining) await draining;
      end({ kind: 'shutdown' });
    },
    kill() {
      end({ kind: 'shutdown' });
    },
    inject(error: Error) {
      fail(error instanceof Error ? error : new InjectedCrash());
    },
    info() {
      const snap = actor.getSnapshot();
      return { cursor: committed[0], cursors: committed, revision, queued: queue.length, processed, batches, state: snap.value, timers: timers.size, ...def.status?.(snap.context as never) };
    },
    async idle() {
      while (state === 'running' && (queue.length || draining)) await (draining ?? Promise.resolve());
    },
  };

  async function openInput(input: NonNullable<ActorDefinition['input']>, i: number, from: number): Promise<ConsumerMessages> {
    const stream = input.stream;
    const name = i === 0 ? actorConsumer(def.kind, id) : `${actorConsumer(def.kind, id)}_${i}`;
    const existing = await bus.jsm.consumers.info(stream, name).catch(() => undefined);
    let startSeq = from + 1;
    if (existing) {
      // Recreate from the older of our cursor and the consumer's ack floor: unacked inputs come back
      // at once (no ack_wait stall after a kill -9), and those already applied are skipped by seq.
      startSeq = Math.max(1, Math.min(from + 1, existing.ack_floor.stream_seq + 1));
      await bus.jsm.consumers.delete(stream, name);
    }
    await bus.jsm.consumers.add(stream, {
      durable_name: name,
      filter_subject: input.subject(id),
      ack_policy: AckPolicy.All,
      deliver_policy: DeliverPolicy.StartSequence,
      opt_start_seq: startSeq,
      max_ack_pending: deps.host.maxAckPending,
      ack_wait: nanos(deps.host.ackWaitSec * 1_000),
    });
    const consumer = await bus.js.consumers.get(stream, name);
    return consumer.consume({
      max_messages: deps.host.maxAckPending,
      callback: (m) => {
        if (state === 'ended') return;
        inflight.add(m);
        queue.push({ kind: 'msg', m, i });
        kick();
      },
    });
  }
}

/** One batch's telemetry: its time, each input's delay since JetStream stored it, and traffic per stream. */
function report(t: HostTelemetry, kind: string, t0: number, batch: Item[], inputs: NonNullable<ActorDefinition['input']>[], outputs: Output[]): void {
  const now = Date.now();
  t.batch(kind, (performance.now() - t0) / 1_000);
  const add = (m: Map<string, number>, stream: string | undefined) => stream && m.set(stream, (m.get(stream) ?? 0) + 1);
  const ins = new Map<string, number>();
  const outs = new Map<string, number>();
  for (const item of batch) {
    if (item.kind !== 'msg') continue;
    add(ins, inputs[item.i]?.stream);
    t.inputDelay(kind, Math.max(0, now - item.m.info.timestampNanos / 1e6) / 1_000);
  }
  for (const o of outputs) add(outs, streamOf(o.subject));
  for (const [stream, n] of ins) t.io('in', stream, n);
  for (const [stream, n] of outs) t.io('out', stream, n);
}

function dlqOutput(key: string, m: JsMsg, at: string, reason: string): Output {
  return {
    subject: subjects.dlq(key),
    data: m.data,
    raw: true,
    headers: { [DLQ_REASON_HEADER]: reason.slice(0, 1024).replace(/[\r\n]+/g, ' '), [DLQ_SOURCE_HEADER]: m.subject, 'Qt-Dlq-Seq': String(m.seq) },
    msgId: `dlq:${key}:${at}`,
  };
}
