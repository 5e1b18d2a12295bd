export { startHostedActor, defaultParse, type HostedActor, type HostExit } from './actor-host.js';
export { createSnapshotStore, type SnapshotStore, type Loaded } from './store.js';
export { publishOutputs, republishOutbox, type Output } from './outbox.js';
export { TimerSync } from './timers.js';
export type { ActorDefinition, HostDeps, HostFaults, HostTelemetry } from './types.js';
export { createHostDeps, type StoredHostDeps } from './deps.js';
