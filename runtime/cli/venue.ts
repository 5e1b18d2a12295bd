import type { Logger } from 'pino';
import { universeMachine } from '../../actors/index.js';
import { STREAMS, subjects } from '../../protocols/index.js';
import { hostedChild, supervisorChild, type ChildSpec, type Supervisor, type SupervisorDeps } from '../../supervisors/index.js';
import type { Clock } from '../clock/index.js';
import type { Config } from '../config/index.js';
import { BadInputError, RuntimeError } from '../errors.js';
import type { ActorDefinition } from '../host/index.js';
import { startMarketData, startUniverseWatch, type MarketDataWorker } from '../market/index.js';
import type { Bus } from '../nats/index.js';
import { createBinanceVenue } from '../venues/binance/index.js';
import type { BinanceVenue } from '../venues/binance/types.js';
import { startSimulator, type Simulator } from '../venues/sim/run.js';
import { serveSimFaults } from '../venues/sim/nats-faults.js';
import { symbolDef } from './defs.js';
import type { NodeHostDeps } from './node.js';
import { SIM_API_KEY, SIM_API_SECRET } from './sim.js';

/** Live handles shared between siblings; a restarted child re-registers itself. */
export interface VenueLinks {
  sim?: Simulator;
  venue?: BinanceVenue;
  market?: MarketDataWorker;
  /** The symbols pool, once the root has started it. */
  pool?: () => Supervisor | undefined;
}

type Exit = { kind: 'normal' } | { kind: 'shutdown' } | { kind: 'crash'; error: Error };

function service(close: () => Promise<void>, info: () => Record<string, unknown> = () => ({})) {
  let resolveExit!: (e: Exit) => void;
  const exited = new Promise<Exit>((r) => (resolveExit = r));
  let done = false;
  const end = async (e: Exit) => {
    if (done) return;
    done = true;
    await close().catch(() => undefined);
    resolveExit(e);
  };
  return {
    exited,
    stop: () => end({ kind: 'shutdown' }),
    kill: () => void end({ kind: 'shutdown' }),
    inject: (error: Error) => void end({ kind: 'crash', error }),
    info,
  };
}

export const universeDef = (cfg: Config, venue: string): ActorDefinition => ({
  kind: 'universe',
  machine: universeMachine,
  version: 1,
  input: { stream: STREAMS.market, subject: () => subjects.tickers(venue) },
  initialInput: () => ({ venue, topN: cfg.universe.topN, include: cfg.universe.include, exclude: cfg.universe.exclude, minQuoteVolume: cfg.universe.minQuoteVolume }),
  parse(payload) {
    const p = payload as { type?: unknown; ts?: unknown; tickers?: unknown };
    if (p?.type !== 'tickers' || typeof p.ts !== 'number' || !Array.isArray(p.tickers)) throw new BadInputError('not a tickers snapshot');
    return p as { type: 'tickers' };
  },
});

/**
 * The venue subtree (rest_for_one: a restarted simulator takes the adapter and market data down
 * with it, since they hold its URL) plus the universe actor and its watcher.
 */
export function venueChildren(o: { cfg: Config; bus: Bus; logger: Logger; clock: Clock; marketClock: Clock; supDeps: Omit<SupervisorDeps, 'path'>; links: VenueLinks; host: NodeHostDeps }): ChildSpec[] {
  const { cfg, bus, logger, links } = o;
  const venueName = cfg.venue.kind === 'sim' ? 'sim' : 'binance';
  const s = cfg.supervision;
  const common = { intensity: s.intensity, period: s.period, backoff: s.backoff };
  const children: ChildSpec[] = [];
  if (cfg.venue.kind === 'sim') {
    children.push({
      id: 'sim',
      start: async () => {
        const sim = await startSimulator({
          clock: o.marketClock, symbols: cfg.sim.symbols, seed: cfg.sim.seed, port: cfg.sim.port, apiKey: SIM_API_KEY, apiSecret: SIM_API_SECRET,
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
  } else {
    throw new RuntimeError(`venue ${cfg.venue.kind} is not wired in this build yet`);
  }
  children.push({
    id: 'market-data',
    start: async () => {
      if (!links.sim) throw new RuntimeError('simulator not running');
      const venue = createBinanceVenue({ mode: 'sim', restUrl: links.sim.url, wsUrl: links.sim.wsUrl, apiKey: SIM_API_KEY, apiSecret: SIM_API_SECRET, clock: o.clock, logger });
      links.venue = venue;
      const known = links.pool?.()?.whichChildren().map((c) => c.id.replace(/^symbol-/, '')) ?? [];
      const md = await startMarketData({
        venue, bus, clock: o.clock, logger, intervals: cfg.market.intervals, tickersEveryMs: cfg.universe.refreshHours * 3_600_000,
        markEveryMs: cfg.market.markEveryMs, trades: cfg.market.trades, warmupCandles: cfg.market.warmupCandles, symbols: known,
      });
      links.market = md;
      void md.exited.then(() => venue.close());
      return md;
    },
  });
  const brains = supervisorChild(
    {
      id: 'universe',
      strategy: 'rest_for_one',
      ...common,
      children: [
        hostedChild(universeDef(cfg, venueName), venueName, o.host, { childId: 'selector' }),
        {
          id: 'watch',
          start: () =>
            startUniverseWatch({
              bus, venue: venueName, logger,
              targets: {
                startSymbol: async (sym) => {
                  const pool = links.pool?.();
                  if (!pool || pool.whichChildren().some((c) => c.id === `symbol-${sym}`)) return;
                  await pool.startChild(hostedChild(symbolDef({ venue: venueName, interval: cfg.market.intervals[0]!, signalSource: cfg.signals.source, fallbackRule: cfg.signals.fallbackRule }), sym, o.host, { childId: `symbol-${sym}` }));
                },
                stopSymbol: async (sym) => {
                  const pool = links.pool?.();
                  if (pool?.whichChildren().some((c) => c.id === `symbol-${sym}`)) await pool.terminateChild(`symbol-${sym}`);
                },
                hasOpenPosition: async () => false,
                setMarketSymbols: async (syms) => links.market?.setUniverse(syms),
              },
            }),
        },
      ],
    },
    o.supDeps,
  );
  return [supervisorChild({ id: 'venue', strategy: 'rest_for_one', ...common, children }, o.supDeps), brains];
}
