import type { Service } from '@nats-io/services';
import type { Logger } from 'pino';
import { heartbeatDef } from './defs.js';
import { ceoDef, CEO_ID, riskDef, RISK_ID } from './defs-risk.js';
import { regimeDef, strategyDef } from './defs-strategy.js';
import { startPolicyWatcher } from '../trading/policy.js';
import type { QtMetrics } from '../metrics/index.js';
import { aiMetricsSink, hostTelemetry } from '../ops/index.js';
import { aiChildren, type AiLinks } from './defs-ai.js';
import {
  createNatsReporter, createSupervisor, hostedChild, isSupervisor, startControlService, supervisorChild,
  type ChildSpec, type NatsReporter, type Supervisor,
} from '../../supervisors/index.js';
import { service, venueChildren, type VenueLinks } from './venue.js';
import { leaderOnly } from './cluster.js';
import { createCluster, type Cluster } from '../lease/index.js';
import { ConfigError } from '../errors.js';
import type { Clock } from '../clock/index.js';
import type { Config } from '../config/index.js';
import { createHostDeps, type StoredHostDeps } from '../host/index.js';
import type { Bus } from '../nats/index.js';

/** What every hosted actor of this node shares. */
export type NodeHostDeps = StoredHostDeps;

export interface NodeContext {
  cfg: Config;
  bus: Bus;
  /** Clock of the supervisors (always live: backoff is about real failures). */
  clock: Clock;
  /** Clock of the actors and the market; scaled by `--speed`. */
  marketClock: Clock;
  logger: Logger;
  node: string;
  /** Extra top-level children (tests), started first. */
  extraChildren?: (deps: NodeHostDeps) => ChildSpec[];
  /** Leave out the venue and market subtree (kernel-only node). @default false */
  kernelOnly?: boolean;
  /** Venue API keys for testnet/live. */
  keys?: { apiKey?: string; apiSecret?: string };
  /** The process's metrics: hosted actors count their bus traffic, the AI brain its inference and drift. */
  metrics?: QtMetrics;
}

export interface RunningNode {
  root: Supervisor;
  reporter: NatsReporter;
  service: Service;
  hostDeps: NodeHostDeps;
  links: VenueLinks;
  ai: AiLinks;
  /** Leases and leadership (a single node owns everything when `cluster.leases.enabled` is off). */
  cluster: Cluster;
  /** Ordered shutdown of the tree, then the service; leaves the bus to the caller. */
  stop(): Promise<void>;
}

/**
 * Assembles and starts one node: the root supervisor (one_for_one) over the brains and the
 * symbol pool, the NATS reporter, and the qt-supervisor control service.
 */
