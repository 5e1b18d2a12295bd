import { writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { subjects, type JournalEntry } from '../../protocols/index.js';
import { rankSignals } from '../ai/feed.js';
import { createBacktestBus } from '../backtest/bus.js';
import { bridgeVenue } from '../backtest/venue-bridge.js';
import { createSimulatedClock } from '../clock/index.js';
import { loadConfig, type Config } from '../config/index.js';
import { buildReport, renderHtml, renderText } from '../report/index.js';
import { accountEntry } from '../trading/equity.js';
import { createSimVenue } from '../venues/sim/engine/index.js';
import { readReplayDir } from '../venues/sim/run.js';
import { symbolDef } from './defs.js';
import { ordersDef } from './defs-orders.js';
import { planRules, positionDef } from './defs-position.js';
import { ceoDef, CEO_ID, riskDef, RISK_ID } from './defs-risk.js';
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
  /** 'ai': the shipped ONNX ensemble (batched per candle close) decides; 'fallback': the labelled rule. @default fallback */
  signals?: 'ai' | 'fallback';
}

export interface BacktestResult {
  report: ReturnType<typeof buildReport>;
  journal: JournalEntry[];
  candleEvents: number;
  wallSeconds: number;
  candlesPerSecond: number;
  bus: { published: number; delivered: number; deadLettered: number };
  venueOrders: number;
  /** Orders the engine refused, by Binance error code (local refusals never reach it). */
  venueRejects: Record<string, number>;
  signalSource: 'ai' | 'fallback';
  inferenceBatches: number;
  /**
   * Positions still open on the engine when the data ran out, marked to the last price. The
   * report's trade statistics count closed trades only; these say what they leave out.
   */
  openAtEnd: Array<{ symbol: string; side: 'LONG' | 'SHORT'; qty: number; entry: number; mark: number; unrealizedPnl: number }>;
}

/** The shipped ensemble, loaded from models/artifacts with the AI brain's own decision core. */
async function ensemble(cfg: Config) {
  const { ARTIFACTS_DIR, listArtifacts, readArtifact } = await import('../../models/registry/index.js');
  const { sessionFor, memberInfo, releaseAll } = await import('../ai/sessions.js');
  const { inferBatch } = await import('../ai/infer.js');
  const { aiLogic } = await import('./defs-ai.js');
  const models = await Promise.all((await listArtifacts(ARTIFACTS_DIR)).map(async (id) => {
    const a = await readArtifact(ARTIFACTS_DIR, id);
    return sessionFor(a.manifest, a.bytes, null);
  }));
  const lab = models[0]!.manifest.label;
  const core = aiLogic.createCore({ eta: cfg.ai.weightEta, halfLife: cfg.ai.scoreHalfLife, label: { horizon: lab.horizon, deadZoneK: lab.deadZoneK, intervalMs: 60_000 }, fallbackRule: cfg.signals.fallbackRule });
  aiLogic.setModels(core, models.map(memberInfo), []);
  return {
    async signals(rows: Array<Record<string, unknown>>) {
      const ready = rows.filter((r) => r.ready);
      for (const r of rows) aiLogic.observe(core, r as never);
      const inf = await inferBatch(ready as never, models, [], true);
      return ready.map((r, i) => aiLogic.modelSignal(core, r as never, inf.probs[i]!));
    },
    close: () => releaseAll(models),
  };
}

