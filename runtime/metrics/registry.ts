import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics, type Metric } from 'prom-client';
import { breakersFromTree, NODE_STATUSES, riskStatusFromTree, walkTree, type NodeStatusRecord, type SupervisionEvent } from '../../protocols/index.js';
import { BREAKER_STATES, METRICS, METRIC_PREFIX, TRADING_STATES, type BreakerState, type MetricDef, type MetricKey, type TradingState } from './definitions.js';

export interface MetricsOptions {
  /** @default a new Registry (never prom-client's global one: tests build many) */
  registry?: Registry;
  /** Node.js process metrics (`qt_process_*`, `qt_nodejs_*`). @default true */
  defaultMetrics?: boolean;
  /** Labels on every series, e.g. `{ node }`. */
  defaultLabels?: Record<string, string>;
}

/** Typed recorders for every metric of {@link METRICS}; one instance per process. */
export interface QtMetrics {
  readonly registry: Registry;
  /** Counts crashes, restarts and escalations from one supervision event. */
  supervisionEvent(e: Pick<SupervisionEvent, 'type' | 'path' | 'kind'>): void;
  /** Replaces the node-status gauges with the live tree (removed nodes disappear). */
  supervisionTree(tree: NodeStatusRecord | undefined): void;
  /**
   * Breaker states and the risk brain's trading state / kill switch from the tree's `info` (pass
   * a tree with info). Breakers no longer reported disappear; without a running risk brain the
   * last trading state it reported stays, since nothing else knows it.
   */
  treeInfo(tree: NodeStatusRecord | undefined): void;
  consumerLag(stream: string, consumer: string, pending: number, ackPending: number): void;
  /** Drops every consumer series, before a fresh collection. */
  resetConsumerLag(): void;
  streamState(stream: string, messages: number, bytes: number): void;
  busMessages(direction: 'in' | 'out', stream: string, n?: number): void;
  actorBatch(kind: string, seconds: number): void;
  actorInputDelay(kind: string, seconds: number): void;
  natsConnected(up: boolean): void;
  signal(source: 'model' | 'fallback', symbol: string, side: string): void;
  riskDenial(reason: string): void;
  order(state: string, symbol: string): void;
  fill(symbol: string, side: string, notionalUsd: number): void;
  pnl(symbol: string, realizedUsd: number, unrealizedUsd: number): void;
  exposure(symbol: string, usd: number): void;
  /** Account-level figures; drawdown is derived by the caller from its own equity peak. */
  account(a: { equityUsd: number; drawdown: number; exposureRatio: number }): void;
  inferenceLatency(model: string, seconds: number): void;
  drift(model: string, feature: string, score: number): void;
  modelRollback(model: string): void;
  clmFailure(job: string): void;
  breaker(venue: string, name: string, state: BreakerState): void;
  unprotected(count: number, oldestAgeSec: number): void;
  tradingState(state: TradingState, killSwitch: boolean): void;
  alert(rule: string, severity: string, outcome: 'sent' | 'suppressed' | 'failed' | 'resolved'): void;
  /** The raw prom-client objects, for anything the helpers do not cover. */
  readonly raw: { [K in MetricKey]: Metric<string> };
}

function build(def: MetricDef, registry: Registry): Metric<string> {
  const common = { name: def.name, help: def.help, labelNames: [...def.labels], registers: [registry] };
  if (def.type === 'counter') return new Counter(common);
  if (def.type === 'histogram') return new Histogram({ ...common, buckets: [...(def.buckets ?? [])] });
  return new Gauge(common);
}

