import type { Logger } from 'pino';
import { BUCKETS } from '../../protocols/index.js';
import type { Clock } from '../clock/index.js';
import type { Bus } from '../nats/index.js';
import { createSnapshotStore, type SnapshotStore } from './store.js';
import type { HostDeps, HostFaults } from './types.js';

export type StoredHostDeps = HostDeps & { store: SnapshotStore };

/**
 * The one way to assemble what hosted actors share in a process (the node, the test kit and the
 * benchmarks all use it), so host settings and the dedup window cannot drift between them.
 */
export async function createHostDeps(o: {
  bus: Bus;
  cfg: { host: HostDeps['host']; streams: { duplicateWindowMin: number } };
  clock: Clock;
  logger: Logger;
  node: string;
  faults?: HostFaults;
  telemetry?: HostDeps['telemetry'];
}): Promise<StoredHostDeps> {
  return {
    bus: o.bus,
    clock: o.clock,
    logger: o.logger,
    node: o.node,
    host: { ...o.cfg.host },
    duplicateWindowMs: o.cfg.streams.duplicateWindowMin * 60_000,
    // Shared across restarts of one actor within the process: a poison input is counted per process.
    crashes: new Map(),
    store: createSnapshotStore(await o.bus.kvm.open(BUCKETS.actors)),
    ...(o.faults ? { faults: o.faults } : {}),
    ...(o.telemetry ? { telemetry: o.telemetry } : {}),
  };
}
