import { performance } from 'node:perf_hooks';
import { FIXTURE_BTC_1M, readKlineCsv } from '../../models/data/index.js';
import { STREAMS, subjects, type Candle } from '../../protocols/index.js';
import { createLiveClock, createSimulatedClock } from '../clock/index.js';
import { encode } from '../codec.js';
import { createBacktestBus } from '../backtest/bus.js';
import { symbolDef } from '../cli/defs.js';
import { createHostDeps, startHostedActor } from '../host/index.js';
import { pino } from 'pino';
import type { NatsEnv } from '../testing/nats-env.js';
import { until } from '../testing/wait.js';

async function candles(n: number): Promise<Candle[]> {
  return (await readKlineCsv(FIXTURE_BTC_1M)).slice(0, n).map((c) => ({ ...c, venue: 'sim' }));
}

/** Candles/s through symbol actors (features + fallback signal) in-process, and heap per actor. */
export async function benchSymbolsInProcess(symbols: number, perSymbol: number) {
  const cs = await candles(perSymbol);
  global.gc?.();
  const heap0 = process.memoryUsage().heapUsed;
  const bus = createBacktestBus(createSimulatedClock(0));
  const names = Array.from({ length: symbols }, (_, i) => `S${i}USDT`);
  for (const s of names) bus.add(symbolDef({ venue: 'sim', interval: '1m' }), s);
  const t0 = performance.now();
  for (const c of cs) for (const s of names) bus.publish(subjects.market('sim', s, 'candle.1m'), { ...c, symbol: s });
  const secs = (performance.now() - t0) / 1000;
  global.gc?.();
  const heap1 = process.memoryUsage().heapUsed;
  bus.stop();
  return {
    symbols, candles: symbols * perSymbol,
    candles_per_s: Math.round((symbols * perSymbol) / secs),
    heap_per_actor_kib: Math.round((heap1 - heap0) / symbols / 1024),
    note: global.gc ? 'heap measured after gc' : 'run node with --expose-gc for exact heap figures',
  };
}

/** The same path hosted on NATS: candles published to QT_MARKET, actors persisting to KV. */
export async function benchSymbolsHosted(env: NatsEnv, symbols: number, perSymbol: number) {
  const cs = await candles(perSymbol);
  const deps = await createHostDeps({ bus: env.bus, cfg: env.cfg, clock: createLiveClock(), logger: pino({ level: 'silent' }), node: 'bench' });
  const names = Array.from({ length: symbols }, (_, i) => `S${i}USDT`);
  for (const c of cs) {
    await Promise.all(names.map((s) => env.bus.js.publish(subjects.market('sim', s, 'candle.1m'), encode({ ...c, symbol: s }))));
  }
  const t0 = performance.now();
  const actors = await Promise.all(names.map((s) => startHostedActor(symbolDef({ venue: 'sim', interval: '1m' }), s, deps)));
  await until(() => actors.every((a) => a.info().processed === perSymbol), 'all candles applied', 300_000);
  const secs = (performance.now() - t0) / 1000;
  await Promise.all(actors.map((a) => a.stop()));
  void STREAMS;
  return { symbols, candles: symbols * perSymbol, candles_per_s: Math.round((symbols * perSymbol) / secs), includes: 'start-up of every actor, KV snapshot per batch, features + signal published' };
}
