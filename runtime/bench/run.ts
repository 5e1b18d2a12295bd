import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { natsEnv } from '../testing/nats-env.js';
import { benchRestart, benchThroughput } from './kernel.js';

type Section = Record<string, unknown>;

async function section(name: string, fn: () => Promise<Section>): Promise<Section> {
  process.stderr.write(`bench: ${name}…\n`);
  try {
    return await fn();
  } catch (e) {
    return { error: (e as Error).message };
  }
}

/** `npm run bench`: every benchmark in one run, written to bench-results/bench.json plus a table. */
async function main() {
  const results: Record<string, Section> = {};
  results.kernel_restart = await section('actor restart latency', async () => {
    await using env = await natsEnv({ host: { maxAckPending: 512 } });
    return await benchRestart(env, Number(process.env.QT_BENCH_RESTARTS ?? 200));
  });
  results.kernel_throughput = await section('actor host vs raw throughput', async () => {
    await using env = await natsEnv({ host: { maxAckPending: 1024 } });
    return await benchThroughput(env, Number(process.env.QT_BENCH_MESSAGES ?? 50_000));
  });
  const extra = await import('./extra.js').then((m) => m.extraBenches()).catch(() => ({}));
  Object.assign(results, extra);
  const out = { at: new Date().toISOString(), machine: { cpus: cpus().length, cpu: cpus()[0]?.model, memGiB: Math.round(totalmem() / 2 ** 30), node: process.version }, results };
  mkdirSync('bench-results', { recursive: true });
  writeFileSync('bench-results/bench.json', `${JSON.stringify(out, null, 2)}\n`);
  process.stdout.write(`${table(results)}\nwritten to bench-results/bench.json\n`);
}

function table(results: Record<string, Section>): string {
  const rows: string[] = ['| benchmark | figure | value |', '|---|---|---|'];
  for (const [name, sec] of Object.entries(results)) {
    for (const [k, v] of Object.entries(sec)) {
      if (k === 'goal') continue;
      rows.push(`| ${name} | ${k} | ${typeof v === 'object' ? JSON.stringify(v) : String(v)} |`);
    }
    if (sec.goal) rows.push(`| ${name} | goal | ${String(sec.goal)} |`);
  }
  return rows.join('\n');
}

await main();
process.exit(0);
