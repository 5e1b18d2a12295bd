import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { natsEnv } from '../testing/nats-env.js';
import { benchHop, benchRestart, benchThroughput } from './kernel.js';
import { table } from './table.js';

type Section = Record<string, unknown>;
type Sections = Record<string, Section>;

/**
 * The bench's own knobs (QT_BENCH_*), taken out of the environment: the node and simulator
 * processes the live benchmarks start inherit it, and their strict config rejects unknown QT_ vars.
 */
const knobs: Record<string, string | undefined> = {};
for (const k of Object.keys(process.env).filter((x) => x.startsWith('QT_BENCH_'))) {
  knobs[k] = process.env[k];
  delete process.env[k];
}
const num = (name: string, dflt: number) => Number(knobs[name] ?? dflt);

/**
 * Every benchmark group, in the order `npm run bench` runs them. `QT_BENCH_ONLY=latency,rss`
 * runs only those groups (and merges their sections into an existing bench.json).
 */
const GROUPS: Array<{ name: string; label: string; run: () => Promise<Sections> }> = [
  {
    name: 'kernel', label: 'actor restart latency + one-hop latency + host throughput',
    run: async () => {
      const out: Sections = {};
      {
        await using env = await natsEnv({ host: { maxAckPending: 512 } });
        out.kernel_restart = await benchRestart(env, num('QT_BENCH_RESTARTS', 200));
      }
      {
        await using env = await natsEnv();
        out.kernel_hop_latency = await benchHop(env, num('QT_BENCH_HOPS', 500));
      }
      await using env = await natsEnv({ host: { maxAckPending: 1024 } });
      out.kernel_throughput = await benchThroughput(env, num('QT_BENCH_MESSAGES', 50_000));
      return out;
    },
  },
  { name: 'sim', label: 'sim engine', run: () => import('./extra.js').then((m) => m.benchSimEngine()) },
  { name: 'venue', label: 'venue round trip', run: () => import('./extra.js').then((m) => m.benchVenue()) },
  { name: 'symbols', label: 'symbol actors', run: () => import('./extra.js').then((m) => m.benchSymbols()) },
  { name: 'ai', label: 'AI inference', run: () => import('./extra.js').then((m) => m.benchAi()) },
  { name: 'backtest', label: 'full-pipeline backtest', run: () => import('./extra.js').then((m) => m.benchBacktest()) },
  {
    name: 'latency', label: 'live latency candle close → order accepted (real node, 50 and 500 symbols)',
    run: async () => {
      const { benchLatency } = await import('./latency.js');
      // `<symbols>:<speed>` pairs. The venue's order-count limits run on wall time, so at speed 10
      // a node places 10× a real account's orders and entries queue for the venue (p99 7.9 s at
      // 50 symbols, all of it in the order pacer): the speeds keep the order rate a real one.
      const out: Sections = {};
      for (const pair of (knobs.QT_BENCH_LATENCY ?? '50:2,500:1').split(',')) {
        const [n, speed] = pair.split(':').map(Number) as [number, number | undefined];
        const mode = knobs.QT_BENCH_LATENCY_MODE === 'external' ? 'external' : 'inproc';
        out[`live_latency_${n}_symbols${mode === 'external' ? '_external_sim' : ''}`] = await guard(() => benchLatency(n, { seconds: num('QT_BENCH_LATENCY_SEC', 180), speed: speed ?? 10, mode }));
      }
      return out;
    },
  },
  {
    name: 'restart', label: 'kill -9 → back to trading',
    run: async () => ({ kill9_restart: await (await import('./restart.js')).benchKillRestart({ symbols: num('QT_BENCH_KILL_SYMBOLS', 50), kills: num('QT_BENCH_KILLS', 3), phasesSec: (knobs.QT_BENCH_KILL_PHASES_SEC ?? '20,55').split(',').map(Number) }) }),
  },
  {
    name: 'rss', label: 'RSS at 500 symbols / positions, and drift',
    run: async () => ({ node_rss: await (await import('./rss.js')).benchRss({ symbols: num('QT_BENCH_RSS_SYMBOLS', 500), speed: num('QT_BENCH_RSS_SPEED', 1), minutes: num('QT_BENCH_RSS_MIN', 3), fillSec: num('QT_BENCH_RSS_FILL_SEC', 900), entriesPerSec: num('QT_BENCH_RSS_ENTRIES_PER_SEC', 50) }) }),
  },
  {
    name: 'peer', label: 'backtest-kit comparison (issue #7)',
    run: async () => ({ backtest_vs_backtest_kit: await (await import('./peer.js')).benchPeer(num('QT_BENCH_PEER_CANDLES', 1_440)) }),
  },
];

async function guard(fn: () => Promise<Section>): Promise<Section> {
  try {
    return await fn();
  } catch (e) {
    return { error: (e as Error).message };
  }
}

/** `npm run bench`: the benchmarks (all, or `QT_BENCH_ONLY`), written to bench-results/bench.json plus a table. */
async function main() {
  const only = knobs.QT_BENCH_ONLY?.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = only?.filter((n) => !GROUPS.some((g) => g.name === n)) ?? [];
  if (unknown.length) throw new Error(`QT_BENCH_ONLY: unknown group(s) ${unknown.join(', ')}; known: ${GROUPS.map((g) => g.name).join(', ')}`);
  const results: Sections = {};
  for (const g of GROUPS.filter((x) => !only || only.includes(x.name))) {
    process.stderr.write(`bench: ${g.label}…\n`);
    const t0 = Date.now();
    try {
      Object.assign(results, await g.run());
    } catch (e) {
      results[g.name] = { error: (e as Error).message };
    }
    process.stderr.write(`bench: ${g.name} done in ${Math.round((Date.now() - t0) / 1000)} s\n`);
  }
  const file = 'bench-results/bench.json';
  // A partial run keeps the other sections of the last full run.
  const previous = only && existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { results?: Sections }).results ?? {} : {};
  const out = { at: new Date().toISOString(), only: only ?? 'all', machine: { cpus: cpus().length, cpu: cpus()[0]?.model, memGiB: Math.round(totalmem() / 2 ** 30), node: process.version }, results: { ...previous, ...results } };
  mkdirSync('bench-results', { recursive: true });
  writeFileSync(file, `${JSON.stringify(out, null, 2)}\n`);
  process.stdout.write(`${table(results)}\nwritten to ${file}\n`);
}

await main();
process.exit(0);
