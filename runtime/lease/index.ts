/** Symbol leases for running several nodes on one NATS: each symbol is traded by exactly one node. */
export { createLeaseManager, type LeaseManager, type LeaseManagerOptions, type LeaseValue, type LostReason } from './manager.js';
export { balance } from './balance.js';
export { createCluster, LEADER, type Cluster, type ClusterOptions } from './cluster.js';