export async function startNode(ctx: NodeContext): Promise<RunningNode> {
  const { cfg, bus, logger, node } = ctx;
  const reporter = await createNatsReporter({
    bus,
    node,
    onError: (err) => logger.warn({ err }, 'supervision telemetry failed'),
    tap: (e) => logger[e.type === 'crashed' || e.type === 'escalated' ? 'warn' : 'info']({ sup: e.type, path: e.path, reason: e.reason, restarts: e.restarts }, `supervision ${e.type} ${e.path}`),
  });
  const m = ctx.metrics;
  const hostDeps: NodeHostDeps = await createHostDeps({ bus, cfg, clock: ctx.marketClock, logger, node, ...(m ? { telemetry: hostTelemetry(m) } : {}) });
  const s = cfg.supervision;
  const supDeps = { clock: ctx.clock, reporter, node, onError: (err: unknown) => logger.warn({ err }, 'supervisor reporter error') };
  const common = { intensity: s.intensity, period: s.period, backoff: s.backoff };
  const links: VenueLinks = { rules: new Map() };
  const aiLinks: AiLinks = {};
  const leases = cfg.cluster.leases;
  if (leases.enabled && !ctx.kernelOnly && cfg.venue.kind === 'sim' && !cfg.sim.url) {
    // Each node would start its own simulator: two venues, two books. Share one `qt sim`.
    throw new ConfigError("cluster.leases.enabled with venue 'sim' needs sim.url (run one `qt sim` for all nodes)");
  }
  // Leases run on the live clock: they are about real time, whatever --speed does to the market.
  const cluster = await createCluster({
    bus, node, clock: ctx.clock, logger, enabled: leases.enabled && !ctx.kernelOnly, ttlMs: leases.ttlMs,
    ...(leases.renewMs ? { renewMs: leases.renewMs } : {}), ...(leases.skewMs !== undefined ? { skewMs: leases.skewMs } : {}),
  });
  const single = (spec: ChildSpec) => leaderOnly(spec, cluster, ctx.clock);
  const [venue, universe] = ctx.kernelOnly ? [] : venueChildren({ cfg, bus, logger, clock: ctx.clock, marketClock: ctx.marketClock, supDeps, links, host: hostDeps, cluster, ...(ctx.keys ? { keys: ctx.keys } : {}) });
  const root = createSupervisor(
    {
      id: 'root',
      strategy: 'one_for_one',
      ...common,
      children: [
        ...(ctx.extraChildren?.(hostDeps) ?? []),
        // Shows this node's leadership and leases in `qt status`; the leases themselves live outside the tree.
        ...(cluster.enabled ? [{ id: 'cluster', start: async () => service(async () => undefined, () => cluster.info()) }] : []),
        ...(venue ? [venue] : []),
        supervisorChild(
          {
            id: 'brains',
            strategy: 'one_for_one',
            ...common,
            children: [
              hostedChild(heartbeatDef(node), node, hostDeps, { childId: 'heartbeat' }),
              ...(ctx.kernelOnly
                ? []
                : [
                    // Cluster singletons: on the leader only (each writes its own KV key and feeds risk).
                    single({ id: 'policy', start: () => startPolicyWatcher({ bus, logger, defaultMode: cfg.risk.mode }) }),
                    single(hostedChild(riskDef(cfg), RISK_ID, hostDeps, { childId: 'risk' })),
                    single(hostedChild(ceoDef(cfg), CEO_ID, hostDeps, { childId: 'ceo' })),
                    single(hostedChild(regimeDef(cfg), 'main', hostDeps, { childId: 'regime' })),
                    single(hostedChild(strategyDef(cfg), 'main', hostDeps, { childId: 'strategy' })),
                  ]),
            ],
          },
          supDeps,
        ),
        // Before the symbol pool: the brain's new consumer starts from new feature messages.
        ...(ctx.kernelOnly ? [] : [single(aiChildren({ cfg, bus, logger, clock: ctx.clock, host: hostDeps, node, supDeps, links: aiLinks, ...(m ? { metrics: aiMetricsSink(m) } : {}) }))]),
        // Pool intensity scales with its size: one symbol's crash loop must not take the others down.
        ...['orders', 'positions', 'symbols'].map((id) => supervisorChild({ id, strategy: 'simple_one_for_one', ...common, intensity: Math.max(s.intensity, cfg.universe.topN) }, supDeps)),
        ...(universe ? [universe] : []),
      ],
    },
    supDeps,
  );
  links.pool = (name) => {
    const h = root.whichChildren().find((c) => c.id === name)?.handle;
    return isSupervisor(h) ? h : undefined;
  };
  // Leadership is settled before the tree starts, so the singletons start at once or stand by.
  await cluster.start();
  try {
    await root.start();
  } catch (e) {
    await cluster.stop();
    throw e;
  }
  const control = await startControlService(bus, root, node);
  return {
    root,
    reporter,
    service: control,
    hostDeps,
    links,
    ai: aiLinks,
    cluster,
    async stop() {
      await root.stop();
      // Released only once every actor has stopped and flushed, so the next owner starts from the last state.
      await cluster.stop().catch((err: unknown) => logger.warn({ err }, 'lease release failed; the leases lapse at their TTL'));
      await control.stop().catch(() => undefined);
      await reporter.flush();
    },
  };
}
