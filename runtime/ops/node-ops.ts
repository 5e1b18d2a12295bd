import type { Logger } from 'pino';
import type { NodeStatusRecord } from '../../protocols/index.js';
import { createAlertRouter, watchSupervision, type AlertRouter, type AlertSink, type SupervisionWatch } from '../alerts/index.js';
import { collectConsumerLag, createMetrics, healthFromTree, startOpsHttp, type HealthReport, type OpsHttp, type QtMetrics } from '../metrics/index.js';
import type { Bus } from '../nats/index.js';
import type { OpsConfig } from './config.js';

export interface NodeOpsOptions {
  bus: Bus;
  node: string;
  ops: OpsConfig;
  /** The live tree with workers' info (breakers, the risk brain's state), e.g. `() => treeWithInfo(node.root)`; undefined before the tree starts. */
  tree: () => NodeStatusRecord | undefined;
  /** Whether `provision()` succeeded in this process. */
  provisioned: () => boolean;
  sinks?: AlertSink[];
  logger?: Logger;
  metrics?: QtMetrics;
}

/** Metrics, probes and alerting of one running node. */
export interface NodeOps {
  metrics: QtMetrics;
  router: AlertRouter;
  http?: OpsHttp;
  health(): HealthReport;
  stop(): Promise<void>;
}

/**
 * Starts the ops side of a node: the /metrics + /healthz + /readyz endpoint, and one ordered
 * consumer on QT_SUPERVISION feeding both the restart/escalation counters (this node's events
 * only) and the escalation / crash-loop alerts.
 */
export async function startNodeOps(opts: NodeOpsOptions): Promise<NodeOps> {
  const { bus, ops, logger } = opts;
  const metrics = opts.metrics ?? createMetrics({ defaultLabels: { node: opts.node } });
  const router = createAlertRouter({
    sinks: opts.sinks ?? [],
    dedupWindowMs: ops.alerts.dedupWindowSec * 1_000,
    maxPerMinute: ops.alerts.maxPerMinute,
    count: (rule, sev, outcome) => metrics.alert(rule, sev, outcome),
    ...(logger ? { logger } : {}),
  });
  let connected = !bus.nc.isClosed();
  void (async () => {
    for await (const s of bus.nc.status()) {
      if (s.type === 'disconnect') connected = false;
      else if (s.type === 'reconnect') connected = true;
    }
  })().catch(() => undefined);
  const health = () => healthFromTree(opts.tree(), { natsConnected: connected && !bus.nc.isClosed(), provisioned: opts.provisioned() });

  let watch: SupervisionWatch | undefined;
  try {
    watch = await watchSupervision(bus, router, {
      crashLoop: { restarts: ops.alerts.crashLoop.restarts, windowMs: ops.alerts.crashLoop.windowSec * 1_000 },
      onEvent: (e) => (e.node === undefined || e.node === opts.node) && metrics.supervisionEvent(e),
      ...(logger ? { logger } : {}),
    });
  } catch (err) {
    // Alerts must not keep a node from trading, but an operator must see that they are off.
    logger?.error({ err }, 'supervision watcher failed to start: escalation alerts are OFF');
  }
  let http: OpsHttp | undefined;
  if (ops.http.enabled) {
    http = await startOpsHttp({
      port: ops.http.port,
      host: ops.http.host,
      registry: metrics.registry,
      health,
      onScrape: async () => {
        const tree = opts.tree();
        metrics.supervisionTree(tree);
        metrics.treeInfo(tree);
        metrics.natsConnected(connected && !bus.nc.isClosed());
        if (connected) await collectConsumerLag(bus.jsm, metrics);
      },
      onError: (err) => logger?.warn({ err }, 'ops endpoint error'),
    });
    logger?.info({ url: http.url }, 'ops endpoint: /metrics /healthz /readyz');
  }
  return {
    metrics,
    router,
    ...(http ? { http } : {}),
    health,
    async stop() {
      await watch?.stop();
      await http?.close();
    },
  };
}
