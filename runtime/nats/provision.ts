import { RetentionPolicy, StorageType, DiscardPolicy, type StreamConfig } from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import { BUCKETS, OBJECT_STORES, STREAMS, subjects } from '../../protocols/index.js';
import type { Config } from '../config/index.js';
import type { Bus } from './connection.js';
import { RuntimeError } from '../errors.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** The streams of DESIGN.md section 4, derived from config. */
export function streamConfigs(cfg: Config): Array<Partial<StreamConfig> & { name: string; subjects: string[] }> {
  const s = cfg.streams;
  const dup = nanos(s.duplicateWindowMin * 60_000);
  const base = { retention: RetentionPolicy.Limits, storage: StorageType.File, discard: DiscardPolicy.Old, num_replicas: cfg.nats.replicas, duplicate_window: dup };
  const short = nanos(s.shortMaxAgeDays * DAY);
  const long = nanos(s.longMaxAgeDays * DAY);
  return [
    { ...base, name: STREAMS.market, subjects: [subjects.marketAll], max_age: nanos(s.marketMaxAgeHours * HOUR), duplicate_window: nanos(Math.min(s.duplicateWindowMin * 60_000, s.marketMaxAgeHours * HOUR)) },
    { ...base, name: STREAMS.signals, subjects: [subjects.signalAll, subjects.featuresAll], max_age: short },
    { ...base, name: STREAMS.intents, subjects: [subjects.intentAll], max_age: short },
    { ...base, name: STREAMS.orders, subjects: [subjects.orderAll], max_age: long },
    { ...base, name: STREAMS.positions, subjects: [subjects.positionAll], max_age: long },
    { ...base, name: STREAMS.journal, subjects: [subjects.journalAll], max_age: long },
    { ...base, name: STREAMS.supervision, subjects: [subjects.supervisionAll], max_age: short },
    { ...base, name: STREAMS.dlq, subjects: [subjects.dlqAll, subjects.maxDeliveriesAdvisory, subjects.terminatedAdvisory], max_age: long },
    { ...base, name: STREAMS.inputs, subjects: [subjects.actorInputAll], max_age: short },
  ];
}

export const BUCKET_HISTORY: Record<string, number> = {
  [BUCKETS.actors]: 5,
  [BUCKETS.supervisors]: 1,
  [BUCKETS.policy]: 10,
  [BUCKETS.leases]: 1,
};

/** Fields a running stream may change; anything else differing is reported, never recreated. */
const MUTABLE: Array<keyof StreamConfig> = ['subjects', 'max_age', 'duplicate_window', 'discard', 'max_msgs', 'max_bytes', 'num_replicas'];
const IMMUTABLE: Array<keyof StreamConfig> = ['retention', 'storage'];

export interface ProvisionReport {
  created: string[];
  updated: string[];
  unchanged: string[];
}

function differs(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) !== JSON.stringify(b);
}

/**
 * Creates or updates every stream, KV bucket and object store. Safe to run at every start and
 * from several nodes at once: a changed config is applied with an update, never by deleting data.
 */
export async function provision(bus: Bus, cfg: Config): Promise<ProvisionReport> {
  const report: ProvisionReport = { created: [], updated: [], unchanged: [] };
  for (const want of streamConfigs(cfg)) {
    const have = await bus.jsm.streams.info(want.name).catch((e: Error) => {
      if (/not found/i.test(e.message)) return undefined;
      throw e;
    });
    if (!have) {
      await bus.jsm.streams.add(want).catch(async (e: Error) => {
        // Another node won the race; fall through to the comparison on the next start.
        if (!/already in use|exists/i.test(e.message)) throw e;
      });
      report.created.push(want.name);
      continue;
    }
    for (const k of IMMUTABLE) {
      if (want[k] !== undefined && differs(have.config[k], want[k])) {
        throw new RuntimeError(`stream ${want.name}: '${k}' is ${String(have.config[k])} on the server but ${String(want[k])} in config; it cannot be changed in place (migrate the stream by hand)`);
      }
    }
    const changed = MUTABLE.filter((k) => want[k] !== undefined && differs(have.config[k], want[k]));
    if (changed.length) {
      await bus.jsm.streams.update(want.name, { ...have.config, ...Object.fromEntries(changed.map((k) => [k, want[k]])) });
      report.updated.push(`${want.name}(${changed.join(',')})`);
    } else report.unchanged.push(want.name);
  }
  for (const [bucket, history] of Object.entries(BUCKET_HISTORY)) {
    const streamName = `KV_${bucket}`;
    const have = await bus.jsm.streams.info(streamName).catch(() => undefined);
    if (!have) {
      await bus.kvm.create(bucket, { history, replicas: cfg.nats.replicas });
      report.created.push(bucket);
    } else if (have.config.max_msgs_per_subject !== history) {
      await bus.jsm.streams.update(streamName, { ...have.config, max_msgs_per_subject: history });
      report.updated.push(`${bucket}(history)`);
    } else report.unchanged.push(bucket);
  }
  const objStream = `OBJ_${OBJECT_STORES.models}`;
  if (!(await bus.jsm.streams.info(objStream).catch(() => undefined))) {
    await bus.objm.create(OBJECT_STORES.models, { replicas: cfg.nats.replicas });
    report.created.push(OBJECT_STORES.models);
  } else report.unchanged.push(OBJECT_STORES.models);
  return report;
}
