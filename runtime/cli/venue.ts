import type { Logger } from 'pino';
import { universeMachine } from '../../actors/index.js';
import { STREAMS, subjects } from '../../protocols/index.js';
import { hostedChild, supervisorChild, type ChildSpec, type Supervisor, type SupervisorDeps } from '../../supervisors/index.js';
import type { Clock } from '../clock/index.js';
import type { Config } from '../config/index.js';
import { BadInputError, RuntimeError } from '../errors.js';
import { encode, msgHeaders } from '../codec.js';
import type { ActorDefinition } from '../host/index.js';
import { startMarketData, startUniverseWatch, type MarketDataWorker } from '../market/index.js';
import type { Bus } from '../nats/index.js';
import { startExecutor, startUserStreamBridge } from '../trading/index.js';
import { startReconciler } from '../trading/reconcile.js';
import { startEquityReporter, type EquityReporter } from '../trading/equity.js';
import { startFundingBooker } from '../trading/funding.js';
import type { Poller } from '../trading/poller.js';
import { createBinanceVenue } from '../venues/binance/index.js';
import type { BinanceVenue } from '../venues/binance/types.js';
import { serveSimFaults } from '../venues/sim/nats-faults.js';
import { startSimulator, type Simulator } from '../venues/sim/run.js';
import type { PlanRules } from '../../actors/brains/exit/index.js';
import type { NodeHostDeps } from './node.js';
import { planRules } from './defs-position.js';
import { SIM_API_KEY, SIM_API_SECRET } from './sim.js';
import { symbolTargets } from './symbols.js';
import { clusterTargets, leaderOnly } from './cluster.js';
import type { Cluster } from '../lease/index.js';

/** Live handles shared between siblings; a restarted child re-registers itself. */
export interface VenueLinks {
  sim?: Simulator;
  venue?: BinanceVenue;
  market?: MarketDataWorker;
  /** Trading filters by symbol, filled from exchange info when the adapter starts. */
  rules: Map<string, PlanRules>;
  /** A pool by name (`symbols`, `orders`, `positions`), once the root has started it. */
  pool?: (name: string) => Supervisor | undefined;
  /** Keeps a symbol's actors and market data alive outside the universe (adopted orphans). */
  pin?: (symbol: string) => Promise<void>;
  /** The account equity reporter (when `risk.equitySource` is `venue`). */
  equity?: EquityReporter;
  /** Books funding payments into the position actors. */
  funding?: Poller;
  /** The executor, told when a symbol's leverage changes on the account. */
  executor?: { leverageObserved(symbol: string, leverage: number): void };
}

type Exit = { kind: 'normal' } | { kind: 'shutdown' } | { kind: 'crash'; error: Error };

/** Wraps a resource with a close function as a supervised child handle. */
export function service(close: () => Promise<void>, info: () => Record<string, unknown> = () => ({})) {
  let resolveExit!: (e: Exit) => void;
  const exited = new Promise<Exit>((r) => (resolveExit = r));
  let done = false;
  const end = async (e: Exit) => {
    if (done) return;
    done = true;
    await close().catch(() => undefined);
    resolveExit(e);
  };
  return { exited, stop: () => end({ kind: 'shutdown' }), kill: () => void end({ kind: 'shutdown' }), inject: (error: Error) => void end({ kind: 'crash', error }), info };
}

export const universeDef = (cfg: Config, venue: string): ActorDefinition => ({
  kind: 'universe',
  machine: universeMachine,
  version: 1,
  input: { stream: STREAMS.market, subject: () => subjects.tickers(venue) },
  initialInput: () => ({ venue, topN: cfg.universe.topN, include: cfg.universe.include, exclude: cfg.universe.exclude, minQuoteVolume: cfg.universe.minQuoteVolume }),
  configFields: ['topN', 'include', 'exclude', 'minQuoteVolume', 'quote'],
  parse(payload) {
    const p = payload as { type?: unknown; ts?: unknown; tickers?: unknown };
    if (p?.type !== 'tickers' || typeof p.ts !== 'number' || !Array.isArray(p.tickers)) throw new BadInputError('not a tickers snapshot');
    return p as { type: 'tickers' };
  },
});

