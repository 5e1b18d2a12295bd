/** Prometheus metrics, health probes and the ops HTTP endpoint of a node. */
export { METRICS, METRIC_PREFIX, TRADING_STATES, BREAKER_STATES, exportedNames, type MetricDef, type MetricKey, type MetricType, type TradingState, type BreakerState } from './definitions.js';
export { createMetrics, type QtMetrics, type MetricsOptions } from './registry.js';
export { healthFromTree, type HealthReport, type HealthCheck, type HealthExtra } from './health.js';
export { startOpsHttp, type OpsHttp, type OpsHttpOptions } from './http.js';
export { collectConsumerLag, type ConsumerLag, type StreamState, type LagReport } from './lag.js';
