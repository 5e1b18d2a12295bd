/**
 * Every metric the node exports, with stable names. Dashboards and alert rules in deploy/ are
 * checked against this table by a test, so a rename here breaks the build rather than a panel.
 */
export const METRIC_PREFIX = 'qt_';

export type MetricType = 'counter' | 'gauge' | 'histogram';

export interface MetricDef {
  readonly name: string;
  readonly type: MetricType;
  readonly help: string;
  readonly labels: readonly string[];
  readonly buckets?: readonly number[];
}

const def = <N extends string, L extends readonly string[]>(name: N, type: MetricType, help: string, labels: L, buckets?: readonly number[]) =>
  ({ name, type, help, labels, ...(buckets ? { buckets } : {}) }) as const;

export const METRICS = {
  actorRestarts: def('qt_actor_restarts_total', 'counter', 'Restarts of a supervised node (from QT_SUPERVISION restarted events).', ['path', 'kind']),
  actorCrashes: def('qt_actor_crashes_total', 'counter', 'Crashes of a supervised node.', ['path', 'kind']),
  actorEscalations: def('qt_actor_escalations_total', 'counter', 'Escalations: a supervisor exceeded its restart intensity.', ['path', 'kind']),
  nodeStatus: def('qt_supervision_node_status', 'gauge', 'Supervision tree node status, one-hot by status (1 = current).', ['path', 'kind', 'status']),
  nodeRestartsGauge: def('qt_supervision_node_restarts', 'gauge', 'Restart count of a tree node as the tree reports it.', ['path', 'kind']),
  consumerPending: def('qt_consumer_pending_messages', 'gauge', 'JetStream consumer num_pending: messages not yet delivered.', ['stream', 'consumer']),
  consumerAckPending: def('qt_consumer_ack_pending_messages', 'gauge', 'JetStream consumer num_ack_pending: delivered, not yet acknowledged.', ['stream', 'consumer']),
  streamMessages: def('qt_stream_messages', 'gauge', 'Messages stored in a QT_* stream.', ['stream']),
  streamBytes: def('qt_stream_bytes', 'gauge', 'Bytes stored in a QT_* stream.', ['stream']),
  busMessages: def('qt_bus_messages_total', 'counter', 'Messages through the bus by direction (in|out) and stream.', ['direction', 'stream']),
  actorBatch: def('qt_actor_batch_seconds', 'histogram', 'One batch of a hosted actor kind: apply inputs, store the snapshot, publish outputs, ack (wall time).', ['kind'], [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1]),
  actorInputDelay: def('qt_actor_input_delay_seconds', 'histogram', 'An input of a hosted actor kind, from JetStream storing it to its batch being committed: the hop it adds.', ['kind'], [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5, 30]),
  natsConnected: def('qt_nats_connected', 'gauge', '1 while the node is connected to NATS.', []),
  signals: def('qt_signals_total', 'counter', 'Signals by source (model|fallback), symbol and side.', ['source', 'symbol', 'side']),
  riskDenials: def('qt_risk_denials_total', 'counter', 'Intents denied by the risk brain, by typed reason.', ['reason']),
  orders: def('qt_orders_total', 'counter', 'Order state transitions, by the state entered.', ['state', 'symbol']),
  fills: def('qt_fills_total', 'counter', 'Fills (deduplicated by trade id).', ['symbol', 'side']),
  fillNotional: def('qt_fill_notional_usd_total', 'counter', 'Notional of fills in USD.', ['symbol', 'side']),
  pnlRealized: def('qt_pnl_realized_usd', 'gauge', 'Realized PnL since start of day, USD.', ['symbol']),
  pnlUnrealized: def('qt_pnl_unrealized_usd', 'gauge', 'Unrealized PnL of open positions, USD.', ['symbol']),
  exposure: def('qt_exposure_usd', 'gauge', 'Absolute notional exposure per symbol, USD.', ['symbol']),
  exposureRatio: def('qt_exposure_ratio', 'gauge', 'Gross exposure divided by equity.', []),
  drawdown: def('qt_drawdown_ratio', 'gauge', 'Drawdown from the equity peak, 0..1.', []),
  equity: def('qt_equity_usd', 'gauge', 'Account equity, USD.', []),
  inferenceLatency: def('qt_inference_latency_seconds', 'histogram', 'Model inference latency per batch.', ['model'], [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1]),
  driftScore: def('qt_drift_score', 'gauge', 'Feature / prediction drift score per model.', ['model', 'feature']),
  modelRollbacks: def('qt_model_rollbacks_total', 'counter', 'Champion rollbacks.', ['model']),
  clmFailures: def('qt_clm_failures_total', 'counter', 'Continuous-learning job failures.', ['job']),
  breakerState: def('qt_breaker_state', 'gauge', 'Circuit breaker state: 0 closed, 1 half-open, 2 open.', ['venue', 'name']),
  unprotectedPositions: def('qt_unprotected_positions', 'gauge', 'Open positions without a venue-side stop.', []),
  unprotectedAge: def('qt_unprotected_position_max_age_seconds', 'gauge', 'Age of the oldest position without a venue-side stop.', []),
  tradingState: def('qt_trading_state', 'gauge', 'Trading state, one-hot (ACTIVE|REDUCING|HALTED).', ['state']),
  killSwitch: def('qt_kill_switch', 'gauge', '1 while the kill switch is engaged.', []),
  alerts: def('qt_alerts_total', 'counter', 'Alerts by rule, severity and outcome (sent|suppressed|failed|resolved).', ['rule', 'severity', 'outcome']),
} as const;

export type MetricKey = keyof typeof METRICS;

export const TRADING_STATES = ['ACTIVE', 'REDUCING', 'HALTED'] as const;
export type TradingState = (typeof TRADING_STATES)[number];

export const BREAKER_STATES = { closed: 0, half_open: 1, open: 2 } as const;
export type BreakerState = keyof typeof BREAKER_STATES;

/**
 * Names a scrape can return for the definitions above (histograms add `_bucket`, `_sum`,
 * `_count`). Default process metrics are added by the registry itself under the same prefix.
 */
export function exportedNames(): string[] {
  return Object.values(METRICS).flatMap((m: MetricDef) => (m.type === 'histogram' ? [`${m.name}_bucket`, `${m.name}_sum`, `${m.name}_count`] : [m.name]));
}
