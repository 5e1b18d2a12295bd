import type { KV } from '@nats-io/kv';
import type { ActorRecord } from '../../protocols/index.js';
import { decode, encode } from '../codec.js';
import { FencedError } from '../errors.js';

/** A loaded record and the KV revision it was read at (0 when absent). */
export interface Loaded {
  record: ActorRecord | undefined;
  revision: number;
}

/**
 * Snapshot persistence with compare-and-set. Every write names the revision it was based on;
 * a mismatch means another owner or a newer copy exists, and we fence instead of overwriting.
 */
export interface SnapshotStore {
  load(key: string): Promise<Loaded>;
  /** Writes `record` if the key is still at `revision` (0 = must not exist). Returns the new revision. */
  save(key: string, record: ActorRecord, revision: number): Promise<number>;
  /** Keeps a copy of a poisoned record beside the key for post-mortems. */
  quarantine(key: string, record: ActorRecord): Promise<void>;
}

function isConflict(e: unknown): boolean {
  const msg = (e as Error)?.message ?? '';
  return /wrong last sequence|key exists|already exists|10071|10164/i.test(msg) || (e as { code?: unknown })?.code === 10071;
}

export function createSnapshotStore(kv: KV): SnapshotStore {
  return {
    async load(key) {
      const e = await kv.get(key);
      if (!e || e.operation !== 'PUT' || e.value.length === 0) return { record: undefined, revision: e?.revision ?? 0 };
      return { record: decode<ActorRecord>(e.value), revision: e.revision };
    },
    async save(key, record, revision) {
      const data = encode(record);
      try {
        return revision === 0 ? await kv.create(key, data) : await kv.update(key, data, revision);
      } catch (e) {
        if (isConflict(e)) throw new FencedError(key, revision, { cause: e });
        throw e;
      }
    },
    async quarantine(key, record) {
      await kv.put(`${key}.poisoned`, encode(record));
    },
  };
}
