import type { ConsumerConfig } from '@nats-io/jetstream';
import type { Logger } from 'pino';
import type { Bus } from './connection.js';

/** What `ensureDurable` did. */
export type DurableOutcome = 'created' | 'unchanged' | 'updated' | 'kept';

/** The limits a running durable may have changed under it; everything else defines the consumer. */
const UPDATABLE = ['max_ack_pending', 'ack_wait'] as const;

/**
 * Creates a durable consumer, or brings an existing one's limits to `config`. Durables outlive
 * releases, so a default changed in code (or in config) would otherwise wait until someone
 * deleted the consumer by hand. An existing durable is never recreated: that would move its
 * position (a `new` or start-time policy would skip or replay messages).
 *
 * nats-server 2.9 refuses every update of a consumer made with a start time ("start time can not
 * be updated"), even one that keeps it; then the old limits stay and the log says how to apply them.
 */
export async function ensureDurable(
  bus: Bus, stream: string, config: Partial<ConsumerConfig> & { durable_name: string }, log: Logger,
): Promise<DurableOutcome> {
  const name = config.durable_name;
  const existing = await bus.jsm.consumers.info(stream, name).catch(() => undefined);
  if (!existing) {
    await bus.jsm.consumers.add(stream, config);
    return 'created';
  }
  if (config.filter_subject !== undefined && existing.config.filter_subject !== config.filter_subject) {
    log.warn({ stream, durable: name, filter: existing.config.filter_subject, configured: config.filter_subject },
      'a durable consumer filters another subject than this release expects; delete it while the node is stopped');
  }
  const diff: Partial<ConsumerConfig> = {};
  for (const k of UPDATABLE) if (config[k] !== undefined && existing.config[k] !== config[k]) Object.assign(diff, { [k]: config[k] });
  if (Object.keys(diff).length === 0) return 'unchanged';
  const from = Object.fromEntries(Object.keys(diff).map((k) => [k, existing.config[k as keyof ConsumerConfig]]));
  try {
    await bus.jsm.consumers.update(stream, name, diff);
    log.info({ stream, durable: name, from, to: diff }, 'durable consumer limits updated');
    return 'updated';
  } catch (err) {
    if (!/start time can not be updated/i.test((err as Error).message)) throw err;
    log.warn({ stream, durable: name, from, to: diff },
      'this nats-server cannot update a consumer made with a start time; its limits stay as created (delete the durable while the node is stopped to apply the new ones)');
    return 'kept';
  }
}
