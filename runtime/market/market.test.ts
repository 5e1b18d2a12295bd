import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { STREAMS, subjects, type Candle, type Universe } from '../../protocols/index.js';
import { createNatsReporter, createSupervisor, hostedChild, type Supervisor } from '../../supervisors/index.js';
import { createLiveClock, createScaledClock } from '../clock/index.js';
import { encode } from '../codec.js';
import { symbolDef } from '../cli/defs.js';
import { universeDef } from '../cli/venue.js';
import { SIM_API_KEY, SIM_API_SECRET } from '../cli/sim.js';
import { loadConfig } from '../config/index.js';
import { natsEnv } from '../testing/nats-env.js';
import { hostKit } from '../testing/host-env.js';
import { readStream, until } from '../testing/wait.js';
import { createBinanceVenue } from '../venues/binance/index.js';
import { startSimulator } from '../venues/sim/run.js';
import { startMarketData } from './market-data.js';
import { startUniverseWatch } from './universe-watch.js';

const silent = pino({ level: 'silent' });

function assertGapFree(cs: Candle[], step: number) {
  const opens = cs.map((c) => c.openTime);
  expect(new Set(opens).size).toBe(opens.length);
  for (let i = 1; i < opens.length; i++) expect(opens[i]! - opens[i - 1]!).toBe(step);
}

describe('market data', () => {
  it('a WebSocket drop mid-candle gives no gap and no duplicate on QT_MARKET, and a restart resumes from the stream', async () => {
    await using env = await natsEnv();
    // 120× speed: a 1m candle closes every 0.5 s of wall time.
    const clock = createScaledClock(120);
    const sim = await startSimulator({ clock, symbols: 2, seed: 7, apiKey: SIM_API_KEY, apiSecret: SIM_API_SECRET, warmupCandles: 30 });
    const venue = createBinanceVenue({ mode: 'sim', restUrl: sim.url, wsUrl: sim.wsUrl, apiKey: SIM_API_KEY, apiSecret: SIM_API_SECRET, clock: createLiveClock(), logger: silent });
    const opts = { venue, bus: env.bus, clock, logger: silent, intervals: ['1m' as const], tickersEveryMs: 3_600_000, markEveryMs: 1_000, trades: false, warmupCandles: 20, symbols: ['BTCUSDT', 'ETHUSDT'] };
    let md = await startMarketData(opts);
    const subj = subjects.market('sim', 'BTCUSDT', 'candle.1m');
    const count = async () => (await readStream<Candle>(env.bus, STREAMS.market, subj)).length;
    await until(async () => (await count()) >= 25, '25 candles', 20_000);
    // Cut every socket in the middle of a candle.
    await clock.sleep(25_000);
    sim.server.faults.dropWebSockets({});
    await until(async () => (await count()) >= 32, 'candles after the drop', 20_000);
    // Restart the worker (as its supervisor would): it resumes from the last candle on the stream.
    await md.stop();
    await clock.sleep(90_000);
    md = await startMarketData(opts);
    await until(async () => (await count()) >= 38, 'candles after restart', 20_000);
    await md.stop();
    const cs = (await readStream<Candle>(env.bus, STREAMS.market, subj)).map((m) => m.data);
    assertGapFree(cs, 60_000);
    expect(cs.every((c) => c.venue === 'sim' && c.symbol === 'BTCUSDT')).toBe(true);
    // Live candles carry the mark at close; REST-backfilled history has none.
    expect(cs.filter((c) => c.markPrice! > 0).length).toBeGreaterThan(5);
    expect(venue.breakerState().marketSocketOpens).toBeGreaterThanOrEqual(2);
    await venue.close();
    await sim.close();
  });

  it('a stop does not wait for the backfill still queued: no kline request or candle after it', async () => {
    await using env = await natsEnv();
    const clock = createLiveClock();
    const sim = await startSimulator({ clock, symbols: 8, seed: 3, apiKey: SIM_API_KEY, apiSecret: SIM_API_SECRET, warmupCandles: 30 });
    const venue = createBinanceVenue({ mode: 'sim', restUrl: sim.url, wsUrl: sim.wsUrl, apiKey: SIM_API_KEY, apiSecret: SIM_API_SECRET, clock, logger: silent });
    // Every kline request takes 30 s: each symbol's 5m backfill queues behind its 1m one.
    const slow = sim.server.faults.add({ kind: 'latency', path: '/fapi/v1/klines', latencyMs: 30_000 });
    const symbols = sim.symbols.slice(0, 8);
    const md = await startMarketData({ venue, bus: env.bus, clock, logger: silent, intervals: ['1m', '5m'], tickersEveryMs: 3_600_000, markEveryMs: 1_000, trades: false, warmupCandles: 20, symbols });
    await until(() => slow.fired >= symbols.length, 'the 1m backfills in flight');
    // Old behaviour: the stop waited for every queued backfill, 2 × 30 s per symbol.
    await md.stop();
    const fired = slow.fired;
    expect(fired).toBe(symbols.length);
    await new Promise((r) => setTimeout(r, 1_000));
    expect(slow.fired).toBe(fired);
    expect(await readStream(env.bus, STREAMS.market, 'qt.md.sim.*.candle.>')).toHaveLength(0);
    expect(md.info()).toMatchObject({ published: 0 });
    await venue.close();
    await sim.close();
  }, 20_000);

  it('symbols the venue does not list, or refuses as invalid (-1121), are left out without crashing market data', async () => {
    await using env = await natsEnv();
    const clock = createLiveClock();
    const sim = await startSimulator({ clock, symbols: 2, seed: 3, apiKey: SIM_API_KEY, apiSecret: SIM_API_SECRET, warmupCandles: 30 });
    const venue = createBinanceVenue({ mode: 'sim', restUrl: sim.url, wsUrl: sim.wsUrl, apiKey: SIM_API_KEY, apiSecret: SIM_API_SECRET, clock, logger: silent });
    // A universe restored from an earlier run names a symbol this venue does not list, and the
    // venue refuses one listed symbol's klines as delisted since exchangeInfo was read.
    const refused = sim.server.faults.add({ kind: 'reject', code: -1121, msg: 'Invalid symbol.', path: '/fapi/v1/klines', count: 1 });
    const md = await startMarketData({ venue, bus: env.bus, clock, logger: silent, intervals: ['1m'], tickersEveryMs: 3_600_000, markEveryMs: 1_000, trades: false, warmupCandles: 20, symbols: ['BTCUSDT', 'ETHUSDT', 'GONEUSDT'] });
    let exit: unknown;
    void md.exited.then((e) => (exit = e));
    await until(() => refused.fired === 1 && (md.info().backfilled as number) >= 20, 'one refusal, and the other symbol backfilled');
    const unlisted = md.info().unlisted as string[];
    expect(unlisted).toHaveLength(2);
    expect(unlisted).toContain('GONEUSDT');
    const kept = ['BTCUSDT', 'ETHUSDT'].find((s) => !unlisted.includes(s))!;
    expect(await readStream(env.bus, STREAMS.market, subjects.market('sim', kept, 'candle.1m'))).toHaveLength(20);
    expect(md.info().symbols).toBe(1);
    // The same universe again changes nothing (no resubscribe, no second refusal); the worker lives.
    await md.setUniverse(['GONEUSDT', 'ETHUSDT', 'BTCUSDT']);
    expect(md.info().unlisted).toEqual(unlisted);
    expect(exit).toBeUndefined();
    await md.stop();
    await venue.close();
    await sim.close();
  }, 20_000);
});

