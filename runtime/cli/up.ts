import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createLiveClock } from '../clock/index.js';
import { marketClockFor } from './market-clock.js';
import { loadConfig, readSecret, type ConfigInput } from '../config/index.js';
import { ALERT_SECRET_ENV, buildAlertSinks, routeJournalAlerts, startNodeOps, watchTradingMetrics, type AlertSecrets } from '../ops/index.js';
import { CONSOLE_TOKEN_ENV, startNodeWebConsole } from '../console/index.js';
import { assertLiveAllowed, checkGoLive } from '../golive/index.js';
import { treeWithInfo } from '../../supervisors/index.js';
import { createLogger } from '../log/index.js';
import { createMetrics } from '../metrics/index.js';
import { connectBus, provision, startLocalNats, type LocalNatsServer } from '../nats/index.js';
import { DEFAULT_NATS_URL, reachable } from './connect.js';
import { claimNode } from '../ops/node-id.js';
import { startNode } from './node.js';

/**
 * `qt up`: runs a node until SIGINT/SIGTERM or `--duration`, then drains in order. When the root
 * supervisor escalates, exits non-zero so systemd (or any process manager) restarts the process,
 * which resumes every actor from KV.
 */
export async function runUp(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      nats: { type: 'string' },
      duration: { type: 'string' },
      config: { type: 'string' },
      venue: { type: 'string' },
      speed: { type: 'string' },
      symbols: { type: 'string' },
      'log-level': { type: 'string' },
      'i-understand-live-trading': { type: 'boolean' },
    },
  });
  const overrides: ConfigInput = {};
  if (values.nats) overrides.nats = { url: values.nats };
  if (values['log-level']) overrides.log = { level: values['log-level'] as never };
  if (values.venue) overrides.venue = { kind: values.venue as never };
  if (values.symbols || values.speed) {
    overrides.sim = { ...(values.symbols ? { symbols: Number(values.symbols) } : {}), ...(values.speed ? { speed: Number(values.speed) } : {}) };
  }
  if (values.symbols) overrides.universe = { topN: Number(values.symbols) };
  const cfg = loadConfig({ ...(values.config ? { file: values.config } : {}), overrides });
  if (cfg.venue.kind === 'binance-live' && !values['i-understand-live-trading']) {
    // Refuse before touching anything; the full guard (ack text + go-live gate) runs once NATS is up.
    assertLiveAllowed({ mode: cfg.venue.kind, cliOptIn: false, ...(cfg.venue.liveAcknowledgement ? { configAck: cfg.venue.liveAcknowledgement } : {}) });
  }
  const secrets: AlertSecrets = Object.fromEntries(Object.entries(ALERT_SECRET_ENV).map(([k, env]) => [k, readSecret(env)]));
  const consoleToken = readSecret(CONSOLE_TOKEN_ENV);
  // Venue keys come from env or <NAME>_FILE, never from committed config, and are scrubbed from logs.
  const keys = cfg.venue.kind === 'sim' ? undefined : { apiKey: readSecret('BINANCE_API_KEY'), apiSecret: readSecret('BINANCE_API_SECRET') };
  if (keys && (!keys.apiKey || !keys.apiSecret)) throw new Error(`--venue ${cfg.venue.kind} needs BINANCE_API_KEY and BINANCE_API_SECRET (or *_FILE) in the environment`);
  const { logger } = createLogger({ level: cfg.log.level, ...(cfg.log.file ? { file: cfg.log.file } : {}), base: { node: cfg.node.id }, secrets: [...Object.values(secrets), consoleToken, keys?.apiKey, keys?.apiSecret] });
  const speed = cfg.sim.speed;
  const duration = values.duration !== undefined ? Number(values.duration) : undefined;
  if (duration !== undefined && !(duration > 0)) throw new Error(`--duration must be a positive number of seconds, got '${values.duration}'`);

  let local: LocalNatsServer | undefined;
  let url = cfg.nats.url;
  if (!url) {
    if (await reachable(DEFAULT_NATS_URL)) url = DEFAULT_NATS_URL;
    else {
      const storeDir = resolve(join(cfg.node.dataDir, 'nats'));
      mkdirSync(storeDir, { recursive: true });
      local = await startLocalNats({ port: 4222, storeDir, logFile: join(storeDir, 'nats-server.log') });
      url = local.url;
      logger.info({ url, storeDir }, 'started a local nats-server -js');
    }
  }
  const killLocal = () => local && void local.stop({ wipe: false, graceMs: 2_000 });
  // A start that never completes (NATS gone mid-start and children retrying with backoff, an external
  // simulator that accepts connections and never answers) must not outlive --duration: a timed run
  // ends either way.
  const startWatchdog = duration !== undefined
    ? setTimeout(() => {
      logger.fatal({ duration }, `the node was still starting when --duration ${duration}s elapsed: exiting`);
      killLocal();
      process.exit(1);
    }, duration * 1_000).unref() // a start that failed and let go of everything exits at once
    : undefined;
  process.on('uncaughtException', (err) => {
    // Last net: an exception no actor owns. Exit non-zero; the process manager restarts us from KV.
    logger.fatal({ err }, 'uncaught exception: exiting');
    killLocal();
    process.exit(70);
  });

  const bus = await connectBus({ url, name: `qt-node-${cfg.node.id}`, logger, reconnectTimeWait: cfg.nats.reconnectTimeWait, ...(cfg.nats.credsFile ? { credsFile: cfg.nats.credsFile } : {}), ...(cfg.nats.user ? { user: cfg.nats.user, pass: cfg.nats.pass } : {}) });
  let claim: Awaited<ReturnType<typeof claimNode>>;
  try {
    claim = await claimNode(bus, cfg.node.id, { cluster: cfg.cluster.leases.enabled });
  } catch (err) {
    // Nothing of ours runs yet: leave the running node and its server exactly as they are.
    await bus.close().catch(() => undefined);
    if (local) await local.stop({ wipe: false });
    throw err;
  }
  const report = await provision(bus, cfg);
  const provisioned = true;
  logger.info(report, 'provisioned streams, buckets and object store');
  if (cfg.venue.kind === 'binance-live') {
    assertLiveAllowed({ mode: cfg.venue.kind, cliOptIn: values['i-understand-live-trading'] === true, ...(cfg.venue.liveAcknowledgement ? { configAck: cfg.venue.liveAcknowledgement } : {}), gate: await checkGoLive({ bus, gates: cfg.golive }) });
  }
  if (cfg.venue.kind === 'binance-live') {
    // A key that can withdraw is refused outright: the node never needs that permission.
    const { checkApiKeyPermissions, binanceRestrictionsFetcher } = await import('../golive/index.js');
    await checkApiKeyPermissions(binanceRestrictionsFetcher({ baseUrl: 'https://api.binance.com', apiKey: keys!.apiKey!, apiSecret: keys!.apiSecret! }));
  }
  const clock = createLiveClock();
  const marketClock = await marketClockFor(cfg, clock, logger);
  const metrics = createMetrics({ defaultLabels: { node: cfg.node.id } });
  const node = await startNode({ cfg, bus, clock, marketClock, logger, node: cfg.node.id, metrics, ...(keys ? { keys } : {}) })
    .finally(() => clearTimeout(startWatchdog));
  const ops = await startNodeOps({ bus, node: cfg.node.id, ops: cfg.ops, metrics, tree: () => treeWithInfo(node.root), provisioned: () => provisioned, sinks: buildAlertSinks(cfg.ops.alerts, secrets), logger });
  if (ops.http) logger.info({ url: ops.http.url }, 'metrics and health endpoint up');
  const tradingMetrics = watchTradingMetrics({
    bus, metrics: ops.metrics, logger,
    drawdown: { initialEquity: cfg.risk.initialEquity ?? cfg.sim.initialBalance, thresholds: cfg.ops.alerts.drawdownThresholds, route: (a) => ops.router.route(a) },
  });
  const journalAlerts = routeJournalAlerts({ bus, route: (a) => ops.router.route(a), logger });
  const web = await startNodeWebConsole({ bus, config: cfg.console, token: consoleToken, tree: () => treeWithInfo(node.root), logger });
  logger.info({ url, venue: cfg.venue.kind, speed }, 'node up');

  const code = await new Promise<number>((resolveCode) => {
    let done = false;
    const finish = async (c: number, why: string) => {
      if (done) return;
      done = true;
      logger.info({ why }, 'shutting down');
      const hard = setTimeout(() => resolveCode(c || 1), cfg.supervision.shutdownMs * 4);
      hard.unref();
      await node.stop().catch((err: unknown) => logger.error({ err }, 'shutdown error'));
      tradingMetrics.stop();
      journalAlerts.stop();
      await ops.stop().catch(() => undefined);
      await web?.close().catch(() => undefined);
      clearTimeout(hard);
      resolveCode(c);
    };
    process.once('SIGINT', () => void finish(0, 'SIGINT'));
    process.once('SIGTERM', () => void finish(0, 'SIGTERM'));
    if (duration !== undefined) setTimeout(() => void finish(0, `duration ${duration}s elapsed`), duration * 1_000).unref();
    void node.root.exited.then((exit) => {
      if (exit.kind === 'crash') {
        logger.fatal({ err: exit.error }, 'root supervisor escalated: exiting non-zero');
        void finish(1, 'root escalated');
      } else void finish(0, 'root stopped');
    });
  });
  claim.release();
  await bus.close().catch(() => undefined);
  if (local) await local.stop({ wipe: false });
  logger.info({ code }, 'node down');
  await new Promise((r) => setTimeout(r, 50));
  return code;
}