interface VenueCtx {
  cfg: Config;
  bus: Bus;
  logger: Logger;
  clock: Clock;
  marketClock: Clock;
  supDeps: Omit<SupervisorDeps, 'path'>;
  links: VenueLinks;
  host: NodeHostDeps;
  /** Which symbols and singletons this node runs. */
  cluster: Cluster;
  /** Venue API keys for testnet/live, read by runtime/config from env or files. */
  keys?: { apiKey?: string; apiSecret?: string };
}

const need = <T>(x: T | undefined, what: string): T => {
  if (x === undefined) throw new RuntimeError(`${what} is not running`, { retryable: true });
  return x;
};

/**
 * The venue subtree, rest_for_one in dependency order: simulator → adapter → executor → user
 * stream → funding → equity → reconciler → market data. A restarted simulator takes everything
 * after it down with it, since they all hold its URL; a restarted adapter takes the streams and
 * the executor. Nothing depends on market data, so it comes last: its restarts stay its own.
 */
function venueSubtree(o: VenueCtx): ChildSpec[] {
  const { cfg, bus, logger, links } = o;
  const children: ChildSpec[] = [];
  const real = cfg.venue.kind !== 'sim';
  const external = real ? undefined : cfg.sim.url ? { url: cfg.sim.url.replace(/\/$/, ''), wsUrl: cfg.sim.wsUrl ?? cfg.sim.url.replace(/^http/, 'ws').replace(/\/$/, '') } : undefined;
  if (!external && !real) children.push({
    id: 'sim',
    start: async () => {
      const sim = await startSimulator({
        clock: o.marketClock, serverClock: o.clock, symbols: cfg.sim.symbols, seed: cfg.sim.seed, port: cfg.sim.port, apiKey: SIM_API_KEY, apiSecret: SIM_API_SECRET,
        initialBalance: cfg.sim.initialBalance, ...(cfg.sim.data ? { data: cfg.sim.data } : {}),
      });
      // Fault injection is switchable at run time over NATS as well as HTTP.
      const faults = serveSimFaults(bus.nc, sim.server.faults);
      links.sim = sim;
      logger.info({ rest: sim.url, ws: sim.wsUrl, symbols: sim.symbols.length }, 'simulator venue up');
      return service(async () => {
        faults.stop();
        await sim.close();
      }, () => ({ url: sim.url, symbols: sim.symbols.length }));
    },
  });
  children.push({
    id: 'adapter',
    start: async () => {
      // Testnet and live use the same adapter; only the base URLs (from the mode) and the keys differ.
      const venue = real
        ? createBinanceVenue({ mode: cfg.venue.kind, apiKey: need(o.keys?.apiKey, 'BINANCE_API_KEY'), apiSecret: need(o.keys?.apiSecret, 'BINANCE_API_SECRET'), clock: o.clock, logger })
        : (() => {
            const sim = external ?? need(links.sim, 'simulator');
            return createBinanceVenue({ mode: 'sim', restUrl: sim.url, wsUrl: sim.wsUrl, apiKey: SIM_API_KEY, apiSecret: SIM_API_SECRET, clock: o.clock, logger });
          })();
      for (const r of await venue.markets()) links.rules.set(r.symbol, planRules(r));
      links.venue = venue;
      // Breaker changes become journal alerts (routed to the sinks like every other alert).
      const offBreaker = venue.onBreakerEvent((e) => {
        if (e.state === 'halfOpen') return;
        const open = e.state === 'open';
        const entry = { kind: 'alert', ts: e.ts, summary: `circuit breaker ${venue.venue}/${e.breaker} ${open ? 'open' : 'closed'}`, data: { key: `breaker:${venue.venue}:${e.breaker}`, severity: open ? 'warning' : 'info', ...(open ? {} : { resolved: true }), detail: open ? 'venue calls fail fast until it half-opens' : 'calls succeed again' } };
        bus.js.publish(subjects.journal('alert'), encode(entry), { headers: msgHeaders() }).catch(() => undefined);
      });
      return service(async () => {
        offBreaker();
        await venue.close();
      }, () => ({ ...venue.breakerState().breakers }));
    },
  });
  // Singletons on the leader: one executor places every order, one user stream, one reconciler.
  const single = (spec: ChildSpec) => leaderOnly(spec, o.cluster, o.clock);
  children.push(single({ id: 'executor', start: async () => (links.executor = await startExecutor({ bus, venue: need(links.venue, 'adapter'), clock: o.clock, logger, leverage: cfg.strategy.leverage })) }));
  children.push(single({
    id: 'user-stream',
    // A balance or position change on the account: equity is read again (debounced), and funding
    // history when that is what changed.
    start: () => startUserStreamBridge({
      bus, venue: need(links.venue, 'adapter'), clock: o.clock, logger,
      onAccount: (e) => {
        links.equity?.refresh();
        if (e.reason === 'FUNDING_FEE') links.funding?.refresh();
      },
      onAccountConfig: (e) => links.executor?.leverageObserved(e.symbol, e.leverage),
    }),
  }));
  children.push(single({
    id: 'funding',
    start: async () => (links.funding = await startFundingBooker({ bus, venue: need(links.venue, 'adapter'), clock: o.clock, logger })),
  }));
  if (cfg.risk.equitySource === 'venue') {
    children.push(single({
      id: 'equity',
      start: async () => {
        const rep = await startEquityReporter({ bus, venue: need(links.venue, 'adapter'), clock: o.clock, marketClock: o.marketClock, logger });
        links.equity = rep;
        return rep;
      },
    }));
  }
  children.push(single({
    id: 'reconciler',
    start: () =>
      startReconciler({
        bus, venue: need(links.venue, 'adapter'), clock: o.clock, logger, everyMs: cfg.reconcile.everySec * 1_000,
        mismatchGraceMs: cfg.reconcile.mismatchGraceMs, promptMs: cfg.reconcile.promptMs,
        onReport: (r) => {
          for (const s of r.adopted) void links.pin?.(s);
        },
      }),
  }));
  // Last: the most volatile child (sockets, backfill, symbols the venue drops). Under rest_for_one
  // its restarts then take nothing down that places, tracks or reconciles orders.
  children.push({
    id: 'market-data',
    start: async () => {
      const venue = need(links.venue, 'adapter');
      const known = links.pool?.('symbols')?.whichChildren().map((c) => c.id.replace(/^symbol-/, '')) ?? [];
      const md = await startMarketData({
        // Candle closes and ticker refreshes follow the market's clock (scaled with --speed).
        venue, bus, clock: o.marketClock, logger, intervals: cfg.market.intervals, tickersEveryMs: cfg.universe.refreshHours * 3_600_000,
        markEveryMs: cfg.market.markEveryMs, trades: cfg.market.trades, warmupCandles: cfg.market.warmupCandles, symbols: known,
        // One ticker feed for the one universe selector (the leader's).
        publishTickers: () => o.cluster.isLeader(),
      });
      links.market = md;
      return md;
    },
  });
  return children;
}

