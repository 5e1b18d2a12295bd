import { DeliverPolicy, type ConsumerMessages } from '@nats-io/jetstream';
import type { Logger } from 'pino';
import { STREAMS, SupervisionEventSchema, subjects, type SupervisionEvent } from '../../protocols/index.js';
import { decode } from '../codec.js';
import type { Bus } from '../nats/index.js';
import type { AlertRouter } from './router.js';
import { evaluateSupervision, initialSupervisionState, type CrashLoopOptions } from './rules-supervision.js';

export interface WatchSupervisionOptions {
  crashLoop?: CrashLoopOptions;
  /** `new`: only events from now on (a restarted watcher must not re-page old escalations). @default new */
  from?: 'new' | 'all';
  /** Every valid event, e.g. for `metrics.supervisionEvent`. */
  onEvent?: (e: SupervisionEvent) => void;
  logger?: Logger;
}

/** A running watcher. */
export interface SupervisionWatch {
  stop(): Promise<void>;
  /** Settles when the watcher ends (after `stop`, or if the consumer fails for good). */
  readonly done: Promise<void>;
}

/**
 * Follows QT_SUPERVISION with an ordered consumer (no durable state to clean up; it recreates
 * itself across reconnects) filtered on `qt.sup.>`, and routes escalation and crash-loop alerts.
 * One filter subject only: the 2.9 servers we support reject multiple.
 */
export async function watchSupervision(bus: Bus, router: AlertRouter, opts: WatchSupervisionOptions = {}): Promise<SupervisionWatch> {
  const consumer = await bus.js.consumers.get(STREAMS.supervision, {
    filter_subjects: subjects.supervisionAll,
    deliver_policy: opts.from === 'all' ? DeliverPolicy.All : DeliverPolicy.New,
  });
  const messages: ConsumerMessages = await consumer.consume();
  let state = initialSupervisionState();
  const done = (async () => {
    for await (const m of messages) {
      let event: SupervisionEvent;
      try {
        const parsed = SupervisionEventSchema.safeParse(decode(m.data));
        if (!parsed.success) throw new Error(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
        event = parsed.data;
      } catch (e) {
        opts.logger?.warn({ subject: m.subject, seq: m.seq, error: (e as Error).message }, 'skipping malformed supervision event');
        continue;
      }
      opts.onEvent?.(event);
      const r = evaluateSupervision(state, event, opts.crashLoop);
      state = r.state;
      for (const a of r.alerts) await router.route(a);
    }
  })().catch((e: unknown) => opts.logger?.error({ err: e }, 'supervision watcher ended'));
  return {
    done,
    async stop() {
      messages.stop();
      await done;
    },
  };
}