/**
 * Replays candles through the SAME actor definitions as a live node (symbol, regime, strategy,
 * risk, orders, positions) against the in-process matching engine on a simulated clock, and
 * builds the same report as `qt report`. With `signals: 'ai'` the shipped ONNX ensemble decides,
 * batched across symbols at each candle close through the AI brain's own decision core.
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
  // Exit plans are rounded to the exchangeInfo the orders are checked against, as on a live node.
  const rules = new Map([...bridge.rules].map(([s, r]) => [s, planRules(r)]));
  // The engine's account is the configured balance and nothing else moves it: risk and the CEO take
  // that figure as known (a live node waits for the venue's own, `risk.equitySource`).
  const account = { ...cfg, risk: { ...cfg.risk, equitySource: 'config' as const, initialEquity: cfg.sim.initialBalance } };
  bus.add(riskDef(account), RISK_ID);
  // The CEO brain moves risk's mode from drawdown, as live (no supervision events or model
  // supervisor here: those inputs simply stay quiet).
  bus.add(ceoDef(account), CEO_ID);
  bus.add(regimeDef(cfg), 'main');
  bus.add(strategyDef(cfg), 'main');
  for (const s of syms) {
    bus.add(ordersDef({ venue: 'sim', maxNotional: cfg.risk.maxIntentNotional }), s);
    bus.add(positionDef({ venue: 'sim', rules: (x) => rules.get(x) }), s);
    bus.add(symbolDef({ venue: 'sim', interval: '1m', signalSource: o.signals === 'ai' ? 'ai' : 'fallback', fallbackRule: cfg.signals.fallbackRule }), s);
  }
  const ai = o.signals === 'ai' ? await ensemble(cfg) : undefined;
  const pending: Array<Record<string, unknown>> = [];
  if (ai) bus.tap(subjects.featuresAll, (m) => pending.push(m.data as Record<string, unknown>));
  let batches = 0;
  const perSymbol = candles ? Math.max(...Object.values(candles).map((k) => k.length)) : (o.candles ?? 1440);
  const t0 = performance.now();
  venue.start();
  // The feed keeps one timer pending; stepping candle by candle replays everything in order.
  for (let i = 0; i <= perSymbol + 1 && venue.feed.running; i++) {
    clock.advance(60_000);
    // The ensemble answers every symbol that closed a candle in this step, in one batch, before time moves on.
    if (ai && pending.length) {
      const sigs = await ai.signals(pending.splice(0));
      batches++;
      // Built by the AI brain's own decision core in this process: trusted, like the actors' outputs.
      // Ranked as the live brain publishes them: the order rate admits the strongest first.
      for (const sig of rankSignals(sigs)) bus.publish(subjects.signal(sig.symbol), sig, `sig:${sig.venue}:${sig.symbol}:${sig.interval}:${sig.ts}`, undefined, { trusted: true });
    }
    // The engine's account each minute, marked to market: the report's drawdown with open positions in it.
    const acct = venue.engine.account();
    const entry = accountEntry({ ts: clock.now(), venue: 'sim', asset: 'USDT', wallet: Number(acct.totalWalletBalance), unrealized: Number(acct.totalUnrealizedProfit), source: 'engine' });
    bus.publish(subjects.journal('account'), entry, `acct:sim:USDT:${entry.ts}`, undefined, { trusted: true });
  }
  await ai?.close();
  const wallSeconds = (performance.now() - t0) / 1000;
  venue.stop();
  bus.stop();
  const candleEvents = bridge.candles();
  const history = venue.engine.history();
  const openAtEnd = venue.engine.positions().filter((p) => Number(p.positionAmt) !== 0).map((p) => {
    const amt = Number(p.positionAmt);
    return { symbol: p.symbol, side: amt > 0 ? ('LONG' as const) : ('SHORT' as const), qty: Math.abs(amt), entry: Number(p.entryPrice), mark: Number(p.markPrice), unrealizedPnl: Number(p.unRealizedProfit) };
  });
  return {
    report: buildReport(journal, { initialEquity: cfg.sim.initialBalance }),
    journal,
    candleEvents,
    wallSeconds,
    candlesPerSecond: Math.round(candleEvents / wallSeconds),
    bus: { published: bus.stats.published, delivered: bus.stats.delivered, deadLettered: bus.stats.deadLettered },
    venueOrders: history.orders.length,
    venueRejects: history.rejects.reduce<Record<string, number>>((n, r) => ((n[r.code] = (n[r.code] ?? 0) + 1), n), {}),
    signalSource: o.signals ?? 'fallback',
    inferenceBatches: batches,
    openAtEnd,
  };
}

/** `qt backtest --data <dir|file|synthetic> [--signals ai|fallback] [--symbols N] [--candles N] [--from ISO] [--to ISO] [--json] [--html FILE]`. */
export async function runBacktestCli(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      data: { type: 'string' }, symbols: { type: 'string' }, candles: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' },
      json: { type: 'boolean' }, html: { type: 'string' }, config: { type: 'string' }, seed: { type: 'string' }, signals: { type: 'string', default: 'fallback' },
    },
  });
  if (!values.data) throw new Error('--data <dir|file|synthetic> is required');
  const cfg = loadConfig(values.config ? { file: values.config } : {});
  const ts = (s?: string) => (s === undefined ? undefined : /^\d+$/.test(s) ? Number(s) : Date.parse(s));
  const r = await runBacktest({
    cfg, data: values.data, signals: values.signals === 'ai' ? 'ai' : 'fallback',
    ...(values.symbols ? { symbols: Number(values.symbols) } : {}), ...(values.candles ? { candles: Number(values.candles) } : {}),
    ...(values.from ? { from: ts(values.from)! } : {}), ...(values.to ? { to: ts(values.to)! } : {}), ...(values.seed ? { seed: Number(values.seed) } : {}),
  });
  if (values.html) writeFileSync(values.html, renderHtml(r.report));
  const meta = { signals: r.signalSource, inferenceBatches: r.inferenceBatches, candleEvents: r.candleEvents, wallSeconds: Math.round(r.wallSeconds * 1000) / 1000, candlesPerSecond: r.candlesPerSecond, venueOrders: r.venueOrders, venueRejects: r.venueRejects, bus: r.bus, openAtEnd: r.openAtEnd };
  const open = r.openAtEnd.length
    ? `\n${r.openAtEnd.length} position(s) still open at the end, unrealized ${r.openAtEnd.reduce((a, p) => a + p.unrealizedPnl, 0).toFixed(2)} USDT (not in the trade statistics): ${r.openAtEnd.map((p) => `${p.symbol} ${p.side} ${p.qty}`).join(', ')}`
    : '';
  process.stdout.write(values.json ? `${JSON.stringify({ ...meta, report: r.report })}\n` : `${renderText(r.report)}\n\n${r.candleEvents} candle events in ${meta.wallSeconds}s (${r.candlesPerSecond}/s), ${r.venueOrders} orders at the venue${open}\n`);
  return 0;
}