/** Name of the venue in subjects and domain events: the adapter's own naming. */
export function venueNameOf(cfg: Config): string {
  return cfg.venue.kind === 'sim' ? 'sim' : 'binance';
}

/** The venue subtree, and the universe subtree (selector + watcher) that feeds the per-symbol pools. */
export function venueChildren(o: VenueCtx): [ChildSpec, ChildSpec] {
  const { cfg, bus, logger, links } = o;
  const venueName = venueNameOf(cfg);
  const s = cfg.supervision;
  const common = { intensity: s.intensity, period: s.period, backoff: s.backoff };
  const targets = clusterTargets(symbolTargets({ cfg, venue: venueName, links, host: o.host }), o.cluster, () => links.pin);
  const universe = supervisorChild(
    {
      id: 'universe',
      strategy: 'rest_for_one',
      ...common,
      children: [
        leaderOnly(hostedChild(universeDef(cfg, venueName), venueName, o.host, { childId: 'selector' }), o.cluster, o.clock),
        {
          id: 'watch',
          start: async () => {
            const w = await startUniverseWatch({ bus, venue: venueName, logger, targets, clock: o.clock });
            links.pin = async (sym) => {
              await targets.startSymbol(sym);
              await w.pin(sym);
            };
            return w;
          },
        },
      ],
    },
    o.supDeps,
  );
  return [supervisorChild({ id: 'venue', strategy: 'rest_for_one', ...common, children: venueSubtree(o) }, o.supDeps), universe];
}
