export { connectBus, type Bus, type BusOptions } from './connection.js';
export { provision, streamConfigs, BUCKET_HISTORY, type ProvisionReport } from './provision.js';
export { startLocalNats, freePort, type LocalNatsServer, type LocalNatsOptions } from './server.js';
export { guarded } from './guard.js';
export { ensureDurable, type DurableOutcome } from './durable.js';
export { scanKv, type KvScanEntry } from './kv-scan.js';