describe('universe', () => {
  it('a universe change spawns new symbol actors and drains the leaving ones (open positions keep theirs)', async () => {
    await using env = await natsEnv();
    const kit = await hostKit(env);
    const cfg = loadConfig({ env: {}, overrides: { universe: { topN: 2 } } });
    const reporter = await createNatsReporter({ bus: env.bus, node: 't' });
    const pool: Supervisor = createSupervisor({ id: 'symbols', strategy: 'simple_one_for_one', intensity: 50 }, { clock: createLiveClock(), reporter });
    await pool.start();
    const selector = await kit.start('sim', universeDef(cfg, 'sim'));
    const open = new Set<string>(['ETHUSDT']);
    const market: string[][] = [];
    const ids = () => pool.whichChildren().map((c) => c.id).sort();
    const watch = await startUniverseWatch({
      bus: env.bus, venue: 'sim', logger: silent, clock: createLiveClock(), resyncMs: 200,
      targets: {
        startSymbol: async (s) => {
          if (!ids().includes(`symbol-${s}`)) await pool.startChild(hostedChild(symbolDef({ venue: 'sim', interval: '1m' }), s, kit.deps, { childId: `symbol-${s}` }));
        },
        stopSymbol: (s) => pool.terminateChild(`symbol-${s}`),
        hasOpenPosition: async (s) => open.has(s),
        setMarketSymbols: async (s) => void market.push([...s].sort()),
      },
    });
    const tickers = (ts: number, vols: Record<string, number>) =>
      env.bus.js.publish(subjects.tickers('sim'), encode({ type: 'tickers', ts, tickers: Object.entries(vols).map(([symbol, quoteVolume]) => ({ symbol, quoteVolume })) }));
    await tickers(1, { BTCUSDT: 900, ETHUSDT: 800, SOLUSDT: 100, XRPUSDT: 50 });
    await until(() => ids().length === 2, 'two symbol actors');
    expect(ids()).toEqual(['symbol-BTCUSDT', 'symbol-ETHUSDT']);
    // A pool that lost its children (e.g. restarted empty after an escalation) is refilled.
    await pool.terminateChild('symbol-ETHUSDT');
    await until(() => ids().includes('symbol-ETHUSDT'), 'ETH actor restored by the periodic resync');
    await tickers(2, { BTCUSDT: 900, ETHUSDT: 10, SOLUSDT: 700, XRPUSDT: 650 });
    await until(() => ids().includes('symbol-SOLUSDT'), 'SOL spawned');
    // ETH left the universe but has an open position: it keeps its actor and its market data.
    expect(ids()).toEqual(['symbol-BTCUSDT', 'symbol-ETHUSDT', 'symbol-SOLUSDT']);
    await until(() => market.at(-1)?.join() === 'BTCUSDT,ETHUSDT,SOLUSDT', 'market keeps ETH while draining');
    open.delete('ETHUSDT');
    await watch.recheck();
    expect(ids()).toEqual(['symbol-BTCUSDT', 'symbol-SOLUSDT']);
    expect(market.at(-1)).toEqual(['BTCUSDT', 'SOLUSDT']);
    const changes = await readStream<Universe>(env.bus, STREAMS.market, subjects.universe('sim'));
    expect(changes.map((c) => [c.data.added, c.data.removed])).toEqual([
      [['BTCUSDT', 'ETHUSDT'], []],
      [['SOLUSDT'], ['ETHUSDT']],
    ]);
    await watch.stop();
    await selector.stop();
    await pool.stop();
  });
});
