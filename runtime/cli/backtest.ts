import { writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { subjects, type JournalEntry } from '../../protocols/index.js';
import { createBacktestBus } from '../backtest/bus.js';
import { bridgeVenue } from '../backtest/venue-bridge.js';
import { createSimulatedClock } from '../clock/index.js';
import { loadConfig, type Config } from '../config/index.js';
import { buildReport, renderHtml, renderText } from '../report/index.js';
import { createSimVenue } from '../venues/sim/engine/index.js';
import { readReplayDir } from '../venues/sim/run.js';
import { symbolDef } from './defs.js';
import { ordersDef } from './defs-orders.js';
import { positionDef } from './defs-position.js';
import { riskDef, RISK_ID } from './defs-risk.js';
import { regimeDef, strategyDef } from './defs-strategy.js';

export interface BacktestOptions {
  cfg: Config;
  /** A kline file/dir to replay, or 'synthetic'. */
  data: string;
  symbols?: number;
  /** Candles per symbol for synthetic data. @default 1440 */
  candles?: number;
  from?: number;
  to?: number;
  seed?: number;
}

export interface BacktestResult {
  report: ReturnType<typeof buildReport>;
  journal: JournalEntry[];
  candleEvents: number;
  wallSeconds: number;
  candlesPerSecond: number;
  bus: { published: number; delivered: number; deadLettered: number };
  venueOrders: number;
}

/**
 * Replays candles through the SAME actor definitions as a live node (symbol, regime, strategy,
 * risk, orders, positions) against the in-process matching engine on a simulated clock, and
 * builds the same report as `qt report`. Signals come from the labelled fallback rule: the
 * ensemble runs in the node's AI brain, which is asynchronous (ONNX) and not part of this loop.
 */
export async function runBacktest(o: BacktestOptions): Promise<BacktestResult> {
  const { cfg } = o;
  let candles = o.data === 'synthetic' ? undefined : readReplayDir(o.data, 1_000_000);
  if (candles && (o.from !== undefined || o.to !== undefined)) {
    candles = Object.fromEntries(Object.entries(candles).map(([s, ks]) => [s, ks.filter((k) => (o.from === undefined || k.openTime >= o.from) && (o.to === undefined || k.openTime <= o.to))]));
  }
  const first = candles ? Math.min(...Object.values(candles).map((k) => k[0]?.openTime ?? Infinity)) : Date.UTC(2024, 0, 1);
  const clock = createSimulatedClock(first);
  const venue = createSimVenue({
    clock, seed: o.seed ?? cfg.sim.seed,
    market: candles ? { kind: 'replay', candles } : { kind: 'synthetic', symbols: o.symbols ?? cfg.sim.symbols, startTime: first },
    engine: { initialBalance: cfg.sim.initialBalance },
    feed: { printsPerCandle: 4, klinePartials: false, quotes: false, retime: false },
  });
  const bus = createBacktestBus(clock);
  const journal: JournalEntry[] = [];
  bus.tap(subjects.journalAll, (m) => journal.push(m.data as JournalEntry));
  const bridge = bridgeVenue(bus, venue);
  const syms = venue.engine.symbols();
  const rules = new Map(syms.map((s) => {
    const sp = venue.engine.spec(s);
    return [s, { tickSize: sp.tickSize, stepSize: sp.stepSize, minQty: sp.minQty, minNotional: sp.minNotional }];
  }));
  bus.add(riskDef(cfg), RISK_ID);
  bus.add(regimeDef(cfg), 'main');
  bus.add(strategyDef(cfg), 'main');
  for (const s of syms) {
    bus.add(ordersDef({ venue: 'sim', maxNotional: cfg.risk.maxIntentNotional }), s);
    bus.add(positionDef({ venue: 'sim', rules: (x) => rules.get(x) }), s);
    bus.add(symbolDef({ venue: 'sim', interval: '1m', signalSource: 'fallback', fallbackRule: cfg.signals.fallbackRule }), s);
  }
  const perSymbol = candles ? Math.max(...Object.values(candles).map((k) => k.length)) : (o.candles ?? 1440);
  const t0 = performance.now();
  venue.start();
  // The feed keeps one timer pending; stepping candle by candle replays everything in order.
  for (let i = 0; i <= perSymbol + 1 && venue.feed.running; i++) clock.advance(60_000);
  const wallSeconds = (performance.now() - t0) / 1000;
  venue.stop();
  bus.stop();
  const candleEvents = bridge.candles();
  return {
    report: buildReport(journal, { initialEquity: cfg.sim.initialBalance }),
    journal,
    candleEvents,
    wallSeconds,
    candlesPerSecond: Math.round(candleEvents / wallSeconds),
    bus: { published: bus.stats.published, delivered: bus.stats.delivered, deadLettered: bus.stats.deadLettered },
    venueOrders: venue.engine.history().orders.length,
  };
}

/** `qt backtest --data <dir|file|synthetic> [--symbols N] [--candles N] [--from ISO] [--to ISO] [--json] [--html FILE]`. */
export async function runBacktestCli(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      data: { type: 'string' }, symbols: { type: 'string' }, candles: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' },
      json: { type: 'boolean' }, html: { type: 'string' }, config: { type: 'string' }, seed: { type: 'string' },
    },
  });
  if (!values.data) throw new Error('--data <dir|file|synthetic> is required');
  const cfg = loadConfig(values.config ? { file: values.config } : {});
  const ts = (s?: string) => (s === undefined ? undefined : /^\d+$/.test(s) ? Number(s) : Date.parse(s));
  const r = await runBacktest({
    cfg, data: values.data,
    ...(values.symbols ? { symbols: Number(values.symbols) } : {}), ...(values.candles ? { candles: Number(values.candles) } : {}),
    ...(values.from ? { from: ts(values.from)! } : {}), ...(values.to ? { to: ts(values.to)! } : {}), ...(values.seed ? { seed: Number(values.seed) } : {}),
  });
  if (values.html) writeFileSync(values.html, renderHtml(r.report));
  const meta = { candleEvents: r.candleEvents, wallSeconds: Math.round(r.wallSeconds * 1000) / 1000, candlesPerSecond: r.candlesPerSecond, venueOrders: r.venueOrders, bus: r.bus };
  process.stdout.write(values.json ? `${JSON.stringify({ ...meta, report: r.report })}\n` : `${renderText(r.report)}\n\n${r.candleEvents} candle events in ${meta.wallSeconds}s (${r.candlesPerSecond}/s), ${r.venueOrders} orders at the venue\n`);
  return 0;
}