/** Creates the registry and every metric definition. */
export function createMetrics(opts: MetricsOptions = {}): QtMetrics {
  const registry = opts.registry ?? new Registry();
  if (opts.defaultLabels) registry.setDefaultLabels(opts.defaultLabels);
  if (opts.defaultMetrics !== false) collectDefaultMetrics({ register: registry, prefix: METRIC_PREFIX });
  const raw = Object.fromEntries(Object.entries(METRICS).map(([k, d]) => [k, build(d, registry)])) as QtMetrics['raw'];
  const c = (k: MetricKey) => raw[k] as Counter<string>;
  const g = (k: MetricKey) => raw[k] as Gauge<string>;

  const tradingState = (state: TradingState, killSwitch: boolean) => {
    for (const s of TRADING_STATES) g('tradingState').set({ state: s }, s === state ? 1 : 0);
    g('killSwitch').set(killSwitch ? 1 : 0);
  };

  return {
    registry,
    raw,
    supervisionEvent(e) {
      const labels = { path: e.path, kind: e.kind };
      if (e.type === 'restarted') c('actorRestarts').inc(labels);
      else if (e.type === 'crashed') c('actorCrashes').inc(labels);
      else if (e.type === 'escalated') c('actorEscalations').inc(labels);
    },
    supervisionTree(tree) {
      g('nodeStatus').reset();
      g('nodeRestartsGauge').reset();
      walkTree(tree, (n) => {
        for (const s of NODE_STATUSES) g('nodeStatus').set({ path: n.path, kind: n.kind, status: s }, s === n.status ? 1 : 0);
        g('nodeRestartsGauge').set({ path: n.path, kind: n.kind }, n.restarts);
      });
    },
    treeInfo(tree) {
      g('breakerState').reset();
      for (const b of breakersFromTree(tree)) {
        const state = b.state === 'halfOpen' ? 'half_open' : b.state;
        if (state in BREAKER_STATES) g('breakerState').set({ venue: b.venue ?? b.source, name: b.name }, BREAKER_STATES[state as BreakerState]);
      }
      const risk = riskStatusFromTree(tree);
      if (risk && (TRADING_STATES as readonly string[]).includes(risk.tradingState)) tradingState(risk.tradingState as TradingState, risk.killSwitch);
    },
    consumerLag(stream, consumer, pending, ackPending) {
      g('consumerPending').set({ stream, consumer }, pending);
      g('consumerAckPending').set({ stream, consumer }, ackPending);
    },
    resetConsumerLag() {
      g('consumerPending').reset();
      g('consumerAckPending').reset();
    },
    streamState(stream, messages, bytes) {
      g('streamMessages').set({ stream }, messages);
      g('streamBytes').set({ stream }, bytes);
    },
    busMessages: (direction, stream, n = 1) => c('busMessages').inc({ direction, stream }, n),
    actorBatch: (kind, seconds) => (raw.actorBatch as Histogram<string>).observe({ kind }, seconds),
    actorInputDelay: (kind, seconds) => (raw.actorInputDelay as Histogram<string>).observe({ kind }, seconds),
    natsConnected: (up) => g('natsConnected').set(up ? 1 : 0),
    signal: (source, symbol, side) => c('signals').inc({ source, symbol, side }),
    riskDenial: (reason) => c('riskDenials').inc({ reason }),
    order: (state, symbol) => c('orders').inc({ state, symbol }),
    fill(symbol, side, notionalUsd) {
      c('fills').inc({ symbol, side });
      c('fillNotional').inc({ symbol, side }, Math.abs(notionalUsd));
    },
    pnl(symbol, realizedUsd, unrealizedUsd) {
      g('pnlRealized').set({ symbol }, realizedUsd);
      g('pnlUnrealized').set({ symbol }, unrealizedUsd);
    },
    exposure: (symbol, usd) => g('exposure').set({ symbol }, Math.abs(usd)),
    account(a) {
      g('equity').set(a.equityUsd);
      g('drawdown').set(a.drawdown);
      g('exposureRatio').set(a.exposureRatio);
    },
    inferenceLatency: (model, seconds) => (raw.inferenceLatency as Histogram<string>).observe({ model }, seconds),
    drift: (model, feature, score) => g('driftScore').set({ model, feature }, score),
    modelRollback: (model) => c('modelRollbacks').inc({ model }),
    clmFailure: (job) => c('clmFailures').inc({ job }),
    breaker: (venue, name, state) => g('breakerState').set({ venue, name }, BREAKER_STATES[state]),
    unprotected(count, oldestAgeSec) {
      g('unprotectedPositions').set(count);
      g('unprotectedAge').set(count > 0 ? oldestAgeSec : 0);
    },
    tradingState,
    alert: (rule, severity, outcome) => c('alerts').inc({ rule, severity, outcome }),
  };
}
